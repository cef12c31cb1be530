// skiff's dashboard: a page served by the daemon (built into dist/dashboard by esbuild, no CDN).
// It logs in once with a token (the daemon answers an HttpOnly session cookie), fetches the
// daemon's read routes, and refetches what it shows when the event stream says the view changed
// or an event arrived (no polling). Admin actions are shown to admin sessions only; the daemon
// refuses them to read sessions anyway.
import './app.css';
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ClusterView, HpaView } from '../model/views.js';
import { ApiError, api, type EventRow, type HostRow, type PassPlan, type Session } from './api.js';
import { AppsPage, EventsPage, HostsPage, HpaPage, PlanPage, RolloutPage } from './pages.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/apps');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/apps');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Login({ onLogin }: { onLogin(s: Session): void }) {
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = (new FormData(e.target as HTMLFormElement).get('token') as string) ?? '';
    try {
      onLogin(await api.login(token));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="login card" onSubmit={submit}>
      <h1>skiff</h1>
      <label>
        Token <input name="token" type="password" autocomplete="off" placeholder="skiff_..." />
      </label>
      <p class="muted">
        Create one with <code>skiff token create --role read</code>.
      </p>
      <button type="submit">Log in</button>
      {error && <p class="error">{error}</p>}
    </form>
  );
}

interface Data {
  view?: ClusterView;
  hosts: HostRow[];
  events: EventRow[];
  hpas: HpaView[];
  plan?: PassPlan;
}

function Dashboard({ session, onLogout }: { session: Session; onLogout(): void }) {
  const hash = useHash();
  const [data, setData] = useState<Data>({ hosts: [], events: [], hpas: [] });
  const [live, setLive] = useState(false);
  const [notice, setNotice] = useState('');
  const page = hash.split('/')[1] ?? 'apps';
  const refetch = useCallback(async () => {
    try {
      const [view, hosts, events, hpas, plan] = await Promise.all([
        api.view(),
        page === 'hosts' ? api.hosts() : Promise.resolve(undefined),
        api.events(),
        page === 'hpa' ? api.hpas() : Promise.resolve(undefined),
        page === 'plan' ? api.plan() : Promise.resolve(undefined),
      ]);
      setData((d) => ({ view, hosts: hosts ?? d.hosts, events, hpas: hpas ?? d.hpas, plan: plan ?? d.plan }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onLogout();
      else setNotice((err as Error).message);
    }
  }, [page, onLogout]);
  useEffect(() => {
    void refetch();
  }, [refetch]);
  useEffect(() => {
    const source = new EventSource('/api/v1/stream');
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    source.addEventListener('view', () => void refetch());
    source.addEventListener('event', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as EventRow;
      setData((d) => ({ ...d, events: [e, ...d.events.filter((x) => x.id !== e.id)].slice(0, 200) }));
    });
    return () => source.close();
  }, [refetch]);
  const sync = async (app: string) => {
    setNotice(`syncing ${app}...`);
    try {
      const r = await api.sync(app);
      setNotice(`${app}: ${r.actions} actions${r.converged ? ', converged' : ''}`);
    } catch (err) {
      setNotice((err as Error).message);
    }
  };
  const rollback = async (ns: string, name: string) => {
    if (!confirm(`Commit a revert of deployment/${name}'s current revision and push it?`)) return;
    try {
      const r = await api.rollback(ns, name);
      setNotice(
        `deployment/${name}: ${r.outcome} ${r.commit?.slice(0, 7) ?? ''} ${r.message.split('\n')[0]}`,
      );
    } catch (err) {
      setNotice((err as Error).message);
    }
  };
  const { view } = data;
  const [, , ns, name] = hash.split('/');
  return (
    <>
      <nav>
        <b>skiff</b>
        {['apps', 'hosts', 'hpa', 'events', 'plan'].map((p) => (
          <a key={p} href={`#/${p}`} class={page === p ? 'active' : ''}>
            {p === 'hpa' ? 'HPA' : p[0]!.toUpperCase() + p.slice(1)}
          </a>
        ))}
        <span class={`live ${live ? 'on' : ''}`}>{live ? 'live' : 'offline'}</span>
        <span class="muted">
          {session.id} ({session.role})
        </span>
        <button type="button" onClick={() => void api.logout().finally(onLogout)}>
          Log out
        </button>
      </nav>
      {notice && <p class="notice">{notice}</p>}
      <main>
        {!view && <p class="muted">Loading...</p>}
        {view && page === 'apps' && <AppsPage view={view} admin={session.role === 'admin'} onSync={sync} />}
        {view && page === 'hosts' && <HostsPage view={view} hosts={data.hosts} />}
        {view && page === 'events' && <EventsPage events={data.events} now={view.at} />}
        {view && page === 'hpa' && <HpaPage hpas={data.hpas} now={view.at} />}
        {view && page === 'plan' && <PlanPage view={view} plan={data.plan} />}
        {view && page === 'rollout' && (
          <RolloutPage
            view={view}
            ns={ns ?? ''}
            name={name ?? ''}
            events={data.events}
            admin={session.role === 'admin'}
            onRollback={rollback}
          />
        )}
      </main>
    </>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    api.session().then(setSession, () => setSession(null));
  }, []);
  const logout = useCallback(() => setSession(null), []);
  if (session === undefined) return <p class="muted">Loading...</p>;
  if (session === null) return <Login onLogin={setSession} />;
  return <Dashboard session={session} onLogout={logout} />;
}

render(<App />, document.getElementById('root')!);

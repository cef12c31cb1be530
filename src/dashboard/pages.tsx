// The dashboard's pages, each a function of what the API answered (no fetching here).
import { formatDiagnostic } from '../model/diagnostics.js';
import type {
  AppStatus,
  ClusterView,
  CommitSummary,
  DeploymentView,
  HpaView,
  PodView,
} from '../model/views.js';
import type { EventRow, HostRow, PassPlan } from './api.js';
import { LineChart } from './chart.js';
import { ago, bytes, cpu, short, tone } from './format.js';
import { utilizationSeries } from './hpa-series.js';

const Badge = ({ text }: { text: string }) => <span class={`badge ${tone(text)}`}>{text}</span>;

/** A commit's message subject and author, as Argo CD's app page shows them next to the sha. */
const CommitBy = ({ info, now }: { info?: CommitSummary; now: number }) =>
  info ? (
    <span class="commit-info">
      <span class="subject">{info.subject}</span>{' '}
      <span class="muted">
        by {info.author}, {ago(info.at, now)}
      </span>
    </span>
  ) : null;

function AppCard({
  app,
  now,
  admin,
  onSync,
}: {
  app: AppStatus;
  now: number;
  admin: boolean;
  onSync(): void;
}) {
  const behind = app.headCommit && app.headCommit !== app.liveCommit;
  return (
    <section class="card" data-app={app.name}>
      <header>
        <h2>{app.name}</h2>
        <Badge text={app.sync} />
        <Badge text={app.health} />
        {admin && (
          <button type="button" onClick={onSync}>
            Sync now
          </button>
        )}
      </header>
      <dl>
        <dt>Repository</dt>
        <dd>
          {app.repoURL} @ {app.revision} {app.path && `(${app.path})`}
        </dd>
        <dt>Live commit</dt>
        <dd>
          <code>{short(app.liveCommit)}</code> <CommitBy info={app.liveCommitInfo} now={now} />{' '}
          {app.liveSignedBy && `signed by ${app.liveSignedBy}`}
        </dd>
        <dt>Head commit</dt>
        <dd>
          <code>{short(app.headCommit)}</code> <CommitBy info={app.headCommitInfo} now={now} />{' '}
          {behind ? '(not live)' : ''}
        </dd>
        <dt>Last sync</dt>
        <dd>{ago(app.lastSyncAt, now)}</dd>
        {app.message && (
          <>
            <dt>Message</dt>
            <dd>{app.message}</dd>
          </>
        )}
      </dl>
      {app.conditions.filter((c) => c.status !== 'True' || c.type !== 'Ready').length > 0 && (
        <ul class="conditions">
          {app.conditions.map((c) => (
            <li key={c.type}>
              <Badge text={c.status === 'True' ? c.type : `${c.type}=${c.status}`} /> {c.reason}: {c.message}
            </li>
          ))}
        </ul>
      )}
      {app.rejected && (
        <div class="rejected">
          <h3>
            Rejected commit <code>{short(app.rejected.commit)}</code>: nothing of it applied;{' '}
            {app.liveCommit ? `${short(app.liveCommit)} stays live` : 'nothing is live'}
          </h3>
          <ul>
            {app.rejected.diagnostics.map((d) => (
              <li key={`${d.file}:${d.line}:${d.column}:${d.code}`} class={d.severity}>
                <code>{formatDiagnostic(d)}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {app.quarantined.length > 0 && (
        <div class="quarantined">
          <h3>Quarantined commits (auto-sync skips them; the live commit was restored)</h3>
          <ul>
            {app.quarantined.map((q) => (
              <li key={q.commit}>
                <code>{short(q.commit)}</code> {ago(q.at, now)}: {q.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

export function AppsPage(p: { view: ClusterView; admin: boolean; onSync(app: string): void }) {
  return (
    <div>
      <h1>Apps</h1>
      {p.view.apps.length === 0 && <p class="muted">No app is configured.</p>}
      {p.view.apps.map((a) => (
        <AppCard key={a.name} app={a} now={p.view.at} admin={p.admin} onSync={() => p.onSync(a.name)} />
      ))}
      <h2>Deployments</h2>
      <table>
        <thead>
          <tr>
            <th>Deployment</th>
            <th>App</th>
            <th>Ready</th>
            <th>Up-to-date</th>
            <th>Phase</th>
          </tr>
        </thead>
        <tbody>
          {p.view.deployments.map((d) => (
            <tr key={`${d.namespace}/${d.name}`}>
              <td>
                <a href={`#/rollout/${d.namespace}/${d.name}`}>deployment/{d.name}</a>
              </td>
              <td>{d.app}</td>
              <td>
                {d.readyReplicas}/{d.replicas}
              </td>
              <td>{d.updatedReplicas}</td>
              <td>
                <Badge text={d.phase} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Bar({
  label,
  used,
  total,
  show,
}: {
  label: string;
  used: number;
  total: number;
  show(n: number): string;
}) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <div class="bar" title={`${label} requested ${show(used)} of ${show(total)}`}>
      <span>{label}</span>
      <div class="track">
        <div class={`fill ${pct > 90 ? 'bad' : pct > 70 ? 'warn' : 'ok'}`} style={{ width: `${pct}%` }} />
      </div>
      <span>
        {show(used)} / {show(total)}
      </span>
    </div>
  );
}

const PodChip = ({ pod }: { pod: PodView }) => (
  <span class={`pod ${tone(pod.status)}`} title={`${pod.namespace}/${pod.name}: ${pod.status}`}>
    {pod.name} <small>{pod.status}</small>
  </span>
);

export function HostsPage({ view, hosts }: { view: ClusterView; hosts: HostRow[] }) {
  const pending = view.pods.filter((p) => !p.host);
  return (
    <div>
      <h1>Hosts</h1>
      <div class="hosts">
        {hosts.map((h) => (
          <section class={`card host ${h.ready ? '' : 'notready'}`} key={h.name}>
            <header>
              <h2>{h.name}</h2>
              <Badge text={h.ready ? 'Ready' : 'NotReady'} />
              <span class="muted">{h.address}</span>
            </header>
            {h.reason && <p class="muted">{h.reason}</p>}
            <Bar label="CPU" used={h.allocated.cpuMilli} total={h.capacity.cpuMilli} show={cpu} />
            <Bar label="Memory" used={h.allocated.memoryBytes} total={h.capacity.memoryBytes} show={bytes} />
            <div class="pods">
              {view.pods
                .filter((p) => p.host === h.name)
                .map((p) => (
                  <PodChip key={p.name} pod={p} />
                ))}
            </div>
          </section>
        ))}
      </div>
      {pending.length > 0 && (
        <section class="card">
          <h2>Not placed</h2>
          {pending.map((p) => (
            <div key={p.name}>
              <PodChip pod={p} /> {p.pendingReason}
            </div>
          ))}
        </section>
      )}
    </div>
  );
}

function EventTable({ events, now }: { events: EventRow[]; now: number }) {
  return (
    <table class="events">
      <thead>
        <tr>
          <th>Last seen</th>
          <th>Type</th>
          <th>Reason</th>
          <th>Object</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} class={e.type === 'Warning' ? 'warning' : ''}>
            <td>{ago(e.lastTimestamp, now)}</td>
            <td>{e.type}</td>
            <td>{e.reason}</td>
            <td>{e.object}</td>
            <td>
              {e.message}
              {e.count > 1 ? ` (x${e.count})` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const EventsPage = ({ events, now }: { events: EventRow[]; now: number }) => (
  <div>
    <h1>Events</h1>
    <EventTable events={events} now={now} />
  </div>
);

function waves(d: DeploymentView, pods: PodView[]) {
  const mine = pods.filter(
    (p) => p.owner.kind === 'Deployment' && p.owner.name === d.name && p.namespace === d.namespace,
  );
  const byHash = new Map<string, PodView[]>();
  for (const p of mine) byHash.set(p.templateHash, [...(byHash.get(p.templateHash) ?? []), p]);
  return [...byHash.entries()].sort(([a]) => (a === d.templateHash ? -1 : 1));
}

export function RolloutPage(p: {
  view: ClusterView;
  ns: string;
  name: string;
  events: EventRow[];
  admin: boolean;
  onRollback(ns: string, name: string): void;
}) {
  const d = p.view.deployments.find((x) => x.namespace === p.ns && x.name === p.name);
  if (!d) return <p>deployment/{p.name} is not in the view.</p>;
  return (
    <div>
      <h1>
        deployment/{d.name} <Badge text={d.phase} />{' '}
        {p.admin && (
          <button type="button" onClick={() => p.onRollback(d.namespace, d.name)}>
            Roll back
          </button>
        )}
      </h1>
      <p class="counts">
        <b data-testid="ready">{d.readyReplicas}</b> ready, {d.updatedReplicas} up-to-date,{' '}
        {d.availableReplicas} available of {d.replicas}{' '}
        {d.replicasOwnedBy && `(replicas set by ${d.replicasOwnedBy})`}
      </p>
      <p>
        Images: <code>{d.images.join(', ')}</code> at commit <code>{short(d.commit)}</code>
      </p>
      {d.failure && (
        <p class="rejected">
          {d.failure.reason}: {d.failure.message}
        </p>
      )}
      <h2>Pods by template</h2>
      {waves(d, p.view.pods).map(([hash, pods]) => (
        <section class="card" key={hash}>
          <h3>
            {hash === d.templateHash ? 'new' : 'old'} template <code>{hash}</code>:{' '}
            {pods.filter((x) => x.ready.ready === x.ready.total).length}/{pods.length} ready
          </h3>
          <div class="pods">
            {pods.map((x) => (
              <PodChip key={x.name} pod={x} />
            ))}
          </div>
        </section>
      ))}
      <h2>Events</h2>
      <EventTable
        events={p.events.filter(
          (e) => e.object === `deployment/${d.name}` || e.object.startsWith(`pod/${d.name}-`),
        )}
        now={p.view.at}
      />
    </div>
  );
}

export function HpaPage({ hpas, now }: { hpas: HpaView[]; now: number }) {
  return (
    <div>
      <h1>HorizontalPodAutoscalers</h1>
      {hpas.length === 0 && <p class="muted">No HPA is admitted.</p>}
      {hpas.map((h) => (
        <section class="card" key={`${h.namespace}/${h.name}`}>
          <header>
            <h2>hpa/{h.name}</h2>
            <span>{h.reference}</span>
          </header>
          <p>
            Targets <code>{h.targets}</code>; replicas {h.currentReplicas} (min {h.minReplicas}, max{' '}
            {h.maxReplicas}
            ); last scaled {ago(h.lastScaleTime, now)}
          </p>
          <div class="charts">
            <LineChart
              series={[
                {
                  name: 'current',
                  className: 'current',
                  points: h.decisions.map((d) => ({ t: d.lastAt, v: d.currentReplicas })),
                },
                {
                  name: 'desired',
                  className: 'desired',
                  points: h.decisions.map((d) => ({ t: d.lastAt, v: d.desiredReplicas })),
                },
              ]}
            />
            <LineChart
              label="utilization over time"
              unit="%"
              empty="No utilization sampled yet."
              series={utilizationSeries(h)}
            />
          </div>
          <ul class="decisions">
            {h.decisions.slice(0, 10).map((d) => (
              <li key={d.at}>
                {ago(d.lastAt, now)}: {d.currentReplicas} to {d.desiredReplicas} ({d.reason}) {d.message}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** Head vs live per app, and what the last pass does to make the live state the admitted one. */
export function PlanPage({ view, plan }: { view: ClusterView; plan?: PassPlan }) {
  return (
    <div>
      <h1>Plan</h1>
      <table>
        <thead>
          <tr>
            <th>App</th>
            <th>Live</th>
            <th>Head</th>
            <th>Head is</th>
          </tr>
        </thead>
        <tbody>
          {view.apps.map((a) => (
            <tr key={a.name}>
              <td>{a.name}</td>
              <td>
                <code>{short(a.liveCommit)}</code> {a.liveCommitInfo?.subject}
              </td>
              <td>
                <code>{short(a.headCommit)}</code> {a.headCommitInfo?.subject}
              </td>
              <td>
                {a.headCommit === a.liveCommit
                  ? 'live'
                  : a.rejected?.commit === a.headCommit
                    ? 'rejected (see Apps)'
                    : a.quarantined.some((q) => q.commit === a.headCommit)
                      ? 'quarantined'
                      : 'not applied yet'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{plan?.converged ? 'Converged: the last pass had nothing to do' : 'Actions of the last pass'}</h2>
      <table class="plan">
        <tbody>
          {(plan?.actions ?? []).map((a) => (
            <tr key={a.key}>
              <td>{a.type}</td>
              <td>
                <code>{a.key}</code>
              </td>
              <td>{a.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

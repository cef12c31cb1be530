// `skiff status`: one line per app (sync, health, live vs head commit), then for each app what
// needs a reader's attention: conditions, the rejected commit's diagnostics (file:line:col),
// quarantined commits. Pure.
import { shortSha } from '../../diff/format-value.js';
import { redactUrlCredentials } from '../../diff/redact-url.js';
import { terminalText } from '../../diff/terminal-text.js';
import { formatDiagnostic } from '../../model/diagnostics.js';
import type { ObservedHost } from '../../model/observed.js';
import type { AppStatus, CommitSummary, LeaseView } from '../../model/views.js';
import { since } from './age.js';
import { renderRemovals } from './host-removal.js';
import { DescribeWriter, renderTable } from './table.js';

export { redactUrlCredentials };

function ago(at: number | undefined, now: number): string {
  return at === undefined ? '<never>' : `${since(at, now)} ago`;
}

/** `abc1234 subject (Name <email>, 5m ago)`: a commit as `git log --oneline` and Argo CD name it. */
function commitText(sha: string | undefined, info: CommitSummary | undefined, now: number): string {
  if (!sha || !info) return shortSha(sha);
  return `${shortSha(sha)} ${info.subject} (${info.author}, ${ago(info.at, now)})`;
}

function writeDetails(w: DescribeWriter, app: AppStatus, now: number): void {
  w.line(0, `${app.name}:`);
  w.line(1, 'Repo:', `${redactUrlCredentials(app.repoURL)} @ ${app.revision}`);
  w.line(1, 'Path:', app.path === '' ? '.' : app.path);
  if (app.liveCommitInfo) w.line(1, 'Live:', commitText(app.liveCommit, app.liveCommitInfo, now));
  if (app.headCommitInfo && app.headCommit !== app.liveCommit)
    w.line(1, 'Head:', commitText(app.headCommit, app.headCommitInfo, now));
  if (app.liveCommit && app.liveSignedBy)
    w.line(1, 'Signed by:', `${app.liveSignedBy} (${shortSha(app.liveCommit)})`);
  if (app.message) w.line(1, 'Message:', app.message);
  if (app.conditions.length > 0) {
    w.write(1, 'Conditions:\n');
    w.line(2, 'Type', 'Status', 'Reason', 'Age', 'Message');
    for (const c of app.conditions) {
      w.line(2, c.type, c.status, c.reason || '<none>', since(c.lastTransitionTime, now), c.message);
    }
  }
  if (app.rejected) {
    const live = app.liveCommit ? `${shortSha(app.liveCommit)} stays live` : 'nothing is live';
    w.flush();
    w.line(1, `Rejected commit ${shortSha(app.rejected.commit)} (nothing of it applied; ${live}):`);
    for (const d of app.rejected.diagnostics) w.line(2, `${d.severity}: ${formatDiagnostic(d)}`);
  }
  if (app.quarantined.length > 0) {
    w.flush();
    w.write(1, 'Quarantined commits (auto-sync skips them):\n');
    for (const q of app.quarantined) w.line(2, shortSha(q.commit), ago(q.at, now), q.reason);
  }
  writeNotifications(w, app, now);
}

/** The last notification deliveries (commit statuses, chat, webhooks) and how they went. */
function writeNotifications(w: DescribeWriter, app: AppStatus, now: number): void {
  const list = app.notifications ?? [];
  if (list.length === 0) return;
  w.flush();
  w.write(1, 'Notifications:\n');
  w.line(2, 'Age', 'Service', 'Trigger', 'Commit', 'State', 'Result');
  for (const n of list) {
    const result =
      n.outcome === 'sent'
        ? `sent (${n.attempts} attempt${n.attempts === 1 ? '' : 's'})`
        : `FAILED after ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}: ${n.error ?? 'unknown error'}`;
    w.line(2, since(n.at, now), n.service, n.trigger, shortSha(n.commit), n.state ?? '<none>', result);
  }
}

/** `skiff describe app/NAME`: the app's sync and health, then everything status says of it. */
export function describeApp(app: AppStatus, now: number): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', app.name);
  w.line(0, 'Sync:', app.sync);
  w.line(0, 'Health:', app.health);
  w.line(0, 'Live commit:', commitText(app.liveCommit, app.liveCommitInfo, now));
  w.line(0, 'Head commit:', commitText(app.headCommit, app.headCommitInfo, now));
  w.line(0, 'Last sync:', ago(app.lastSyncAt, now));
  w.flush();
  writeDetails(w, app, now);
  if (!app.notifications?.length) w.line(1, 'Notifications:', '<none>');
  return w.toString();
}

/** The daemon's hold on the hosts: one line, and who acts instead when it stands by. */
export function renderLease(lease: LeaseView, now: number): string {
  if (lease.role === 'acting')
    return `${terminalText(`Daemon: acting (holds the host lease on ${lease.hosts.join(', ')})`)}\n`;
  const lines = [`Daemon: STANDBY (${lease.reason ?? 'unknown'}): this daemon changes nothing on the hosts`];
  if (lease.heldBy) {
    const left = Math.max(0, Math.ceil((lease.heldBy.until - now) / 1000));
    lines.push(
      `  Acting daemon: ${lease.heldBy.description || lease.heldBy.holder} (${lease.heldBy.holder})`,
      `  Lease on ${lease.heldBy.hosts.join(', ')} expires in ${left}s unless renewed; this daemon takes over then`,
    );
  } else lines.push(`  ${lease.message}`);
  return `${lines.map(terminalText).join('\n')}\n`;
}

export function renderStatus(
  apps: readonly AppStatus[],
  opts: { now: number; lease?: LeaseView; hosts?: readonly ObservedHost[] },
): string {
  const removals = renderRemovals(opts.hosts ?? []);
  const lease = opts.lease ? renderLease(opts.lease, opts.now) : '';
  const header = lease || removals ? `${lease}${removals}\n` : '';
  if (apps.length === 0) return `${header}No apps configured.\n`;
  const sorted = [...apps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const table = renderTable(
    ['APP', 'SYNC', 'HEALTH', 'LIVE', 'HEAD', 'LAST SYNC'],
    sorted.map((a) => [
      a.name,
      a.sync,
      a.health,
      shortSha(a.liveCommit),
      shortSha(a.headCommit),
      ago(a.lastSyncAt, opts.now),
    ]),
  );
  const details = sorted.map((a) => {
    const w = new DescribeWriter();
    writeDetails(w, a, opts.now);
    return w.toString();
  });
  return header + [table, ...details].join('\n');
}

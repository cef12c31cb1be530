// Read-only access for `get`, `status`, `describe`, `history`: from the daemon's API when
// one runs, else by observing the hosts and computing a pass that executes nothing. What the
// second way needs (Docker, SSH, git, SQLite) is loaded only then: a `get` a daemon answers
// starts in a fraction of the time.
import type { ClusterConfig } from '../config/cluster-config.js';
import type { AuditRecord } from '../history/audit-log.js';
import type { HistoryStore } from '../history/history-store.js';
import type { EventRecord, SyncRecord } from '../history/history-types.js';
import type { ClusterView, EventView } from '../model/views.js';
import { cliLogger, connectDaemon } from './cli-context.js';

export async function readClusterView(config: ClusterConfig): Promise<ClusterView> {
  const daemon = await connectDaemon(config);
  if (daemon) return daemon.view();
  const { createSkiffInstance, initialAdmission } = await import('../daemon/skiff-instance.js');
  const log = cliLogger();
  const inst = createSkiffInstance({ config, log, dryRun: true, history: false });
  try {
    await initialAdmission(inst, Date.now(), log);
    await inst.reconciler.pass();
    // No daemon has been probing: run each probe once so readiness is current.
    await inst.prober.settle(3000);
    await inst.reconciler.pass();
    return inst.reconciler.view!;
  } finally {
    await inst.close();
  }
}

async function withHistory<T>(config: ClusterConfig, fn: (h: HistoryStore) => T, empty: T): Promise<T> {
  try {
    const { openHistoryStore } = await import('../history/history-store.js');
    const h = openHistoryStore({ stateDir: config.daemon.stateDir, readonly: true });
    try {
      return fn(h);
    } finally {
      h.close();
    }
  } catch {
    return empty;
  }
}

export async function readEvents(config: ClusterConfig, object?: string, limit = 200): Promise<EventView[]> {
  const daemon = await connectDaemon(config);
  const records = daemon
    ? ((await daemon.events(object, limit)) as EventRecord[])
    : await withHistory(config, (h) => h.listEvents({ object, limit }), [] as EventRecord[]);
  return records.map((r) => ({
    type: r.type,
    reason: r.reason,
    object: r.object,
    namespace: r.namespace,
    message: r.message,
    count: r.count,
    firstTimestamp: r.firstTimestamp,
    lastTimestamp: r.lastTimestamp,
  }));
}

export async function readSyncHistory(
  config: ClusterConfig,
  app?: string,
  limit = 50,
): Promise<SyncRecord[]> {
  const daemon = await connectDaemon(config);
  if (daemon) return (await daemon.history(app, limit)) as SyncRecord[];
  return await withHistory(config, (h) => h.listSyncs({ app, limit }), [] as SyncRecord[]);
}

/** The audit log, newest first: from the daemon (an admin token) or the history database. */
export async function readAuditLog(config: ClusterConfig, limit = 50): Promise<AuditRecord[]> {
  const daemon = await connectDaemon(config);
  if (daemon) return (await daemon.audit(limit)) as AuditRecord[];
  return await withHistory(config, (h) => h.listAudit(limit), [] as AuditRecord[]);
}

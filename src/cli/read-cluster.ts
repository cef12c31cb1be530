// Read-only access for `get`, `status`, `describe`, `history`: from the daemon's API when
// one runs, else by observing the hosts and computing a pass that executes nothing.
import type { ClusterConfig } from '../config/cluster-config.js';
import { createSkiffInstance, initialAdmission } from '../daemon/skiff-instance.js';
import type { AuditRecord } from '../history/audit-log.js';
import { openHistoryStore } from '../history/history-store.js';
import type { EventRecord, SyncRecord } from '../history/history-types.js';
import type { ClusterView, EventView } from '../model/views.js';
import { cliLogger, connectDaemon } from './cli-context.js';

export async function readClusterView(config: ClusterConfig): Promise<ClusterView> {
  const daemon = await connectDaemon(config);
  if (daemon) return daemon.view();
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

function withHistory<T>(
  config: ClusterConfig,
  fn: (h: ReturnType<typeof openHistoryStore>) => T,
  empty: T,
): T {
  try {
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
    : withHistory(config, (h) => h.listEvents({ object, limit }), [] as EventRecord[]);
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
  return withHistory(config, (h) => h.listSyncs({ app, limit }), [] as SyncRecord[]);
}

/** The audit log, newest first: from the daemon (an admin token) or the history database. */
export async function readAuditLog(config: ClusterConfig, limit = 50): Promise<AuditRecord[]> {
  const daemon = await connectDaemon(config);
  if (daemon) return (await daemon.audit(limit)) as AuditRecord[];
  return withHistory(config, (h) => h.listAudit(limit), [] as AuditRecord[]);
}

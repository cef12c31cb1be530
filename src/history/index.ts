// src/history: the daemon's record, `<stateDir>/history.db` (SQLite): syncs, events, revisions,
// HPA decisions, quarantined commits, the apps' last status. The record behind status, history,
// describe and the dashboard, never the source of truth: losing it loses history, not state.
// Shell code. Invariants: nothing here reads the clock (times are passed in); nothing here
// stores a secret value that the caller did not pass (callers redact).

export type { AuditInput, AuditRecord } from './audit-log.js';
export * from './errors.js';
export * from './history-store.js';
export * from './history-types.js';
export type { NotificationInput, NotificationRecord } from './notification-log.js';

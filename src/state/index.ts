// src/state: the daemon's record and its single-actor guarantees. Shell code (files, SQLite,
// processes, commands on hosts); the lease decision (lease-decision.ts) is pure.
// - history-store: `<stateDir>/history.db`, the record behind status/history/describe/dashboard.
//   Never the source of truth: losing it loses history, not state.
// - state-dir-lock: one daemon per state directory (`<stateDir>/daemon.lock`), and where the
//   CLI finds the running daemon's API.
// - host-lease: one acting daemon per set of hosts, even across machines (a lease file on each
//   host, changed only by a flock'd compare-and-swap).
// Invariants: nothing here reads the clock for a decision (times are passed in); nothing here
// stores a secret value that the caller did not pass (callers redact).

export * from './daemon-identity.js';
export * from './errors.js';
export * from './history-store.js';
export * from './history-types.js';
export * from './host-lease.js';
export * from './lease-decision.js';
export { LEASE_EXIT, type LeaseOp, parseLeaseOutput, renderLeaseCommand } from './lease-script.js';
export * from './state-dir-lock.js';

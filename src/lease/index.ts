// src/lease: one actor, locally and across machines. Shell code (files, processes, commands on
// hosts); the decision itself (controllers/lease-decision.ts) is pure.
// - state-dir-lock: one daemon per state directory (`<stateDir>/daemon.lock`), and where the
//   CLI finds the running daemon's API.
// - host-lease + lease-keeper: one acting daemon per set of hosts, even across machines (a lease
//   file on each host, changed only by a flock'd compare-and-swap), renewed on a timer.
// Invariants: nothing here reads the clock for a decision (times are passed in).

export * from '../controllers/lease-decision.js';
export * from './daemon-identity.js';
export * from './errors.js';
export * from './host-lease.js';
export * from './lease-keeper.js';
export { LEASE_EXIT, type LeaseOp, parseLeaseOutput, renderLeaseCommand } from './lease-script.js';
export * from './state-dir-lock.js';

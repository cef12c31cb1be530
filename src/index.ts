// skiff's programmatic API: the pure building blocks, importable as the package.
// Later issues add their exports here (scheduler, rollout, HPA decisions).

export type * from './model/actions.js';
export type * from './model/desired.js';
export * from './model/diagnostics.js';
export * from './model/errors.js';
export * from './model/k8s.js';
export type * from './model/observed.js';

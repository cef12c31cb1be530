// src/cli/views: kubectl-like renderings of the read models (src/model/views.ts) for `get`,
// `describe`, `status` and `top`. Pure functions of (views, now) to strings: no I/O, no clock (the
// command passes `now`), no colors. `get -o json|yaml|name|jsonpath` prints the views as the Kubernetes
// API's objects (kube-objects.ts, kube-print.ts); `-o skiff-json` prints the view objects themselves.
// Layout follows kubectl exactly where kubectl has an equivalent (column spacing, AGE, the
// describe blocks); what skiff adds (revision, commit, probe failures, HPA ownership) is
// placed where a kubectl user would look for it.

export * from '../../diff/terminal-text.js';
export * from './age.js';
export * from './claims.js';
export * from './configs.js';
export * from './deployments.js';
export * from './describe-containers.js';
export * from './describe-deployment.js';
export * from './describe-pod.js';
export * from './describe-service.js';
export * from './diagnostics.js';
export * from './errors.js';
export * from './events.js';
export * from './hpa.js';
export * from './pods.js';
export * from './services.js';
export * from './status.js';
export * from './table.js';
export * from './top.js';

// src/diff: desired vs desired (two revisions) and what it means on the hosts: object changes
// field by field with their change class, and the plan assembled around them (rendered as text,
// markdown for a PR comment, or JSON by cli/views/plan.ts). Pure core: no I/O, no clock, no
// randomness.
// Invariant: Secret values are redacted when a change is computed (redact.ts), so no plan,
// diff or rendering can hold one; manifest text shown anywhere (a patch) goes through
// redact-text.ts, which hides every Secret value in a file's YAML or JSON.
export * from './config-key-changes.js';
export * from './field-diff.js';
export * from './format-selector.js';
export * from './format-value.js';
export * from './object-diff.js';
export * from './plan.js';
export * from './redact.js';
export * from './redact-text.js';

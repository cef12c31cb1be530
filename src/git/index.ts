// src/git: skiff's repository source and the git-writing operations. Shell (network,
// filesystem, timers), with pure helpers beside it (manifest-edit, unified-diff, merge3,
// revert-plan, repo-paths, poll-schedule, webhook's header parsing).
//
// - GitSource: the port for one app's repository; resolveHead() follows the branch (force-push
//   reported as 'rewritten'); readManifestFiles(commit) reads manifests from the commit's tree
//   (manifest-tree: size caps, symlinks), no checkout. openGitSource picks RemoteGitSource
//   (HTTP(S), mirrored in <stateDir>/repos/<app>) or LocalGitSource (a repository read in place).
// - Poller: interval or cron polling with backoff; trigger() for the webhook; key-only events.
// - GitWriter: scale / set image / revert / restore as ONE commit each, pushed, or a dry-run patch.
// - verifyWebhook: GitHub HMAC-SHA256 and GitLab token checks.
// Invariant: a source failure is a typed GitError (retryable or not), never an empty state.
export * from './credentials.js';
export * from './errors.js';
export * from './git-source.js';
export * from './git-writer.js';
export * from './local-source.js';
export * from './manifest-edit.js';
export * from './merge3.js';
export * from './open-source.js';
export * from './poll-schedule.js';
export * from './poller.js';
export * from './remote-source.js';
export * from './repo-source.js';
export * from './revert-plan.js';
export * from './unified-diff.js';
export * from './webhook.js';

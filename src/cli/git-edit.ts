// What `scale`, `set image` and `rollout undo` share: the commit author, the target's parsing,
// and how a GitWriter result is reported (the commit pushed, or the patch of a dry run). Shell.
import { type CommitAuthor, DEFAULT_AUTHOR, type WriteResult } from '../git/git-writer.js';
import { type ObjectRef, parseObjectRef } from '../git/manifest-edit.js';
import { UsageError } from '../model/errors.js';
import { printLine, printText } from './output.js';

/** `--author "Name <email>"`, else git's own environment variables, else skiff. */
export function commitAuthor(flag: string | undefined): CommitAuthor {
  if (flag) {
    const m = /^\s*(.+?)\s*<([^>]+)>\s*$/.exec(flag);
    if (!m)
      throw new UsageError(`cannot read --author ${JSON.stringify(flag)}`, 'use --author "Name <email>"');
    return { name: m[1]!, email: m[2]! };
  }
  const name = process.env.GIT_AUTHOR_NAME;
  const email = process.env.GIT_AUTHOR_EMAIL;
  return name && email ? { name, email } : DEFAULT_AUTHOR;
}

/** `deployment/web` (kubectl's spelling); only Deployments can be scaled or rolled. */
export function deploymentTarget(text: string, namespace: string | undefined): ObjectRef {
  const ref = parseObjectRef(text, namespace);
  if (ref?.kind !== 'Deployment')
    throw new UsageError(`expected deployment/NAME, got ${JSON.stringify(text)}`, 'e.g. deployment/web');
  return ref;
}

/** Prints what happened; `done` is kubectl's past participle ("scaled", "image updated");
 *  `remote`: the commit was pushed (else committed in the local repository). */
export function reportWrite(r: WriteResult, what: string, done: string, remote: boolean): void {
  switch (r.outcome) {
    case 'committed':
      printLine(
        `${what} ${done}: commit ${r.commit!.slice(0, 7)} (${r.message.split('\n')[0]}) on top of ${r.parent.slice(0, 7)}, ${remote ? 'pushed' : 'committed'}`,
      );
      return;
    case 'dry-run':
      printText(`${what} ${done} (dry run: nothing committed)\n\n${r.message.trimEnd()}\n\n${r.patch}`);
      if (!r.patch.endsWith('\n')) printText('\n');
      return;
    case 'unchanged':
      printLine(`${what} unchanged: Git already says so, nothing to commit`);
      return;
  }
}

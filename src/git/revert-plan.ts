// What `git revert C` does to each file C touched, decided from three versions of the file:
// at C's parent, at C, and at the current head. Pure: versions in, file changes or conflicts out.
import { mergeText } from './merge3.js';
import type { FileChange } from './unified-diff.js';

export interface RevertInput {
  path: string;
  /** Content at the reverted commit's parent (null: the commit added the file). */
  parent: string | null;
  /** Content at the reverted commit (null: the commit deleted the file). */
  commit: string | null;
  /** Content at the current head (null: absent now). */
  head: string | null;
}

export interface RevertConflict {
  path: string;
  reason: string;
}

export interface RevertPlan {
  changes: FileChange[];
  conflicts: RevertConflict[];
}

export function planRevert(files: readonly RevertInput[]): RevertPlan {
  const changes: FileChange[] = [];
  const conflicts: RevertConflict[] = [];
  for (const f of files) {
    const after = revertedContent(f);
    if (typeof after === 'object' && after !== null) {
      conflicts.push({ path: f.path, reason: after.conflict });
      continue;
    }
    if (after !== f.head) changes.push({ path: f.path, before: f.head, after });
  }
  return { changes, conflicts };
}

function revertedContent(f: RevertInput): string | null | { conflict: string } {
  // Untouched since the commit: simply go back to the parent's version (or delete/re-add).
  if (f.head === f.commit) return f.parent;
  // Already back to the parent's version: nothing to do.
  if (f.head === f.parent) return f.head;
  if (f.head === null) return { conflict: 'deleted since the reverted commit, which changed it' };
  if (f.commit === null) return { conflict: 're-added since the reverted commit deleted it' };
  if (f.parent === null) return { conflict: 'changed since the reverted commit, which added it' };
  const merged = mergeText(f.commit, f.head, f.parent);
  if (merged.ok) return merged.text;
  const where = merged.conflicts.map((c) => `lines ${c.baseStartLine}-${c.baseEndLine}`).join(', ');
  return { conflict: `changed since the reverted commit in the same place (${where})` };
}

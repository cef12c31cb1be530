// Rendering a set of file changes as the unified diff `git diff` prints, so a `--dry-run`
// shows exactly the patch the commit would make (and `git apply` accepts it). The line diff
// itself is jsdiff's (an O(ND) Myers diff); this file only writes git's headers and hunk
// ranges. Pure: no I/O.
// Secret values never appear: both sides are redacted first (diff/redact-text), keeping lines,
// so the hunks are the real ones and a changed value shows as `<redacted: changed>`. A patch
// that touches a Secret value therefore does not `git apply`; every other hunk does.
import { structuredPatch } from 'diff';
import { redactManifestTextPair } from '../diff/redact-text.js';

export interface FileChange {
  /** Repository path. */
  path: string;
  /** Content before; null when the change creates the file. */
  before: string | null;
  /** Content after; null when the change deletes the file. */
  after: string | null;
}

const CONTEXT_LINES = 3;

export function renderUnifiedDiff(changes: readonly FileChange[]): string {
  return changes.map(renderFileDiff).join('');
}

function renderFileDiff(change: FileChange): string {
  if (change.before === change.after) return '';
  const { path } = change;
  const { before, after } = redactManifestTextPair(change.before, change.after);
  const header = [`diff --git a/${path} b/${path}`];
  if (before === null) header.push('new file mode 100644');
  if (after === null) header.push('deleted file mode 100644');
  header.push(before === null ? '--- /dev/null' : `--- a/${path}`);
  header.push(after === null ? '+++ /dev/null' : `+++ b/${path}`);
  const patch = structuredPatch(`a/${path}`, `b/${path}`, before ?? '', after ?? '', '', '', {
    context: CONTEXT_LINES,
  });
  const lines = [...header];
  for (const h of patch.hunks) {
    lines.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    lines.push(...h.lines);
  }
  return `${lines.join('\n')}\n`;
}

/** git's hunk range: `start,count`, count omitted when 1, start one less when the side is empty. */
function range(start: number, count: number): string {
  const s = count === 0 ? start - 1 : start;
  return count === 1 ? `${s}` : `${s},${count}`;
}

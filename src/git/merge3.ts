// Three-way merge of text by lines, as `git revert` needs when a file changed again after the
// commit being reverted: apply the change base->theirs on top of ours when the two sides touch
// different lines; report a conflict when they touch the same or adjacent lines (git's rule).
// The line diffs are jsdiff's Myers diff. Pure: no I/O.
import { diffArrays } from 'diff';

export type MergeResult = { ok: true; text: string } | { ok: false; conflicts: MergeConflict[] };

export interface MergeConflict {
  /** 1-based line range in the base text that both sides changed. */
  baseStartLine: number;
  baseEndLine: number;
}

interface Edit {
  /** Base line range [start, end) replaced by `lines`. */
  start: number;
  end: number;
  lines: string[];
}

/** Lines with their newline kept, so a missing final newline survives the merge. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function editsBetween(base: string[], other: string[]): Edit[] {
  const edits: Edit[] = [];
  let pos = 0;
  let current: Edit | undefined;
  for (const part of diffArrays(base, other)) {
    if (part.added) {
      current ??= { start: pos, end: pos, lines: [] };
      current.lines.push(...part.value);
    } else if (part.removed) {
      current ??= { start: pos, end: pos, lines: [] };
      pos += part.count ?? part.value.length;
      current.end = pos;
    } else {
      if (current) edits.push(current);
      current = undefined;
      pos += part.count ?? part.value.length;
    }
  }
  if (current) edits.push(current);
  return edits;
}

function applyEdits(base: string[], start: number, end: number, edits: Edit[]): string[] {
  const out: string[] = [];
  let pos = start;
  for (const e of edits) {
    out.push(...base.slice(pos, e.start), ...e.lines);
    pos = e.end;
  }
  out.push(...base.slice(pos, end));
  return out;
}

export function mergeText(base: string, ours: string, theirs: string): MergeResult {
  if (ours === theirs) return { ok: true, text: ours };
  if (base === ours) return { ok: true, text: theirs };
  if (base === theirs) return { ok: true, text: ours };
  const b = splitLines(base);
  const a = editsBetween(b, splitLines(ours));
  const t = editsBetween(b, splitLines(theirs));
  const out: string[] = [];
  const conflicts: MergeConflict[] = [];
  let pos = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < t.length) {
    // Start a group at the earliest edit, then pull in every edit of either side that
    // overlaps or touches it, until the group stops growing.
    const first = j >= t.length || (i < a.length && a[i]!.start <= t[j]!.start) ? a[i]! : t[j]!;
    const start = first.start;
    let end = first.end;
    const groupA: Edit[] = [];
    const groupT: Edit[] = [];
    let grew = true;
    while (grew) {
      grew = false;
      if (i < a.length && a[i]!.start <= end) {
        end = Math.max(end, a[i]!.end);
        groupA.push(a[i++]!);
        grew = true;
      }
      if (j < t.length && t[j]!.start <= end) {
        end = Math.max(end, t[j]!.end);
        groupT.push(t[j++]!);
        grew = true;
      }
    }
    out.push(...b.slice(pos, start));
    const mineLines = applyEdits(b, start, end, groupA);
    const theirLines = applyEdits(b, start, end, groupT);
    if (groupT.length === 0) out.push(...mineLines);
    else if (groupA.length === 0) out.push(...theirLines);
    else if (mineLines.join('') === theirLines.join('')) out.push(...mineLines);
    else conflicts.push({ baseStartLine: start + 1, baseEndLine: Math.max(start + 1, end) });
    pos = end;
  }
  out.push(...b.slice(pos));
  return conflicts.length > 0 ? { ok: false, conflicts } : { ok: true, text: out.join('') };
}

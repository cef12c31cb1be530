// Printing field values and change classes in one line each, the same way in every rendering.
// Pure.
import type { ChangeClass, FieldChange, ObjectChange } from '../model/plan.js';
import { displayName } from './object-diff.js';

/** Values longer than this are cut (a whole config file in a ConfigMap key, say). */
export const MAX_VALUE_CHARS = 120;

const LOOKS_TYPED = /^(true|false|null|~|yes|no|on|off|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/i;

function needsQuotes(s: string): boolean {
  return (
    s === '' || s.trim() !== s || LOOKS_TYPED.test(s) || s.includes(' -> ') || /[\u0000-\u001f\u007f]/.test(s)
  );
}

/** A value on one line: strings bare unless ambiguous, everything else as compact JSON. */
export function formatValue(v: unknown, max = MAX_VALUE_CHARS): string {
  if (v === undefined) return '<none>';
  const s = typeof v === 'string' && !needsQuotes(v) ? v : (JSON.stringify(v) ?? String(v));
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max).join('')}… (${chars.length} chars)`;
}

export type FieldMarker = '+' | '-' | '~';

export function fieldMarker(f: FieldChange): FieldMarker {
  if (f.before === undefined) return '+';
  if (f.after === undefined) return '-';
  return '~';
}

/** `~ path: before -> after`, `+ path: after`, `- path: before`. */
export function formatFieldChange(f: FieldChange): string {
  const m = fieldMarker(f);
  if (m === '+') return `+ ${f.path}: ${formatValue(f.after)}`;
  if (m === '-') return `- ${f.path}: ${formatValue(f.before)}`;
  return `~ ${f.path}: ${formatValue(f.before)} -> ${formatValue(f.after)}`;
}

export function changeMarker(c: ChangeClass): string {
  if (c === 'create') return '+';
  if (c === 'delete') return '-';
  if (c === 'unchanged') return ' ';
  return '~';
}

/** `create`, `update in place`, `replace 3 pods`, `delete`, `unchanged`. */
export function changeLabel(c: Pick<ObjectChange, 'change' | 'replacePods'>): string {
  switch (c.change) {
    case 'replace-pods':
      return c.replacePods === undefined
        ? 'replace pods'
        : `replace ${c.replacePods} pod${c.replacePods === 1 ? '' : 's'}`;
    case 'update-in-place':
      return 'update in place';
    default:
      return c.change;
  }
}

export function changeDisplayName(c: Pick<ObjectChange, 'kind' | 'namespace' | 'name'>): string {
  return displayName(c.kind, c.namespace, c.name);
}

/** First 7 characters of a commit, as git prints it. */
export function shortSha(sha: string | undefined): string {
  return sha === undefined || sha === '' ? '<none>' : sha.slice(0, 7);
}

// Reading a state file that holds one JSON list under a key ({"drains": [...]}, {"hosts": [...]}).
// Shell (files). Invariant: a missing file is an empty list; a file that is not such a list is
// the caller's error, never read as empty (an empty list means "forget everything" to them).
import { readFileSync } from 'node:fs';

/** The list under `key` in the JSON file at `path` ([] when there is no file); `invalid()` is
 *  thrown when the file is there but not a list of items `isItem` accepts. */
export function readJsonList<T>(
  path: string,
  key: string,
  isItem: (v: unknown) => v is T,
  invalid: () => Error,
): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  const list = (parsed as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list) || !list.every(isItem)) throw invalid();
  return list;
}

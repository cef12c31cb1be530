// What `skiff drain` prints as a drain goes on, in kubectl drain's words: each eviction once,
// each reason an eviction waits when it changes, and what remains when it gives up. Pure.
import type { DrainView } from '../../model/views.js';

/** What was printed already: pods seen on the host, those being evicted, and the last reason
 *  each waiting pod gave. */
export interface DrainProgress {
  seen: Set<string>;
  evicting: Set<string>;
  waiting: Map<string, string>;
}

export const newDrainProgress = (): DrainProgress => ({
  seen: new Set(),
  evicting: new Set(),
  waiting: new Map(),
});

/** The lines this view adds to what was printed (and notes them as printed). */
export function drainProgressLines(view: DrainView, progress: DrainProgress): string[] {
  const lines: string[] = [];
  for (const p of view.pods) {
    const key = `${p.namespace}/${p.name}`;
    progress.seen.add(key);
    if (p.status !== 'Blocked') {
      progress.waiting.delete(key);
      if (!progress.evicting.has(key)) lines.push(`evicting pod ${key}`);
      progress.evicting.add(key);
    } else if (p.message !== undefined && progress.waiting.get(key) !== p.message) {
      lines.push(`error when evicting pod ${key} (will retry): ${p.message}`);
      progress.waiting.set(key, p.message);
    }
  }
  // A pod gone from the host was evicted (perhaps between two looks).
  const here = new Set(view.pods.map((p) => `${p.namespace}/${p.name}`));
  for (const key of progress.seen)
    if (!here.has(key)) {
      lines.push(`pod/${key.slice(key.indexOf('/') + 1)} evicted`);
      progress.seen.delete(key);
      progress.evicting.delete(key);
      progress.waiting.delete(key);
    }
  return lines;
}

/** The pods a drain still waits for, one phrase each (for the timeout's message). */
export function drainRemains(view: DrainView): string {
  return view.pods.map((p) => `pod/${p.name} (${p.status}${p.message ? `: ${p.message}` : ''})`).join('; ');
}

// `skiff get -w`: print what is selected, then one line (or object) per change, as `kubectl get
// -w` does. The daemon has no event stream of its views, so this polls its view every second
// (each poll one GET of /api/v1/view); it stops cleanly on SIGINT (Ctrl-C) or the signal given.

import type { GetResources } from '../views/get-resources.js';

export interface WatchPrinter {
  /** The first listing: the whole table (with its header) or every object. */
  first(res: GetResources): void;
  /** Objects added or changed since the last poll, then those deleted (their last state). */
  changed(res: GetResources, values: unknown[]): void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Poll `read` until `signal` aborts; print the first answer whole and then each change. An
 *  object is "changed" when its view (skiff's, which holds no clock-derived field) differs. */
export async function watchResources(
  read: () => Promise<GetResources>,
  print: WatchPrinter,
  opts: { intervalMs: number; signal: AbortSignal },
): Promise<void> {
  let res = await read();
  print.first(res);
  let seen = new Map(res.items.map((i) => [i.key, { json: JSON.stringify(i.value), value: i.value }]));
  while (!opts.signal.aborted) {
    await sleep(opts.intervalMs, opts.signal);
    if (opts.signal.aborted) break;
    res = await read();
    const next = new Map(res.items.map((i) => [i.key, { json: JSON.stringify(i.value), value: i.value }]));
    const changed = res.items
      .filter((i) => seen.get(i.key)?.json !== next.get(i.key)!.json)
      .map((i) => i.value);
    const deleted = [...seen].filter(([k]) => !next.has(k)).map(([, v]) => v.value);
    if (changed.length + deleted.length > 0) print.changed(res, [...changed, ...deleted]);
    seen = next;
  }
}

/** An AbortSignal that fires on the first SIGINT, and a function to stop listening. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once('SIGINT', onInt);
  return { signal: ctl.signal, dispose: () => process.off('SIGINT', onInt) };
}

// `skiff get -w`: the first answer whole, then only what changed (added, changed, deleted),
// until the signal (SIGINT in the CLI) stops it.
import { describe, expect, it } from 'vitest';
import { watchResources } from '../../../src/cli/commands/get-watch.js';
import type { GetResources } from '../../../src/cli/views/get-resources.js';

const answer = (items: Record<string, string>): GetResources => ({
  items: Object.entries(items).map(([key, value]) => ({ key, value: { key, value } })),
  table: () => '',
  kube: () => [],
});

describe('watchResources', () => {
  it('prints the first listing, then each poll only the objects added, changed or deleted', async () => {
    const polls: Record<string, string>[] = [
      { a: 'Pending', b: 'Running' },
      { a: 'Pending', b: 'Running' },
      { a: 'Running', b: 'Running', c: 'Pending' },
      { a: 'Running', c: 'Pending' },
    ];
    const ctl = new AbortController();
    let n = 0;
    const printed: string[] = [];
    const show = (vs: unknown[]) =>
      vs.map((v) => `${(v as { key: string }).key}=${(v as { value: string }).value}`);
    await watchResources(
      async () => {
        const res = answer(polls[n]!);
        if (++n === polls.length) ctl.abort();
        return res;
      },
      {
        first: (res) => printed.push(`first ${show(res.items.map((i) => i.value)).join(' ')}`),
        changed: (_res, vs) => printed.push(`changed ${show(vs).join(' ')}`),
      },
      { intervalMs: 0, signal: ctl.signal },
    );
    expect(printed).toEqual([
      'first a=Pending b=Running',
      'changed a=Running c=Pending',
      'changed b=Running',
    ]);
  });

  it('stops at once when the signal has fired', async () => {
    const ctl = new AbortController();
    ctl.abort();
    let reads = 0;
    await watchResources(
      async () => {
        reads++;
        return answer({});
      },
      { first: () => {}, changed: () => {} },
      { intervalMs: 60_000, signal: ctl.signal },
    );
    expect(reads).toBe(1);
  });
});

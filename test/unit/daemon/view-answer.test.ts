// The view's answer is serialized once per view and scrubber generation, and always carries the
// lease as of the request, scrubbed like every answer.
import { describe, expect, it } from 'vitest';
import { PreparedJson } from '../../../src/daemon/api-answer.js';
import { ViewAnswerCache } from '../../../src/daemon/view-answer.js';
import type { ClusterView, LeaseView } from '../../../src/model/views.js';

const view = (name: string): ClusterView =>
  ({
    at: 1,
    apps: [],
    hosts: [],
    pods: [{ name, message: 'password is hunter2-secret' }],
    deployments: [],
    configs: [],
    services: [],
    endpoints: [],
    lease: { role: 'acting', message: 'old lease' },
  }) as unknown as ClusterView;

function scrubber() {
  const s = {
    generation: 0,
    calls: 0,
    text(t: string) {
      s.calls++;
      return t.replaceAll('hunter2-secret', '***');
    },
  };
  return s;
}

const lease = (message: string) => ({ role: 'acting', message }) as unknown as LeaseView;
const text = (a: { body: unknown }) => (a.body as PreparedJson).text;

describe('ViewAnswerCache', () => {
  it('answers the view with the lease of the request, scrubbed', () => {
    const cache = new ViewAnswerCache();
    const a = cache.answer(view('p1'), lease('now'), scrubber());
    expect(a.body).toBeInstanceOf(PreparedJson);
    const parsed = JSON.parse(text(a));
    expect(parsed.pods[0]).toEqual({ name: 'p1', message: 'password is ***' });
    expect(parsed.lease).toEqual({ role: 'acting', message: 'now' });
    expect(text(a)).not.toContain('hunter2');
  });

  it('serializes a view once; a new view or a new scrubber generation serializes again', () => {
    const cache = new ViewAnswerCache();
    const s = scrubber();
    const v1 = view('p1');
    cache.answer(v1, lease('a'), s);
    const after1 = s.calls;
    const again = cache.answer(v1, lease('b'), s);
    // Only the lease was scrubbed the second time.
    expect(s.calls - after1).toBe(1);
    expect(JSON.parse(text(again)).lease.message).toBe('b');
    s.generation++;
    cache.answer(v1, lease('b'), s);
    expect(s.calls - after1).toBe(3);
    const other = cache.answer(view('p2'), lease('c'), s);
    expect(JSON.parse(text(other)).pods[0].name).toBe('p2');
  });

  it('an empty view still gives valid JSON', () => {
    const a = new ViewAnswerCache().answer({} as ClusterView, lease('x'), scrubber());
    expect(JSON.parse(text(a))).toEqual({ lease: { role: 'acting', message: 'x' } });
  });
});

// Observed pods of one template share one parsed, frozen spec (and label set): the daemon holds
// one copy per distinct spec label, not one per pod (issue 15, daemon memory).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../../src/model/labels.js';
import { type ContainerSummary, decodePods } from '../../../src/runtime/decode-pods.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { planPod } from '../../../src/runtime/pod-spec.js';
import { deepFreeze, SpecInterner } from '../../../src/runtime/spec-interner.js';
import { fakeHosts } from '../daemon/fixtures.js';
import { sleeperPod } from './runtime-contract.js';

/** Docker's list for one pod planned from `pod` (infra and app containers). */
function listedPod(name: string, image: string, first: number): ContainerSummary[] {
  const pod = { ...sleeperPod('web', { image }), name };
  const plan = planPod(pod, { dataDir: '/var/lib/skiff', pauseImage: 'pause', createdAt: 1_700_000_000_000 });
  return [plan.infra, ...plan.containers].map((b, i) => ({
    Id: `id-${first + i}`,
    Names: [`/${b.name}`],
    Image: b.Image,
    Created: 1_700_000_000,
    State: 'running',
    Status: 'Up',
    Labels: b.Labels,
  }));
}

setFlagsFromString('--expose-gc');

describe('SpecInterner', () => {
  it.each([
    ['the same text', '{"a":[1,{"b":2}]}', '{"a":[1,{"b":2}]}', true],
    ['different text', '{"a":1}', '{"a":2}', false],
  ])('%s: shared is %s', (_what, x, y, shared) => {
    const specs = new SpecInterner();
    expect(specs.intern(x) === specs.intern(y)).toBe(shared);
  });

  it('freezes what it shares, deeply', () => {
    const spec = new SpecInterner().intern<{ a: { b: number[] } }>('{"a":{"b":[1]}}')!;
    expect(Object.isFrozen(spec) && Object.isFrozen(spec.a) && Object.isFrozen(spec.a.b)).toBe(true);
    expect(() => {
      spec.a.b.push(2);
    }).toThrow(TypeError);
    expect(deepFreeze(null)).toBeNull();
  });

  it('keeps the specs, not the label texts they were parsed from', () => {
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const specs = new SpecInterner();
    // 100 labels of 100 KB (JSON allows the padding) that parse to tiny specs.
    const kept = Array.from({ length: 100 }, (_, i) => specs.intern(`{"spec":${i}}${' '.repeat(100_000)}`));
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2 << 20);
    expect(specs.intern(`{"spec":7}${' '.repeat(100_000)}`)).toBe(kept[7]);
  });

  it('answers undefined for a malformed label', () => {
    expect(new SpecInterner().intern('{not json')).toBeUndefined();
  });

  it('keeps the specs of the last observation only: a sweep forgets the ones not seen since', () => {
    const specs = new SpecInterner();
    const kept = specs.intern('{"kept":1}');
    specs.intern('{"gone":1}');
    specs.sweep();
    expect(specs.intern('{"kept":1}')).toBe(kept);
    specs.sweep();
    expect(specs.size).toBe(1);
    specs.sweep();
    expect(specs.size).toBe(0);
  });
});

describe('decodePods shares specs', () => {
  it('gives pods of one template one spec object, across hosts through one interner', () => {
    const specs = new SpecInterner();
    const h1 = decodePods(
      'h1',
      [...listedPod('web-a', 'web:1', 0), ...listedPod('web-b', 'web:1', 10)],
      undefined,
      specs,
    );
    const h2 = decodePods(
      'h2',
      [...listedPod('web-c', 'web:1', 20), ...listedPod('web-d', 'web:2', 30)],
      undefined,
      specs,
    );
    const [a, b, c, d] = [...h1, ...h2];
    expect(a!.spec).toBe(b!.spec);
    expect(a!.spec).toBe(c!.spec);
    expect(a!.labels).toBe(c!.labels);
    expect(d!.spec).not.toBe(a!.spec);
    expect(d!.spec?.containers[0]?.image).toBe('web:2');
    expect(Object.isFrozen(a!.spec)).toBe(true);
  });

  it('still decodes a pod whose spec label is malformed (no spec), as before', () => {
    const list = listedPod('web-a', 'web:1', 0).map((c) =>
      c.Labels[LABELS.podSpec] ? { ...c, Labels: { ...c.Labels, [LABELS.podSpec]: '{oops' } } : c,
    );
    const [pod] = decodePods('h1', list);
    expect(pod?.name).toBe('web-a');
    expect(pod?.spec).toBeUndefined();
  });
});

describe('FakeRuntime observes as DockerRuntime decodes', () => {
  it('shares one frozen spec between the pods of a template, and between observations', async () => {
    const rt = new FakeRuntime(fakeHosts(2));
    const web = sleeperPod('web', { image: 'web:1' });
    await rt.createPod('h1', { ...web, name: 'web-a' });
    await rt.createPod('h2', { ...web, name: 'web-b' });
    const [a, b] = (await rt.observe()).pods;
    const [again] = (await rt.observe()).pods;
    expect(a!.spec).toBe(b!.spec);
    expect(again!.spec).toBe(a!.spec);
    expect(Object.isFrozen(a!.spec)).toBe(true);
    // An unchanged pod is the same frozen copy (an idle pass decodes nothing); a changed one a new one.
    expect(again).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    rt.setContainerState(
      { host: 'h1', namespace: a!.namespace, name: 'web-a' },
      a!.containers[0]!.name,
      'exited',
      1,
    );
    const [changed] = (await rt.observe()).pods;
    expect(changed).not.toBe(a);
    expect(changed!.containers[0]).toMatchObject({ state: 'exited', exitCode: 1 });
    expect(changed!.spec).toBe(a!.spec);
    rt.forgetHandedOut();
    const [copied] = (await rt.observe()).pods;
    expect(copied).not.toBe(changed);
    expect(copied).toEqual(changed);
  });
});

// With a per-host cache, a pod that decodes to what it was last time is the same frozen object
// as last time (what the core memoizes per pod holds); any change of what Docker can change on
// a container (state, name, inspect, IP, ports, a new container) decodes it again, exactly as
// without the cache (issue 15, daemon memory).
import { describe, expect, it } from 'vitest';
import { LABELS, markedForDeletion } from '../../../src/model/labels.js';
import {
  type ContainerDetails,
  type ContainerSummary,
  type DecodedPodCache,
  decodePods,
} from '../../../src/runtime/decode-pods.js';
import { planPod } from '../../../src/runtime/pod-spec.js';
import { SpecInterner } from '../../../src/runtime/spec-interner.js';
import { sleeperPod } from './runtime-contract.js';

function listed(): ContainerSummary[] {
  const pod = { ...sleeperPod('web', { image: 'web:1' }), name: 'web-a' };
  const plan = planPod(pod, { dataDir: '/var/lib/skiff', pauseImage: 'pause', createdAt: 1_700_000_000_000 });
  return [plan.infra, ...plan.containers].map((b, i) => ({
    Id: `id-${i}`,
    Names: [`/${b.name}`],
    Image: b.Image,
    Created: 1_700_000_000,
    State: 'running',
    Status: 'Up 3 minutes',
    Labels: b.Labels,
    Ports: i === 0 ? [{ PrivatePort: 80, PublicPort: 32768, Type: 'tcp' }] : [],
    NetworkSettings: i === 0 ? { Networks: { bridge: { IPAddress: '172.30.1.2' } } } : {},
  }));
}

const started: ContainerDetails = { exitCode: 0, startedAt: 1_700_000_001_000 };
type Change = (list: ContainerSummary[], details: Map<string, ContainerDetails>) => void;

describe('decodePods with a cache', () => {
  it('hands an unchanged pod back as the same frozen object, its spec still interned', () => {
    const specs = new SpecInterner();
    const cache: DecodedPodCache = new Map();
    const details = new Map([['id-1', started]]);
    const [a] = decodePods('h1', listed(), details, specs, cache);
    specs.sweep();
    const [b] = decodePods('h1', listed(), details, specs, cache);
    specs.sweep();
    specs.sweep(); // still interned: the reuse asked for it
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(specs.size).toBe(0);
    const [c] = decodePods('h1', listed(), details, specs, cache);
    expect(c).toBe(a);
    expect(specs.size).toBe(2); // the spec and the label set
  });

  it.each<[string, Change]>([
    ['the state', (l) => Object.assign(l[1]!, { State: 'exited', Status: 'Exited (1) 2 seconds ago' })],
    ['the exit status only', (l) => Object.assign(l[1]!, { State: 'exited', Status: 'Exited (2) now' })],
    ['the inspect', (_, d) => d.set('id-1', { exitCode: 0, startedAt: 1_700_000_009_000 })],
    [
      'the name (deletion mark)',
      (l) => l[0]!.Names.splice(0, 1, `/${markedForDeletion(l[0]!.Names[0]!.slice(1), 1_700_000_100_000)}`),
    ],
    [
      'the IP',
      (l) => Object.assign(l[0]!, { NetworkSettings: { Networks: { bridge: { IPAddress: '172.30.1.9' } } } }),
    ],
    [
      'a published port',
      (l) => Object.assign(l[0]!, { Ports: [{ PrivatePort: 80, PublicPort: 32769, Type: 'tcp' }] }),
    ],
    [
      'a restarted container',
      (l) =>
        l.push({
          ...l[1]!,
          Id: 'id-9',
          Labels: { ...l[1]!.Labels, [LABELS.restartCount]: '1' },
        }),
    ],
    ['a container gone', (l) => l.splice(1, 1)],
  ])('decodes the pod again when %s changed, as without the cache', (_, change) => {
    const cache: DecodedPodCache = new Map();
    const specs = new SpecInterner();
    const [before] = decodePods('h1', listed(), new Map([['id-1', started]]), specs, cache);
    const list = listed();
    const details = new Map([['id-1', started]]);
    change(list, details);
    const [after] = decodePods('h1', list, details, specs, cache);
    expect(after).not.toBe(before);
    expect([after]).toEqual(decodePods('h1', list, details));
  });

  it('keeps the same object when what changed does not change the pod (an old restart removed)', () => {
    const cache: DecodedPodCache = new Map();
    const specs = new SpecInterner();
    const restarted = () => {
      const l = listed();
      l.push({ ...l[1]!, Id: 'id-9', Labels: { ...l[1]!.Labels, [LABELS.restartCount]: '1' } });
      return l;
    };
    const [before] = decodePods('h1', restarted(), new Map(), specs, cache);
    const pruned = restarted().filter((c) => c.Id !== 'id-1');
    const [after] = decodePods('h1', pruned, new Map(), specs, cache);
    expect(after).toBe(before);
    expect(after?.containers[0]).toMatchObject({ id: 'id-9', restartCount: 1 });
  });

  it('forgets pods that are gone', () => {
    const cache: DecodedPodCache = new Map();
    decodePods('h1', listed(), new Map(), undefined, cache);
    expect(cache.size).toBe(1);
    expect(decodePods('h1', [], new Map(), undefined, cache)).toEqual([]);
    expect(cache.size).toBe(0);
  });
});

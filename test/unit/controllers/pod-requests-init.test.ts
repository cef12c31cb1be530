// Pod requests with init containers and sidecars: upstream's PodRequests (KEP-753's formula):
// max(app containers + sidecars, the init phase's peak), per resource.
import { describe, expect, it } from 'vitest';
import { podNonZeroRequests, podRequests } from '../../../src/controllers/pod-requests.js';
import type { Container, PodSpec } from '../../../src/model/k8s.js';

const c = (name: string, cpu: string, memory: string, sidecar = false): Container => ({
  name,
  image: 'x',
  imagePullPolicy: 'IfNotPresent',
  env: [],
  envFrom: [],
  ports: [],
  resources: { requests: { cpu, memory }, limits: {} },
  volumeMounts: [],
  ...(sidecar ? { restartPolicy: 'Always' as const } : {}),
});
const spec = (init: Container[], containers: Container[]): PodSpec => ({
  initContainers: init,
  containers,
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  nodeSelector: {},
  tolerations: [],
  volumes: [],
});
const Mi = 1024 * 1024;

describe('podRequests with init containers', () => {
  it.each([
    ['no init containers: the sum', [], [c('a', '100m', '10Mi'), c('b', '200m', '20Mi')], 300, 30],
    ['a larger init container wins', [c('i', '1', '5Mi')], [c('a', '100m', '10Mi')], 1000, 10],
    [
      'the largest of several init containers',
      [c('i', '300m', '1Mi'), c('j', '500m', '2Mi')],
      [c('a', '100m', '1Mi')],
      500,
      2,
    ],
    [
      'app containers larger than every init container',
      [c('i', '50m', '1Mi')],
      [c('a', '100m', '10Mi')],
      100,
      10,
    ],
    // KEP-753: a sidecar runs beside everything after it: app sum 100 + sidecar 200 = 300; the
    // init container after it peaks at 250 + 200 = 450.
    [
      'a sidecar adds to the apps and to later init containers',
      [c('s', '200m', '10Mi', true), c('i', '250m', '5Mi')],
      [c('a', '100m', '10Mi')],
      450,
      20,
    ],
    // An init container before the sidecar does not run beside it.
    [
      'an init container before a sidecar',
      [c('i', '250m', '5Mi'), c('s', '200m', '10Mi', true)],
      [c('a', '100m', '10Mi')],
      300,
      20,
    ],
  ])('%s', (_name, init, containers, cpuMilli, memoryMi) => {
    expect(podRequests(spec(init, containers))).toEqual({ cpuMilli, memoryBytes: memoryMi * Mi });
  });

  it('scores with the non-zero defaults through the same formula', () => {
    const bare = { ...c('i', '0', '0'), resources: { requests: {}, limits: {} } };
    expect(podNonZeroRequests(spec([bare], [c('a', '50m', '1Mi')]))).toEqual({
      cpuMilli: 100,
      memoryBytes: 200 * Mi,
    });
  });
});

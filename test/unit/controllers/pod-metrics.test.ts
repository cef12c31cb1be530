// Pod metrics from container stats, requests from pod specs, utilization as upstream rounds it.
import { describe, expect, it } from 'vitest';
import {
  type ContainerStatsSample,
  podMetricsFromStats,
  podResourceRequests,
  podUtilization,
} from '../../../src/controllers/pod-metrics.js';
import type { Container } from '../../../src/model/k8s.js';

const T = 1_700_000_000_000;
const stat = (
  pod: string,
  container: string,
  cpuMilli: number,
  memoryBytes: number,
  at = T,
): ContainerStatsSample => ({
  namespace: 'default',
  pod,
  container,
  cpuMilli,
  memoryBytes,
  at,
});

function container(
  name: string,
  requests: Record<string, string>,
  limits: Record<string, string> = {},
): Container {
  return {
    name,
    image: 'nginx',
    imagePullPolicy: 'IfNotPresent',
    env: [],
    envFrom: [],
    ports: [],
    resources: { requests, limits },
    volumeMounts: [],
  };
}

describe('podMetricsFromStats', () => {
  it('sums containers per pod, oldest sample time, one window', () => {
    const out = podMetricsFromStats(
      [stat('a', 'app', 120, 1000, T), stat('a', 'sidecar', 30.5, 500, T - 2000), stat('b', 'app', 10, 10)],
      {
        windowMs: 15_000,
      },
    );
    expect(out).toEqual([
      {
        namespace: 'default',
        pod: 'a',
        cpuMilli: 150.5,
        memoryBytes: 1500,
        timestamp: T - 2000,
        windowMs: 15_000,
        containers: 2,
      },
      {
        namespace: 'default',
        pod: 'b',
        cpuMilli: 10,
        memoryBytes: 10,
        timestamp: T,
        windowMs: 15_000,
        containers: 1,
      },
    ]);
  });

  it('keeps pods apart by namespace and counts a container once', () => {
    const other = { ...stat('a', 'app', 5, 5), namespace: 'prod' };
    const out = podMetricsFromStats([stat('a', 'app', 1, 1), stat('a', 'app', 99, 99), other], {
      windowMs: 15_000,
    });
    expect(out.map((s) => [s.namespace, s.pod, s.cpuMilli])).toEqual([
      ['default', 'a', 1],
      ['prod', 'a', 5],
    ]);
  });

  it('drops a pod whose expected containers are not all sampled, as metrics-server does', () => {
    const expected = new Map([
      ['default/a', ['app', 'sidecar']],
      ['default/b', ['app']],
    ]);
    const out = podMetricsFromStats([stat('a', 'app', 1, 1), stat('b', 'app', 2, 2)], {
      windowMs: 15_000,
      expectedContainers: expected,
    });
    expect(out.map((s) => s.pod)).toEqual(['b']);
  });
});

describe('podUtilization', () => {
  it.each([
    [250, 1000, 25],
    [333, 1000, 33],
    [999, 1000, 99],
    [1500, 1000, 150],
    [1, 3, 33],
  ])('%d of %d -> %d%%', (usage, request, out) => {
    expect(podUtilization(usage, request)).toBe(out);
  });
  it('is undefined without a request', () => {
    expect(podUtilization(100, undefined)).toBeUndefined();
    expect(podUtilization(100, 0)).toBeUndefined();
  });
});

describe('podResourceRequests', () => {
  it('sums container requests, defaulting a request to the limit', () => {
    const r = podResourceRequests({
      containers: [
        container('app', { cpu: '250m', memory: '64Mi' }),
        container('side', {}, { cpu: '0.5', memory: '1Gi' }),
      ],
    });
    expect(r).toEqual({ cpuMilli: 750, memoryBytes: 64 * 1024 * 1024 + 1024 * 1024 * 1024 });
  });
  it('leaves a resource undefined when a container has neither request nor limit', () => {
    const r = podResourceRequests({
      containers: [container('app', { cpu: '250m', memory: '64Mi' }), container('side', { memory: '1Mi' })],
    });
    expect(r).toEqual({ cpuMilli: undefined, memoryBytes: 65 * 1024 * 1024 });
  });
});

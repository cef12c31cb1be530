import { describe, expect, it } from 'vitest';
import { renderConfigMaps, renderSecrets } from '../../../src/cli/views/configs.js';
import { renderDeployments } from '../../../src/cli/views/deployments.js';
import { renderEvents } from '../../../src/cli/views/events.js';
import { formatRestarts, renderPods } from '../../../src/cli/views/pods.js';
import type { ConfigView } from '../../../src/model/views.js';
import { deploymentView, events, h, m, NOW, pods, podView } from './fixtures.js';

describe('renderPods', () => {
  it('prints kubectl columns, sorted by name', () => {
    expect(renderPods(pods, { now: NOW })).toBe(
      [
        'NAME                  READY   STATUS             RESTARTS      AGE',
        'web-7d9c5b6f4-abcde   0/1     CrashLoopBackOff   4 (42s ago)   5m3s',
        'web-7d9c5b6f4-x2x9k   1/1     Running            0             5m3s',
        'web-7d9c5b6f4-zzzzz   0/1     Pending            0             123m',
        '',
      ].join('\n'),
    );
  });

  it('wide adds IP, node, revision, failing conditions and the last probe failure', () => {
    const lines = renderPods(pods, { now: NOW, wide: true }).split('\n');
    expect(lines[0]).toBe(
      'NAME                  READY   STATUS             RESTARTS      AGE    IP           NODE     REVISION    CONDITIONS                          LAST PROBE FAILURE',
    );
    expect(lines[1]).toBe(
      'web-7d9c5b6f4-abcde   0/1     CrashLoopBackOff   4 (42s ago)   5m3s   172.18.0.3   h2       7d9c5b6f4   ContainersReady=False,Ready=False   readiness 12s ago: HTTP probe failed with statuscode: 503',
    );
    expect(lines[2]).toMatch(/^web-7d9c5b6f4-x2x9k .* h1 +7d9c5b6f4 +<none> +<none>$/);
    expect(lines[3]).toMatch(/ <none> +<none> +7d9c5b6f4 +PodScheduled=False +<none>$/);
  });

  it('names the container of a probe failure when the pod has several', () => {
    const pod = podView('p', {
      containers: [
        { name: 'a', image: 'x', state: 'running', restartCount: 0, ready: true },
        {
          name: 'b',
          image: 'y',
          state: 'running',
          restartCount: 0,
          ready: false,
          lastProbeFailure: { at: NOW - 3000, probe: 'liveness', message: 'timeout' },
        },
      ],
    });
    expect(renderPods([pod], { now: NOW, wide: true })).toContain('b liveness 3s ago: timeout');
  });

  it('adds a NAMESPACE column with allNamespaces', () => {
    const out = renderPods([podView('a', { namespace: 'prod' }), podView('b')], {
      now: NOW,
      allNamespaces: true,
    });
    expect(out.split('\n').map((l) => l.split(/ {3,}/)[0])).toEqual(['NAMESPACE', 'default', 'prod', '']);
  });

  it.each([
    [podView('p'), '0'],
    [
      podView('p', {
        restarts: 2,
        containers: [
          { name: 'w', image: 'x', state: 'running', restartCount: 2, ready: true, startedAt: NOW - 3 * m },
        ],
      }),
      '2 (3m ago)',
    ],
    [
      podView('p', {
        restarts: 2,
        containers: [{ name: 'w', image: 'x', state: 'waiting', restartCount: 2, ready: false }],
      }),
      '2',
    ],
  ])('RESTARTS %#', (pod, out) => {
    expect(formatRestarts(pod, NOW)).toBe(out);
  });

  it('says when there is nothing', () => {
    expect(renderPods([], { now: NOW })).toBe('No resources found.\n');
  });
});

describe('renderDeployments', () => {
  it('prints kubectl columns', () => {
    expect(renderDeployments([deploymentView], { now: NOW })).toBe(
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    1/3     3            1           3d4h\n',
    );
  });

  it('wide adds containers (from the view or a current pod), images and selector', () => {
    const out = renderDeployments(
      [
        deploymentView,
        {
          ...deploymentView,
          name: 'api',
          containers: ['api', 'sidecar'],
          images: ['api:1', 'envoy:1'],
          selector: 'app=api',
        },
      ],
      { now: NOW, wide: true, pods },
    );
    expect(out.split('\n')).toEqual([
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS    IMAGES          SELECTOR',
      'api    1/3     3            1           3d4h   api,sidecar   api:1,envoy:1   app=api',
      'web    1/3     3            1           3d4h   web           my-app:1.0.0    <none>',
      '',
    ]);
  });

  it('shows who owns replicas when an HPA does', () => {
    const out = renderDeployments(
      [deploymentView, { ...deploymentView, name: 'api', replicasOwnedBy: 'hpa/api-hpa' }],
      {
        now: NOW,
      },
    );
    expect(out.split('\n')).toEqual([
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE    SCALED-BY',
      'api    1/3     3            1           3d4h   hpa/api-hpa',
      'web    1/3     3            1           3d4h   <none>',
      '',
    ]);
  });
});

describe('configmaps and secrets', () => {
  const configs: ConfigView[] = [
    {
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'app-config',
      app: 'demo',
      keys: ['DATABASE_HOST', 'LOG_LEVEL'],
      createdAt: NOW - 2 * h,
    },
    {
      kind: 'Secret',
      namespace: 'default',
      name: 'app-secrets',
      app: 'demo',
      type: 'Opaque',
      keys: ['DATABASE_PASSWORD'],
    },
  ];

  it('renderConfigMaps: NAME DATA AGE', () => {
    expect(renderConfigMaps(configs, { now: NOW })).toBe(
      'NAME         DATA   AGE\napp-config   2      120m\n',
    );
  });

  it('renderSecrets: NAME TYPE DATA AGE, unknown age as kubectl', () => {
    expect(renderSecrets(configs, { now: NOW })).toBe(
      'NAME          TYPE     DATA   AGE\napp-secrets   Opaque   1      <unknown>\n',
    );
  });
});

describe('renderEvents', () => {
  it('LAST SEEN TYPE REASON OBJECT MESSAGE, oldest first', () => {
    expect(renderEvents(events, { now: NOW }).split('\n')).toEqual([
      'LAST SEEN   TYPE      REASON             OBJECT                    MESSAGE',
      '120m        Warning   FailedScheduling   pod/web-7d9c5b6f4-zzzzz   0/3 hosts are available: 3 Insufficient cpu.',
      '5m          Normal    ScalingUp          deployment/web            Scaled up to 3',
      '10s         Warning   BackOff            pod/web-7d9c5b6f4-abcde   Back-off restarting failed container web',
      '',
    ]);
  });

  it('wide adds FIRST SEEN and COUNT', () => {
    const lines = renderEvents(events, { now: NOW, wide: true }).split('\n');
    expect(lines[0]).toMatch(/MESSAGE +FIRST SEEN +COUNT$/);
    expect(lines[3]).toMatch(/Back-off restarting failed container web +3m +5$/);
  });
});

// `skiff rollout status` speaks kubectl's words (rollout_status.go DeploymentStatusViewer).
import { describe, expect, it } from 'vitest';
import { rolloutStatus } from '../../../src/cli/rollout-status.js';
import type { AppStatus, ClusterView, DeploymentView, PodView } from '../../../src/model/views.js';

const NEW = 'newhash';
const OLD = 'oldhash';

function dep(over: Partial<DeploymentView> = {}): DeploymentView {
  return {
    namespace: 'default',
    name: 'web',
    app: 'demo',
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    templateHash: NEW,
    images: ['web:2'],
    phase: 'Complete',
    conditions: [],
    ...over,
  };
}

function pod(i: number, hash: string, over: Partial<PodView> = {}): PodView {
  return {
    namespace: 'default',
    name: `web-${hash}-${i}`,
    app: 'demo',
    owner: { kind: 'Deployment', name: 'web' },
    host: `h${(i % 3) + 1}`,
    phase: 'Running',
    status: 'Running',
    ready: { ready: 1, total: 1 },
    restarts: 0,
    templateHash: hash,
    commit: 'c2',
    labels: {},
    conditions: [],
    containers: [],
    ...over,
  };
}

function app(over: Partial<AppStatus> = {}): AppStatus {
  return {
    name: 'demo',
    repoURL: 'http://git/app.git',
    revision: 'main',
    path: '.',
    liveCommit: 'c2c2c2c2c2',
    headCommit: 'c2c2c2c2c2',
    sync: 'Synced',
    health: 'Healthy',
    conditions: [],
    quarantined: [],
    ...over,
  };
}

function view(d: DeploymentView | undefined, pods: PodView[], a: AppStatus = app()): ClusterView {
  return {
    at: 0,
    apps: [a],
    hosts: [],
    pods,
    deployments: d ? [d] : [],
    configs: [],
    services: [],
    endpoints: [],
  };
}

const newPods = (n: number) => Array.from({ length: n }, (_, i) => pod(i, NEW));
const oldPods = (n: number) => Array.from({ length: n }, (_, i) => pod(i + 10, OLD));

describe('rolloutStatus', () => {
  it.each([
    [
      'new replicas still being created',
      dep({ updatedReplicas: 1, phase: 'Progressing' }),
      [...newPods(1), ...oldPods(3)],
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    ],
    [
      'old pods still running',
      dep({ phase: 'Progressing' }),
      [...newPods(3), ...oldPods(1)],
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    ],
    [
      'new pods not all available',
      dep({ availableReplicas: 1, phase: 'Progressing' }),
      newPods(3),
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
    ],
    ['complete', dep(), newPods(3), 'deployment "web" successfully rolled out'],
  ])('%s', (_what, d, pods, message) => {
    const s = rolloutStatus(view(d, pods), { namespace: 'default', name: 'web' });
    expect(s.message).toBe(message);
    expect(s.state).toBe(message.startsWith('Waiting') ? 'waiting' : 'done');
  });

  it('does not count terminating or pending pods as old replicas', () => {
    const pods = [
      ...newPods(3),
      pod(20, OLD, { status: 'Terminating' }),
      pod(21, NEW, { host: undefined, phase: 'Pending', status: 'Pending' }),
    ];
    expect(rolloutStatus(view(dep(), pods), { namespace: 'default', name: 'web' }).state).toBe('done');
  });

  it('fails with the Progressing condition and the failure explanation after the deadline', () => {
    const d = dep({
      phase: 'Failed',
      updatedReplicas: 1,
      availableReplicas: 3,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-newhash" has timed out progressing.',
        },
      ],
      failure: { reason: 'ReadinessNeverPassed', message: '1 of 1 new pod(s): readiness probe: HTTP 503' },
    });
    const s = rolloutStatus(view(d, [...newPods(1), ...oldPods(3)]), { namespace: 'default', name: 'web' });
    expect(s).toEqual({
      state: 'failed',
      message: 'deployment "web" exceeded its progress deadline',
      reason:
        'ProgressDeadlineExceeded: ReplicaSet "web-newhash" has timed out progressing.; ReadinessNeverPassed: 1 of 1 new pod(s): readiness probe: HTTP 503',
    });
  });

  it('fails when the head commit was quarantined and the last good commit restored', () => {
    const a = app({
      liveCommit: 'c2c2c2c2c2',
      headCommit: 'c3c3c3c3c3',
      quarantined: [{ commit: 'c3c3c3c3c3', reason: 'deployment/web: ReadinessNeverPassed', at: 1 }],
    });
    const s = rolloutStatus(view(dep(), newPods(3), a), { namespace: 'default', name: 'web' });
    expect(s.state).toBe('failed');
    expect(s.reason).toBe(
      'commit c3c3c3c quarantined, c2c2c2c restored: deployment/web: ReadinessNeverPassed',
    );
  });

  it.each([
    ['a head the daemon has not admitted yet', app({ headCommit: 'c3' }), 'waiting'],
    [
      'a rejected head (nothing of it applies)',
      app({ headCommit: 'c3', rejected: { commit: 'c3', diagnostics: [] } }),
      'done',
    ],
  ])('judges %s', (_what, a, state) => {
    const s = rolloutStatus(view(dep(), newPods(3), a), { namespace: 'default', name: 'web' });
    expect(s.state).toBe(state);
    if (state === 'waiting') expect(s.message).toBe('Waiting for deployment spec update to be observed...');
  });

  it.each([
    // Admitted, but the view is from the pass before the admission: it judged the old template.
    ['a view computed from the previous commit', dep({ commit: 'c2' }), 'waiting'],
    ['a view computed from the admitted commit', dep({ commit: 'c3' }), 'done'],
    ['a view that does not say its commit', dep(), 'done'],
  ])('judges %s', (_what, d, state) => {
    const a = app({ liveCommit: 'c3', headCommit: 'c3' });
    const s = rolloutStatus(view(d, newPods(3), a), { namespace: 'default', name: 'web' });
    expect(s.state).toBe(state);
    if (state === 'waiting') expect(s.message).toBe('Waiting for deployment spec update to be observed...');
  });

  it('reports a missing Deployment as kubectl does', () => {
    expect(rolloutStatus(view(undefined, []), { namespace: 'default', name: 'web' })).toEqual({
      state: 'missing',
      message: 'deployments "web" not found',
    });
  });
});

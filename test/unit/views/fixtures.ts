// Read-model values for view tests: a 3-replica Deployment mid-incident (one pod crash
// looping, one Pending), as the reconcile pass would report it.
import type {
  Condition,
  ContainerView,
  DeploymentView,
  EventView,
  PodView,
} from '../../../src/model/views.js';

export const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
export const s = 1000;
export const m = 60 * s;
export const h = 60 * m;

const cond = (type: string, ok: boolean, reason = ''): Condition => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message: '',
});

export function podConditions(ready: boolean, scheduled = true): Condition[] {
  return [
    cond('PodScheduled', scheduled, scheduled ? '' : 'Unschedulable'),
    cond('Initialized', true),
    cond('ContainersReady', ready, ready ? '' : 'ContainersNotReady'),
    cond('Ready', ready, ready ? '' : 'ContainersNotReady'),
  ];
}

export function containerView(over: Partial<ContainerView> = {}): ContainerView {
  return {
    name: 'web',
    image: 'my-app:1.0.0',
    state: 'running',
    startedAt: NOW - 5 * m,
    restartCount: 0,
    ready: true,
    ...over,
  };
}

export function podView(name: string, over: Partial<PodView> = {}): PodView {
  return {
    namespace: 'default',
    name,
    app: 'demo',
    owner: { kind: 'Deployment', name: 'web' },
    host: 'h1',
    ip: '172.18.0.2',
    phase: 'Running',
    status: 'Running',
    ready: { ready: 1, total: 1 },
    restarts: 0,
    createdAt: NOW - 5 * m - 3 * s,
    templateHash: '7d9c5b6f4',
    commit: 'a1b2c3d4e5f60718293a',
    labels: { app: 'web', 'pod-template-hash': '7d9c5b6f4' },
    conditions: podConditions(true),
    containers: [containerView()],
    ...over,
  };
}

export const pods: PodView[] = [
  podView('web-7d9c5b6f4-x2x9k'),
  podView('web-7d9c5b6f4-abcde', {
    host: 'h2',
    ip: '172.18.0.3',
    status: 'CrashLoopBackOff',
    ready: { ready: 0, total: 1 },
    restarts: 4,
    conditions: podConditions(false),
    containers: [
      containerView({
        state: 'waiting',
        reason: 'CrashLoopBackOff',
        exitCode: 1,
        restartCount: 4,
        ready: false,
        startedAt: NOW - 42 * s,
        lastProbeFailure: {
          at: NOW - 12 * s,
          probe: 'readiness',
          message: 'HTTP probe failed with statuscode: 503',
        },
      }),
    ],
  }),
  podView('web-7d9c5b6f4-zzzzz', {
    host: undefined,
    ip: undefined,
    phase: 'Pending',
    status: 'Pending',
    ready: { ready: 0, total: 1 },
    createdAt: NOW - 2 * h - 3 * m,
    conditions: [cond('PodScheduled', false, 'Unschedulable')],
    containers: [
      containerView({ state: 'waiting', reason: 'ContainerCreating', ready: false, startedAt: undefined }),
    ],
    pendingReason: '0/3 hosts are available: 3 Insufficient cpu.',
  }),
];

export const deploymentView: DeploymentView = {
  namespace: 'default',
  name: 'web',
  app: 'demo',
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 1,
  availableReplicas: 1,
  templateHash: '7d9c5b6f4',
  images: ['my-app:1.0.0'],
  phase: 'Progressing',
  conditions: [
    { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: '' },
    { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: '' },
  ],
  createdAt: NOW - 3 * 24 * h - 4 * h,
};

export const events: EventView[] = [
  {
    type: 'Warning',
    reason: 'BackOff',
    object: 'pod/web-7d9c5b6f4-abcde',
    namespace: 'default',
    message: 'Back-off restarting failed container web',
    count: 5,
    firstTimestamp: NOW - 3 * m,
    lastTimestamp: NOW - 10 * s,
  },
  {
    type: 'Normal',
    reason: 'ScalingUp',
    object: 'deployment/web',
    namespace: 'default',
    message: 'Scaled up to 3',
    count: 1,
    firstTimestamp: NOW - 5 * m,
    lastTimestamp: NOW - 5 * m,
  },
  {
    type: 'Warning',
    reason: 'FailedScheduling',
    object: 'pod/web-7d9c5b6f4-zzzzz',
    namespace: 'default',
    message: '0/3 hosts are available: 3 Insufficient cpu. ',
    count: 1,
    firstTimestamp: NOW - 2 * h,
    lastTimestamp: NOW - 2 * h,
  },
];

import { describe, expect, it } from 'vitest';
import { describeProbe, formatToleration } from '../../../src/cli/views/describe-containers.js';
import { describeDeployment } from '../../../src/cli/views/describe-deployment.js';
import { describePod } from '../../../src/cli/views/describe-pod.js';
import type { Probe } from '../../../src/model/k8s.js';
import { container, deployment } from '../diff/fixtures.js';
import { deploymentView, events, NOW, pods, podView } from './fixtures.js';

const crashing = pods[1]!;
const probeDefaults = {
  initialDelaySeconds: 0,
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
};
const manifest = deployment('web', {
  containers: [
    container({
      env: [
        {
          name: 'DB_PASSWORD',
          valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'DATABASE_PASSWORD' } },
        },
        {
          name: 'LVL',
          valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL', optional: true } },
        },
        { name: 'MODE', value: 'fast' },
      ],
      envFrom: [
        { configMapRef: { name: 'app-config' } },
        { secretRef: { name: 'app-secrets' }, prefix: 'S_' },
      ],
      readinessProbe: { ...probeDefaults, httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' } },
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/app', readOnly: true }],
    }),
  ],
  volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 0o644 } }],
});

describe('describePod', () => {
  const out = describePod(crashing, events, {
    now: NOW,
    hosts: [{ name: 'h2', address: '10.213.0.12' }],
    spec: manifest.spec.template.spec,
  });
  const lines = out.split('\n');

  it.each([
    'Name:           web-7d9c5b6f4-abcde',
    'Namespace:      default',
    'Node:           h2/10.213.0.12',
    'Start Time:     Mon, 01 Jan 2024 11:54:57 +0000',
    'Labels:         app=web',
    '                pod-template-hash=7d9c5b6f4',
    'Status:         Running',
    'IP:             172.18.0.3',
    'Controlled By:  Deployment/web',
    'Revision:       7d9c5b6f4',
    'Commit:         a1b2c3d',
    'Containers:',
    '  web:',
    '    Image:               my-app:1.0.0',
    '    Port:                8080/TCP',
    '    Host Port:           <none>',
    '    State:               Waiting',
    '      Reason:            CrashLoopBackOff',
    '    Last State:          Terminated',
    '      Exit Code:         1',
    '    Ready:               False',
    '    Restart Count:       4',
    '    Last Probe Failure:  readiness 12s ago: HTTP probe failed with statuscode: 503',
    '    Limits:',
    '      memory:  128Mi',
    '    Requests:',
    '      cpu:      250m',
    '    Readiness:  http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3',
    '      app-config   ConfigMap                Optional: false',
    "      app-secrets  Secret with prefix 'S_'  Optional: false",
    "      DB_PASSWORD:  <set to the key 'DATABASE_PASSWORD' in secret 'app-secrets'>  Optional: false",
    "      LVL:          <set to the key 'LOG_LEVEL' of config map 'app-config'>       Optional: true",
    '      MODE:         fast',
    '      /etc/app from cfg (ro)',
    'Conditions:',
    '  Type              Status',
    '  ContainersReady   False ',
    '  cfg:',
    '    Type:        ConfigMap (a volume populated by a ConfigMap)',
    '    Name:        app-config',
    '    Optional:    false',
    'Node-Selectors:  <none>',
    'Events:',
    '  Type     Reason   Age               From   Message',
    '  ----     ------   ----              ----   -------',
    '  Warning  BackOff  10s (x5 over 3m)  skiff  Back-off restarting failed container web',
  ])('has line %s', (line) => {
    expect(lines).toContain(line);
  });

  it('only lists events about this pod', () => {
    expect(out).not.toContain('ScalingUp');
    expect(out).not.toContain('FailedScheduling');
  });

  it('shows the scheduler reason of a Pending pod and no node', () => {
    const pending = describePod(pods[2]!, events, { now: NOW }).split('\n');
    expect(pending).toContain('Node:           <none>');
    expect(pending).toContain('Message:        0/3 hosts are available: 3 Insufficient cpu.');
    expect(pending).toContain('IP:             <none>');
    expect(pending).toContain(
      '  Warning  FailedScheduling  120m  skiff  0/3 hosts are available: 3 Insufficient cpu.',
    );
  });

  it('without a spec describes observed containers only, and says when there are no events', () => {
    const plain = describePod(podView('solo', { owner: { kind: 'Pod', name: 'solo' } }), [], { now: NOW });
    expect(plain).not.toContain('Controlled By');
    expect(plain).not.toContain('Port:');
    expect(plain).toContain(
      '    State:          Running\n      Started:      Mon, 01 Jan 2024 11:55:00 +0000\n',
    );
    expect(plain.endsWith('  Ready             True \nEvents:             <none>\n')).toBe(true);
  });
});

describe('describeDeployment', () => {
  const out = describeDeployment(
    { ...deploymentView, replicasOwnedBy: 'hpa/web-hpa' },
    [...pods, podView('web-old-1', { templateHash: '5f4d3c2b1' })],
    events,
    { now: NOW, manifest },
  );
  const lines = out.split('\n');

  it.each([
    'Name:                   web',
    'CreationTimestamp:      Fri, 29 Dec 2023 08:00:00 +0000',
    'Selector:               app=web',
    'Replicas:               3 desired | 3 updated | 4 total | 1 available | 2 unavailable',
    'Replicas Owned By:      hpa/web-hpa',
    'StrategyType:           RollingUpdate',
    'RollingUpdateStrategy:  25% max unavailable, 25% max surge',
    'Pod Template:',
    '  Labels:  app=web',
    '  Containers:',
    '   web:',
    '    Image:      my-app:1.0.0',
    '  Volumes:',
    '   cfg:',
    '  Type          Status  Reason',
    '  ----          ------  ------',
    '  Available     False   MinimumReplicasUnavailable',
    'OldRevisions:   5f4d3c2b1 (1 pods)',
    'NewRevision:    7d9c5b6f4 (3/3 replicas created)',
    '  Normal  ScalingUp  5m    skiff  Scaled up to 3',
  ])('has line %s', (line) => {
    expect(lines).toContain(line);
  });

  it('never shows a secret value, only references', () => {
    expect(out).toContain("<set to the key 'DATABASE_PASSWORD' in secret 'app-secrets'>");
  });

  it('works from the view alone', () => {
    const bare = describeDeployment(deploymentView, [], [], { now: NOW });
    expect(bare).toContain('Selector:           <none>');
    expect(bare).toContain('NewRevision:    7d9c5b6f4 (0/3 replicas created)');
    expect(bare).not.toContain('Pod Template');
  });
});

describe('probe and toleration forms', () => {
  it.each<[Probe, string]>([
    [
      { ...probeDefaults, exec: { command: ['cat', '/tmp/healthy'] } },
      'exec [cat /tmp/healthy] delay=0s timeout=1s period=10s #success=1 #failure=3',
    ],
    [
      { ...probeDefaults, tcpSocket: { port: 'http' } },
      'tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=3',
    ],
    [
      { ...probeDefaults, periodSeconds: 5, httpGet: { path: '/', port: 80, host: '::1', scheme: 'HTTPS' } },
      'http-get https://[::1]:80/ delay=0s timeout=1s period=5s #success=1 #failure=3',
    ],
    // kubectl: `grpc <pod>:PORT SERVICE attrs` (the service defaulted to "" leaves two spaces).
    [
      { ...probeDefaults, grpc: { port: 9000, service: 'skiff.test.Echo' } },
      'grpc <pod>:9000 skiff.test.Echo delay=0s timeout=1s period=10s #success=1 #failure=3',
    ],
    [
      { ...probeDefaults, grpc: { port: 9000, service: '' } },
      'grpc <pod>:9000  delay=0s timeout=1s period=10s #success=1 #failure=3',
    ],
  ])('describeProbe %#', (probe, out) => {
    expect(describeProbe(probe)).toBe(out);
  });

  it.each([
    [{ operator: 'Exists' as const }, 'op=Exists'],
    [{ key: 'k', operator: 'Exists' as const, effect: 'NoSchedule' as const }, 'k:NoSchedule op=Exists'],
    [
      {
        key: 'k',
        operator: 'Equal' as const,
        value: 'v',
        effect: 'NoExecute' as const,
        tolerationSeconds: 300,
      },
      'k=v:NoExecute for 300s',
    ],
  ])('formatToleration %#', (t, out) => {
    expect(formatToleration(t)).toBe(out);
  });
});

describe('describePod with init containers', () => {
  it('lists Init Containers before Containers, each with its state', () => {
    const base = podView('init-pod', { owner: { kind: 'Pod', name: 'init-pod' } });
    const view = {
      ...base,
      initContainers: [
        {
          name: 'migrate',
          image: 'busybox:1.36',
          state: 'terminated' as const,
          reason: 'Completed',
          exitCode: 0,
          restartCount: 0,
          ready: false,
        },
      ],
    };
    const lines = describePod(view, [], { now: NOW }).split('\n');
    const init = lines.indexOf('Init Containers:');
    expect(init).toBeGreaterThan(0);
    expect(lines[init + 1]).toBe('  migrate:');
    expect(lines.indexOf('Containers:')).toBeGreaterThan(init);
    expect(lines.slice(init, lines.indexOf('Containers:')).join('\n')).toMatch(/Reason:\s+Completed/);
  });
});

describe('describePod of a pod the scheduler could not place', () => {
  const fit = '0/3 hosts are available: 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu.';
  const pending = podView('train-x', {
    host: undefined,
    phase: 'Pending',
    status: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: fit }],
    pendingReason: fit,
  });

  it("shows the owner's FailedScheduling event under the pod, as kubectl does", () => {
    const owner = {
      type: 'Warning' as const,
      reason: 'FailedScheduling',
      object: 'deployment/web',
      namespace: 'default',
      message: fit,
      count: 4,
      firstTimestamp: NOW - 60_000,
      lastTimestamp: NOW - 5_000,
    };
    expect(describePod(pending, [owner], { now: NOW })).toContain(
      `  Warning  FailedScheduling  5s (x4 over 60s)  skiff  ${fit}`,
    );
  });

  it('makes it from the PodScheduled condition when no event is at hand', () => {
    const out = describePod(pending, [], { now: NOW });
    expect(out).toContain(`  Warning  FailedScheduling  0s    skiff  ${fit}`);
    expect(out).toContain('  PodScheduled   False ');
  });

  it('adds nothing to a pod that was placed', () => {
    expect(describePod(podView('web-1'), [], { now: NOW })).toContain('Events:             <none>');
  });
});

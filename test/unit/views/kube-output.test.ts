// `skiff get -o json|yaml|name|jsonpath`: the Issue's "Done when" — skiff's JSON of a Pod and a
// Deployment answers the same JSONPath expressions as kubectl's JSON of an equivalent Pod and
// Deployment (kubectl/*.json, written down from kubectl's output), with the same answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderJsonPath } from '../../../src/cli/views/jsonpath.js';
import {
  kubeConfig,
  kubeDeployments,
  kubeHpa,
  kubePods,
  kubeService,
} from '../../../src/cli/views/kube-objects.js';
import { renderKube } from '../../../src/cli/views/kube-print.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import { deploymentView, pods } from './fixtures.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./kubectl/${name}`, import.meta.url), 'utf8')) as unknown;
const kubectlPods = fixture('pods.json');
const kubectlDeployment = fixture('deployment.json');

const host = (name: string, address: string) => ({ name, address }) as ObservedHost;
const view = { pods, hosts: [host('h1', '172.18.0.10'), host('h2', 'h2.example')] };
const skiffPodsJson = (only = [pods[0]!]) =>
  JSON.parse(renderKube(kubePods(view, only), { kind: 'json' })) as unknown;
const dep = { ...deploymentView, selector: 'app=web', labels: { app: 'web' }, containers: ['web'] };
const skiffDeploymentJson = () =>
  JSON.parse(renderKube(kubeDeployments(view, [dep]), { kind: 'json' }, true)) as unknown;

describe('skiff -o json answers kubectl jsonpath as kubectl -o json does', () => {
  it.each([
    ['{.items[*].status.containerStatuses[0].ready}', 'true'],
    ['{.items[0].status.phase}', 'Running'],
    [
      '{range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}',
      'web-7d9c5b6f4-x2x9k\t172.18.0.2\n',
    ],
    ['{.items[0].status.conditions[?(@.type=="Ready")].status}', 'True'],
    ['{.items[*].status.conditions[?(@.type=="PodScheduled")].status}', 'True'],
    ['{.items[0].spec.containers[0].image}', 'my-app:1.0.0'],
    ['{.items[0].spec.nodeName}', 'h1'],
    ['{.items[0].status.hostIP}', '172.18.0.10'],
    ['{.items[0].status.containerStatuses[0].restartCount}', '0'],
    ['{.items[0].status.containerStatuses[0].state.running.startedAt}', '2024-01-01T11:55:00Z'],
    ['{.items[0].metadata.creationTimestamp}', '2024-01-01T11:54:57Z'],
    ['{.items[0].status.startTime}', '2024-01-01T11:54:57Z'],
    ['{.items[0].metadata.labels.pod-template-hash}', '7d9c5b6f4'],
    ['{.items[0].metadata.labels}', '{"app":"web","pod-template-hash":"7d9c5b6f4"}'],
    ['{.items[0].metadata.ownerReferences[0].controller}', 'true'],
    ['{.items[0].status.podIPs[*].ip}', '172.18.0.2'],
    ['{.items[0].status.containerStatuses[0].lastState}', '{}'],
    ['{.kind} {.apiVersion} {.metadata.resourceVersion}', 'List v1 '],
  ])('pods: %s', (expr, answer) => {
    expect(renderJsonPath(expr, kubectlPods)).toBe(answer);
    expect(renderJsonPath(expr, skiffPodsJson())).toBe(answer);
  });

  it.each([
    ['{.spec.template.spec.containers[0].image}', 'my-app:1.0.0'],
    ['{.spec.template.spec.containers[*].name}', 'web'],
    ['{.status.availableReplicas}', '1'],
    ['{.status.readyReplicas}/{.spec.replicas}', '1/3'],
    ['{.status.replicas} {.status.updatedReplicas} {.status.unavailableReplicas}', '3 3 2'],
    ['{.status.conditions[?(@.type=="Available")].reason}', 'MinimumReplicasUnavailable'],
    ['{.status.conditions[?(@.type=="Progressing")].status}', 'True'],
    ['{.spec.selector.matchLabels.app}', 'web'],
    ['{.metadata.labels.app}', 'web'],
    ['{.kind}/{.metadata.name} {.apiVersion}', 'Deployment/web apps/v1'],
  ])('deployment: %s', (expr, answer) => {
    expect(renderJsonPath(expr, kubectlDeployment)).toBe(answer);
    expect(renderJsonPath(expr, skiffDeploymentJson())).toBe(answer);
  });
});

describe('the Kubernetes-shaped objects', () => {
  it('-o json of several objects is a v1 List, keys sorted and indented by four spaces as kubectl', () => {
    const text = renderKube(kubePods(view, [pods[0]!]), { kind: 'json' });
    expect(text.startsWith('{\n    "apiVersion": "v1",\n    "items": [')).toBe(true);
    const list = JSON.parse(text);
    expect(list.kind).toBe('List');
    expect(list.metadata).toEqual({ resourceVersion: '' });
    expect(Object.keys(list.items[0])).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  it('one object asked for by name prints alone, without the List', () => {
    const pod = JSON.parse(renderKube(kubePods(view, [pods[0]!]), { kind: 'json' }, true));
    expect(pod.kind).toBe('Pod');
    expect(renderJsonPath('{.status.phase}', pod)).toBe('Running');
  });

  it('-o yaml is the same object, lists flush under their key as kubectl', () => {
    const yaml = renderKube(kubePods(view, [pods[0]!]), { kind: 'yaml' });
    expect(parse(yaml)).toEqual(skiffPodsJson());
    expect(yaml).toContain('items:\n- apiVersion: v1\n');
  });

  it('-o name: the resource and its group, as kubectl', () => {
    expect(renderKube(kubePods(view, pods.slice(0, 2)), { kind: 'name' })).toBe(
      'pod/web-7d9c5b6f4-x2x9k\npod/web-7d9c5b6f4-abcde\n',
    );
    expect(renderKube(kubeDeployments(view, [dep]), { kind: 'name' })).toBe('deployment.apps/web\n');
  });

  it('a crash-looping container: waiting CrashLoopBackOff, the last run terminated, restarts counted', () => {
    const pod = (skiffPodsJson([pods[1]!]) as { items: { status: Record<string, unknown> }[] }).items[0]!;
    expect(pod.status.containerStatuses).toEqual([
      {
        name: 'web',
        image: 'my-app:1.0.0',
        ready: false,
        started: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      },
    ]);
    // h2 is configured by a DNS name: no hostIP rather than a name where an IP belongs.
    expect(pod.status.hostIP).toBeUndefined();
    expect(renderJsonPath('{.status.conditions[?(@.type=="Ready")].reason}', pod)).toBe('ContainersNotReady');
  });

  it('a pod not placed: Pending, PodScheduled=False Unschedulable with the scheduler message, no statuses', () => {
    const pod = (skiffPodsJson([pods[2]!]) as { items: { spec: object; status: Record<string, unknown> }[] })
      .items[0]!;
    expect(pod.status).toEqual({
      phase: 'Pending',
      reason: 'Unschedulable',
      message: '0/3 hosts are available: 3 Insufficient cpu.',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
    });
    expect(pod.spec).toEqual({ containers: [{ name: 'web', image: 'my-app:1.0.0' }] });
  });

  it("a Deployment's pods are owned by the Deployment itself (skiff has no ReplicaSets)", () => {
    const pod = (skiffPodsJson() as { items: { metadata: { ownerReferences: unknown } }[] }).items[0]!;
    expect(pod.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true },
    ]);
  });

  it('zero counts are omitted as the API omits them; skiff facts are annotations', () => {
    const d = JSON.parse(
      renderKube(
        kubeDeployments({ pods: [] }, [{ ...dep, readyReplicas: 0, availableReplicas: 0 }]),
        { kind: 'json' },
        true,
      ),
    );
    expect(d.status.readyReplicas).toBeUndefined();
    expect(d.status.availableReplicas).toBeUndefined();
    expect(d.status.replicas).toBeUndefined();
    expect(d.status.unavailableReplicas).toBe(3);
    expect(d.metadata.annotations['skiff.io/app']).toBe('demo');
  });
});

describe('the other kinds', () => {
  it('a Service: spec in Kubernetes names, status.loadBalancer as the API has it', () => {
    const s = kubeService({
      namespace: 'default',
      name: 'web',
      app: 'demo',
      type: 'LoadBalancer',
      clusterIP: '10.213.0.5',
      externalIPs: ['192.0.2.1'],
      ports: ['80:30080/TCP', '53/UDP'],
      selector: { app: 'web' },
      sessionAffinity: 'None',
    });
    expect(s.spec).toEqual({
      type: 'LoadBalancer',
      clusterIP: '10.213.0.5',
      clusterIPs: ['10.213.0.5'],
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
      selector: { app: 'web' },
      sessionAffinity: 'None',
    });
    expect(s.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
    expect(renderJsonPath('{.spec.ports[?(@.protocol=="UDP")].port}', s)).toBe('53');
  });

  it('an HPA as autoscaling/v2: target, current metrics from the view, replicas, conditions', () => {
    const h = kubeHpa({
      namespace: 'default',
      name: 'web',
      app: 'demo',
      reference: 'Deployment/web',
      targets: 'cpu: 45%/70%',
      metrics: [{ name: 'cpu', current: '45%', target: '70%' }],
      minReplicas: 1,
      maxReplicas: 5,
      currentReplicas: 2,
      desiredReplicas: 3,
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'ok' }],
      decisions: [],
    });
    expect(h).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1 },
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } },
        ],
      },
    });
    expect(renderJsonPath('{.status.conditions[?(@.type=="AbleToScale")].reason}', h)).toBe(
      'SucceededRescale',
    );
  });

  it('a Secret carries no data: the view holds key names only, and values never leave the daemon', () => {
    const o = kubeConfig({
      kind: 'Secret',
      namespace: 'default',
      name: 'db',
      app: 'demo',
      keys: ['password'],
    });
    expect(o).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'default', annotations: { 'skiff.io/app': 'demo' } },
      type: 'Opaque',
    });
    expect(renderKube([o], { kind: 'name' })).toBe('secret/db\n');
  });
});

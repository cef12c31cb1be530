// skiff's read models as the Kubernetes API serves the same kinds (apps/v1 Deployment, v1
// Service, autoscaling/v2 HorizontalPodAutoscaler, v1 PersistentVolumeClaim, ConfigMap,
// Secret, Endpoints), and the v1 List `kubectl get -o json` wraps them in. Pure. Fields skiff
// cannot know are left out, never invented; zero counts the API omits are omitted. skiff's own
// words stay in `-o skiff-json`, and as `skiff.io/` annotations (app, commit).

import { parseSelectorString, type StringRequirement } from '../../manifest/label-selector-string.js';
import type {
  ClaimView,
  ClusterView,
  ConfigView,
  DeploymentView,
  EndpointsView,
  HpaView,
  ServiceView,
} from '../../model/views.js';
import { compact, type KubeObject, kubeCondition, kubePod, nonEmpty, rfc3339 } from './kube-pod.js';

export { type KubeObject, kubePod } from './kube-pod.js';

/** What `kubectl get` wraps several objects in. */
export function kubeList(items: readonly KubeObject[]): KubeObject {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

const positive = (n: number | undefined) => (n && n > 0 ? n : undefined);

function meta(
  o: { name: string; namespace: string; app: string; createdAt?: number },
  extra: KubeObject = {},
) {
  return compact({
    name: o.name,
    namespace: o.namespace,
    annotations: { 'skiff.io/app': o.app },
    creationTimestamp: rfc3339(o.createdAt),
    ...extra,
  });
}

/** The selector string the view holds, back as a metav1.LabelSelector. */
function labelSelector(s: string | undefined): KubeObject | undefined {
  if (s === undefined) return undefined;
  let reqs: StringRequirement[];
  try {
    reqs = parseSelectorString(s);
  } catch {
    return undefined;
  }
  const matchLabels: Record<string, string> = {};
  const matchExpressions: KubeObject[] = [];
  for (const r of reqs) {
    if (r.operator === 'Equals') matchLabels[r.key] = r.values[0]!;
    else matchExpressions.push(compact({ key: r.key, operator: r.operator, values: nonEmpty(r.values) }));
  }
  return compact({ matchLabels: nonEmpty(matchLabels), matchExpressions: nonEmpty(matchExpressions) });
}

/** `podCount`: the Deployment's pods not terminating (status.replicas counts every pod of
 *  every revision, as the sum of upstream's ReplicaSets' replicas). */
export function kubeDeployment(d: DeploymentView, podCount: number): KubeObject {
  const names = d.containers ?? d.images.map((_, i) => `container-${i}`);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(d, {
      labels: nonEmpty(d.labels),
      annotations: compact({
        'skiff.io/app': d.app,
        'skiff.io/commit': d.commit,
        'skiff.io/scaled-by': d.replicasOwnedBy,
      }),
    }),
    spec: compact({
      replicas: d.replicas,
      paused: d.phase === 'Paused' ? true : undefined,
      selector: labelSelector(d.selector),
      template: { spec: { containers: names.map((name, i) => ({ name, image: d.images[i] })) } },
    }),
    status: compact({
      replicas: positive(podCount),
      updatedReplicas: positive(d.updatedReplicas),
      readyReplicas: positive(d.readyReplicas),
      availableReplicas: positive(d.availableReplicas),
      // calculateStatus (deployment/sync.go): desired minus available, never negative.
      unavailableReplicas: positive(d.replicas - d.availableReplicas),
      conditions: nonEmpty(d.conditions.map(kubeCondition)),
    }),
  };
}

/** `80/TCP` or `80:30080/TCP`, as the view holds a Service's ports. */
function servicePort(s: string): KubeObject {
  const [ports = '', protocol = 'TCP'] = s.split('/');
  const [port, nodePort] = ports.split(':').map(Number);
  return compact({ port, nodePort, protocol });
}

export function kubeService(s: ServiceView): KubeObject {
  const headless = s.clusterIP === 'None';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(s),
    spec: compact({
      type: s.type,
      clusterIP: s.clusterIP,
      clusterIPs: s.clusterIP && !headless ? [s.clusterIP] : headless ? ['None'] : undefined,
      externalName: s.externalName,
      ports: nonEmpty(s.ports.map(servicePort)),
      selector: nonEmpty(s.selector),
      sessionAffinity: s.sessionAffinity,
    }),
    status: {
      loadBalancer:
        s.type === 'LoadBalancer' && s.externalIPs.length > 0
          ? { ingress: s.externalIPs.map((ip) => ({ ip })) }
          : {},
    },
  };
}

/** Endpoints: the view holds ready `address:port` pairs; one subset per pair. */
export function kubeEndpoints(e: EndpointsView): KubeObject {
  const subsets = e.endpoints.map((ep) => {
    const i = ep.lastIndexOf(':');
    return { addresses: [{ ip: ep.slice(0, i) }], ports: [{ port: Number(ep.slice(i + 1)) }] };
  });
  return compact({ apiVersion: 'v1', kind: 'Endpoints', metadata: meta(e), subsets: nonEmpty(subsets) });
}

/** autoscaling/v2 MetricStatus from `cpu: 45%` / `memory: 200Mi`-style view metrics. */
function metricStatus(m: HpaView['metrics'][number]): KubeObject | undefined {
  if (m.current === '' || m.current === '<unknown>') return undefined;
  const pct = /^(\d+)%$/.exec(m.current);
  const current = pct ? { averageUtilization: Number(pct[1]) } : { averageValue: m.current };
  return { type: 'Resource', resource: { name: m.name, current } };
}

/** autoscaling/v2 MetricSpec from the view's target (`70%` utilization, else an average value). */
function metricSpec(m: HpaView['metrics'][number]): KubeObject | undefined {
  const pct = /^(\d+)%$/.exec(m.target);
  if (!pct && /^</.test(m.target)) return undefined;
  const target = pct
    ? { type: 'Utilization', averageUtilization: Number(pct[1]) }
    : { type: 'AverageValue', averageValue: m.target };
  return { type: 'Resource', resource: { name: m.name, target } };
}

export function kubeHpa(h: HpaView): KubeObject {
  const [kind = 'Deployment', name = ''] = h.reference.split('/');
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(h),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind, name },
      minReplicas: h.minReplicas,
      maxReplicas: h.maxReplicas,
      metrics: nonEmpty(h.metrics.map(metricSpec).filter((m) => m !== undefined)),
    },
    status: compact({
      currentReplicas: h.currentReplicas,
      desiredReplicas: h.desiredReplicas,
      lastScaleTime: rfc3339(h.lastScaleTime),
      currentMetrics: nonEmpty(h.metrics.map(metricStatus).filter((m) => m !== undefined)),
      conditions: nonEmpty(h.conditions.map(kubeCondition)),
    }),
  };
}

export function kubeClaim(c: ClaimView): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(c, {
      labels: nonEmpty(c.labels),
      annotations: { ...c.annotations, 'skiff.io/app': c.app },
    }),
    spec: compact({
      accessModes: c.accessModes,
      resources: { requests: { storage: c.capacity } },
      storageClassName: c.storageClass,
      volumeMode: c.volumeMode,
      volumeName: c.volume,
    }),
    status: compact({
      phase: c.status,
      accessModes: c.status === 'Bound' ? c.accessModes : undefined,
      capacity: c.status === 'Bound' ? { storage: c.capacity } : undefined,
    }),
  };
}

/** A ConfigMap or Secret: metadata and type only. The view holds key names, never values
 *  (a Secret's values never leave the daemon), so `data` is left out rather than faked. */
export function kubeConfig(c: ConfigView): KubeObject {
  return compact({
    apiVersion: 'v1',
    kind: c.kind,
    metadata: meta(c),
    type: c.kind === 'Secret' ? (c.type ?? 'Opaque') : undefined,
  });
}

/** The pods of a view with their hosts' addresses (status.hostIP). */
export function kubePods(view: Pick<ClusterView, 'pods' | 'hosts'>, pods = view.pods): KubeObject[] {
  // status.hostIP is an IP: a host configured by DNS name has none skiff could honestly give.
  const ip = (a: string) => (/^\d+\.\d+\.\d+\.\d+$/.test(a) || a.includes(':') ? a : undefined);
  const address = new Map(view.hosts.map((h) => [h.name, ip(h.address)]));
  return pods.map((p) => kubePod(p, p.host ? address.get(p.host) : undefined));
}

/** Deployments with status.replicas counted from the view's pods (one pass over the pods:
 *  5,000 Deployments of 15,000 pods would be 75 million comparisons pairwise). */
export function kubeDeployments(
  view: Pick<ClusterView, 'pods'>,
  deployments: readonly DeploymentView[],
): KubeObject[] {
  const counts = new Map<string, number>();
  for (const p of view.pods) {
    if (p.owner.kind !== 'Deployment' || p.status === 'Terminating') continue;
    const key = `${p.namespace}/${p.owner.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return deployments.map((d) => kubeDeployment(d, counts.get(`${d.namespace}/${d.name}`) ?? 0));
}

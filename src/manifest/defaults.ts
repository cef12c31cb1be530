// Defaulting: a schema-valid manifest value -> the typed, defaulted object of
// src/model/k8s.ts, filling exactly what the API server would (k8s.io/kubernetes
// pkg/apis/core/v1/defaults.go, apps/v1/defaults.go, autoscaling/v2/defaults.go and the
// autoscaling/v1 -> v2 conversion). Fields the schema marks ignored are dropped here.
// Pure. Input must have passed checkSchema without errors.
import type {
  Affinity,
  ConfigMap,
  Container,
  ContainerPort,
  Deployment,
  DeploymentSpec,
  DownwardAPIFile,
  EnvFromSource,
  EnvVar,
  HorizontalPodAutoscaler,
  HPAScalingRules,
  KubeObject,
  Labels,
  MetricSpec,
  ObjectMeta,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  PodSpec,
  Probe,
  ProbeHandler,
  ResourceFieldSelector,
  Secret,
  Service,
  ServicePort,
  SourceLocation,
  Toleration,
  Volume,
  VolumeProjection,
} from '../model/k8s.js';

// biome-ignore lint/suspicious/noExplicitAny: schema-validated plain YAML values
type Raw = any;

const DEFAULT_FILE_MODE = 0o644; // 420, upstream SecretVolumeSourceDefaultMode / ConfigMap

function labels(v: Raw): Labels {
  return v ? { ...v } : {};
}

/** Quantities stay strings; YAML numbers (`cpu: 1`) become their decimal text. */
function quantityText(v: string | number): string {
  return typeof v === 'number' ? String(v) : v;
}

function quantities(v: Raw): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, q] of Object.entries(v ?? {})) out[k] = quantityText(q as string | number);
  return out;
}

export function defaultMeta(m: Raw): ObjectMeta {
  return {
    name: m.name,
    namespace: m.namespace || 'default',
    labels: labels(m.labels),
    annotations: labels(m.annotations),
  };
}

/** Tag of an image reference as upstream's parsers.ParseImageName sees it: "latest" when
 *  neither tag nor digest is given, "" for a digest-only reference. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** SetDefaults_Container: Always for :latest (or no tag), else IfNotPresent. */
export function defaultPullPolicy(image: string): Container['imagePullPolicy'] {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function handler(h: Raw): ProbeHandler {
  const out: ProbeHandler = {};
  if (h.httpGet) {
    const g = h.httpGet;
    out.httpGet = {
      path: g.path || '/',
      port: g.port,
      scheme: g.scheme || 'HTTP',
      ...(g.host !== undefined ? { host: g.host } : {}),
      ...(g.httpHeaders
        ? { httpHeaders: g.httpHeaders.map((x: Raw) => ({ name: x.name, value: x.value })) }
        : {}),
    };
  }
  if (h.tcpSocket)
    out.tcpSocket = {
      port: h.tcpSocket.port,
      ...(h.tcpSocket.host !== undefined ? { host: h.tcpSocket.host } : {}),
    };
  if (h.exec) out.exec = { command: [...(h.exec.command ?? [])] };
  return out;
}

/** SetDefaults_Probe: an unset gRPC `service` is "" (the server's overall health). */
function grpcAction(g: Raw): NonNullable<Probe['grpc']> {
  return { port: g.port, service: g.service ?? '' };
}

/** SetDefaults_Probe: timeout 1, period 10, success 1, failure 3 (initial delay 0). */
function probe(p: Raw): Probe | undefined {
  if (!p) return undefined;
  return {
    ...handler(p),
    ...(p.grpc ? { grpc: grpcAction(p.grpc) } : {}),
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    timeoutSeconds: p.timeoutSeconds || 1,
    periodSeconds: p.periodSeconds || 10,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
    ...(p.terminationGracePeriodSeconds !== undefined
      ? { terminationGracePeriodSeconds: p.terminationGracePeriodSeconds }
      : {}),
  };
}

/** The divisor defaults to "1" (upstream leaves it zero and the kubelet reads zero as 1). */
function resourceFieldSelector(r: Raw): ResourceFieldSelector {
  return {
    ...(r.containerName ? { containerName: r.containerName } : {}),
    resource: r.resource,
    divisor: r.divisor === undefined ? '1' : quantityText(r.divisor),
  };
}

function envVar(e: Raw): EnvVar {
  const out: EnvVar = { name: e.name };
  if (e.value !== undefined) out.value = e.value;
  if (e.valueFrom) {
    const f = e.valueFrom;
    const key = (k: Raw) => ({
      name: k.name,
      key: k.key,
      ...(k.optional !== undefined ? { optional: k.optional } : {}),
    });
    out.valueFrom = {
      ...(f.configMapKeyRef ? { configMapKeyRef: key(f.configMapKeyRef) } : {}),
      ...(f.secretKeyRef ? { secretKeyRef: key(f.secretKeyRef) } : {}),
      ...(f.fieldRef ? { fieldRef: { fieldPath: f.fieldRef.fieldPath } } : {}),
      ...(f.resourceFieldRef ? { resourceFieldRef: resourceFieldSelector(f.resourceFieldRef) } : {}),
    };
  }
  return out;
}

function envFrom(e: Raw): EnvFromSource {
  const ref = (r: Raw) => ({ name: r.name, ...(r.optional !== undefined ? { optional: r.optional } : {}) });
  return {
    ...(e.prefix !== undefined ? { prefix: e.prefix } : {}),
    ...(e.configMapRef ? { configMapRef: ref(e.configMapRef) } : {}),
    ...(e.secretRef ? { secretRef: ref(e.secretRef) } : {}),
  };
}

function containerPort(p: Raw): ContainerPort {
  return {
    ...(p.name !== undefined ? { name: p.name } : {}),
    containerPort: p.containerPort,
    ...(p.hostPort ? { hostPort: p.hostPort } : {}),
    ...(p.hostIP !== undefined ? { hostIP: p.hostIP } : {}),
    protocol: p.protocol || 'TCP',
  };
}

function container(c: Raw): Container {
  const requests = quantities(c.resources?.requests);
  const limits = quantities(c.resources?.limits);
  // SetDefaults_Pod: a resource with a limit and no request gets the limit as its request.
  for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
  const out: Container = {
    name: c.name,
    image: c.image ?? '',
    imagePullPolicy: c.imagePullPolicy || defaultPullPolicy(c.image ?? ''),
    env: (c.env ?? []).map(envVar),
    envFrom: (c.envFrom ?? []).map(envFrom),
    ports: (c.ports ?? []).map(containerPort),
    resources: { requests, limits },
    volumeMounts: (c.volumeMounts ?? []).map((m: Raw) => ({
      name: m.name,
      mountPath: m.mountPath,
      ...(m.readOnly !== undefined ? { readOnly: m.readOnly } : {}),
      ...(m.subPath !== undefined ? { subPath: m.subPath } : {}),
      ...(m.subPathExpr ? { subPathExpr: m.subPathExpr } : {}),
    })),
  };
  if (c.securityContext) out.securityContext = structuredClone(c.securityContext);
  if (c.command) out.command = [...c.command];
  if (c.args) out.args = [...c.args];
  if (c.workingDir !== undefined) out.workingDir = c.workingDir;
  if (c.restartPolicy === 'Always') out.restartPolicy = 'Always';
  const live = probe(c.livenessProbe);
  const ready = probe(c.readinessProbe);
  const startup = probe(c.startupProbe);
  if (live) out.livenessProbe = live;
  if (ready) out.readinessProbe = ready;
  if (startup) out.startupProbe = startup;
  if (c.lifecycle) {
    out.lifecycle = {
      ...(c.lifecycle.preStop ? { preStop: handler(c.lifecycle.preStop) } : {}),
      ...(c.lifecycle.postStart ? { postStart: handler(c.lifecycle.postStart) } : {}),
    };
  }
  return out;
}

function keyItems(items: Raw) {
  return items?.map((i: Raw) => ({
    key: i.key,
    path: i.path,
    ...(i.mode !== undefined ? { mode: i.mode } : {}),
  }));
}

/** The fields configMap and secret volume sources share, defaulted. */
function projectedFiles(s: Raw) {
  return {
    defaultMode: s.defaultMode ?? DEFAULT_FILE_MODE,
    ...(s.items ? { items: keyItems(s.items) } : {}),
    ...(s.optional !== undefined ? { optional: s.optional } : {}),
  };
}

function downwardAPIFiles(items: Raw): DownwardAPIFile[] {
  return (items ?? []).map((i: Raw) => ({
    path: i.path,
    ...(i.fieldRef ? { fieldRef: { fieldPath: i.fieldRef.fieldPath } } : {}),
    ...(i.resourceFieldRef ? { resourceFieldRef: resourceFieldSelector(i.resourceFieldRef) } : {}),
    ...(i.mode !== undefined ? { mode: i.mode } : {}),
  }));
}

function volumeProjection(p: Raw): VolumeProjection {
  const keys = (k: Raw) => ({
    name: k.name ?? '',
    ...(k.items ? { items: keyItems(k.items) } : {}),
    ...(k.optional !== undefined ? { optional: k.optional } : {}),
  });
  return {
    ...(p.configMap ? { configMap: keys(p.configMap) } : {}),
    ...(p.secret ? { secret: keys(p.secret) } : {}),
    ...(p.downwardAPI ? { downwardAPI: { items: downwardAPIFiles(p.downwardAPI.items) } } : {}),
  };
}

/** hostPath type defaults to "" (no check), projected and downwardAPI modes to 0644. */
function otherVolumeSources(v: Raw, out: Volume): void {
  if (v.hostPath) out.hostPath = { path: v.hostPath.path, type: v.hostPath.type ?? '' };
  if (v.downwardAPI)
    out.downwardAPI = {
      items: downwardAPIFiles(v.downwardAPI.items),
      defaultMode: v.downwardAPI.defaultMode ?? DEFAULT_FILE_MODE,
    };
  if (v.projected)
    out.projected = {
      sources: (v.projected.sources ?? []).map(volumeProjection),
      defaultMode: v.projected.defaultMode ?? DEFAULT_FILE_MODE,
    };
}

function volume(v: Raw): Volume {
  const out: Volume = { name: v.name };
  if (v.configMap) out.configMap = { name: v.configMap.name ?? '', ...projectedFiles(v.configMap) };
  if (v.secret) out.secret = { secretName: v.secret.secretName ?? '', ...projectedFiles(v.secret) };
  if (v.emptyDir) {
    out.emptyDir = {
      ...(v.emptyDir.medium ? { medium: v.emptyDir.medium } : {}),
      ...(v.emptyDir.sizeLimit !== undefined ? { sizeLimit: quantityText(v.emptyDir.sizeLimit) } : {}),
    };
  }
  otherVolumeSources(v, out);
  if (v.persistentVolumeClaim)
    out.persistentVolumeClaim = {
      claimName: v.persistentVolumeClaim.claimName,
      ...(v.persistentVolumeClaim.readOnly ? { readOnly: true } : {}),
    };
  return out;
}

function toleration(t: Raw): Toleration {
  return {
    ...(t.key !== undefined ? { key: t.key } : {}),
    operator: t.operator || 'Equal',
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.effect ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}

/** Node affinity and inter-pod (anti-)affinity as written; absent when none is set. */
function podSpecAffinity(a: Raw): Affinity | undefined {
  if (!a) return undefined;
  const out: Affinity = {};
  if (a.nodeAffinity) out.nodeAffinity = structuredClone(a.nodeAffinity);
  if (a.podAffinity) out.podAffinity = structuredClone(a.podAffinity);
  if (a.podAntiAffinity) out.podAntiAffinity = structuredClone(a.podAntiAffinity);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function defaultPodSpec(s: Raw): PodSpec {
  const out: PodSpec = {
    containers: s.containers.map(container),
    restartPolicy: s.restartPolicy || 'Always',
    terminationGracePeriodSeconds: s.terminationGracePeriodSeconds ?? 30,
    nodeSelector: labels(s.nodeSelector),
    tolerations: (s.tolerations ?? []).map(toleration),
    volumes: (s.volumes ?? []).map(volume),
  };
  const affinity = podSpecAffinity(s.affinity);
  if (affinity) out.affinity = affinity;
  if (s.topologySpreadConstraints?.length)
    out.topologySpreadConstraints = structuredClone(s.topologySpreadConstraints);
  if (s.hostname !== undefined) out.hostname = s.hostname;
  if (s.securityContext) out.securityContext = structuredClone(s.securityContext);
  if (s.initContainers?.length) out.initContainers = s.initContainers.map(container);
  return out;
}

function deploymentSpec(s: Raw): DeploymentSpec {
  const st = s.strategy ?? {};
  const strategy: DeploymentSpec['strategy'] =
    st.type === 'Recreate'
      ? { type: 'Recreate' }
      : {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: st.rollingUpdate?.maxSurge ?? '25%',
            maxUnavailable: st.rollingUpdate?.maxUnavailable ?? '25%',
          },
        };
  const out: DeploymentSpec = {
    replicas: s.replicas ?? 1,
    selector: structuredClone(s.selector),
    template: {
      metadata: {
        labels: labels(s.template.metadata?.labels),
        annotations: labels(s.template.metadata?.annotations),
      },
      spec: defaultPodSpec(s.template.spec),
    },
    strategy,
    minReadySeconds: s.minReadySeconds ?? 0,
    revisionHistoryLimit: s.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: s.progressDeadlineSeconds ?? 600,
    paused: s.paused ?? false,
  };
  // Left unset when not written: its default depends on the strategy (see the controller).
  if (s.podReplacementPolicy !== undefined) out.podReplacementPolicy = s.podReplacementPolicy;
  return out;
}

function servicePort(p: Raw): ServicePort {
  return {
    ...(p.name !== undefined ? { name: p.name } : {}),
    protocol: p.protocol || 'TCP',
    port: p.port,
    // SetDefaults_Service: an unset (zero) targetPort is the port.
    targetPort:
      p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '' ? p.port : p.targetPort,
    ...(p.nodePort ? { nodePort: p.nodePort } : {}),
  };
}

const TEXT_ENCODER = new TextEncoder();
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of the UTF-8 bytes of `s` (what the API server stores for stringData). */
export function base64Utf8(s: string): string {
  const b = TEXT_ENCODER.encode(s);
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + '=';
  }
  return out;
}

function hpaFromV2(s: Raw): HorizontalPodAutoscaler['spec'] {
  const metrics: MetricSpec[] = (s.metrics ?? [])
    .filter((m: Raw) => m.type === 'Resource' && m.resource)
    .map((m: Raw) => ({
      type: 'Resource',
      resource: {
        name: m.resource.name,
        target: {
          type: m.resource.target.type,
          ...(m.resource.target.averageUtilization !== undefined
            ? { averageUtilization: m.resource.target.averageUtilization }
            : {}),
          ...(m.resource.target.averageValue !== undefined
            ? { averageValue: quantityText(m.resource.target.averageValue) }
            : {}),
          ...(m.resource.target.value !== undefined ? { value: quantityText(m.resource.target.value) } : {}),
        },
      },
    }));
  const rules = (r: Raw): HPAScalingRules | undefined => {
    if (!r) return undefined;
    const out: HPAScalingRules = {};
    if (r.stabilizationWindowSeconds !== undefined)
      out.stabilizationWindowSeconds = r.stabilizationWindowSeconds;
    if (r.selectPolicy !== undefined) out.selectPolicy = r.selectPolicy;
    if (r.policies)
      out.policies = r.policies.map((p: Raw) => ({
        type: p.type,
        value: p.value,
        periodSeconds: p.periodSeconds,
      }));
    if (r.tolerance !== undefined) out.tolerance = quantityText(r.tolerance);
    return out;
  };
  const out: HorizontalPodAutoscaler['spec'] = {
    scaleTargetRef: targetRef(s.scaleTargetRef),
    minReplicas: s.minReplicas ?? 1,
    maxReplicas: s.maxReplicas,
    metrics,
  };
  if (s.behavior) {
    const up = rules(s.behavior.scaleUp);
    const down = rules(s.behavior.scaleDown);
    out.behavior = { ...(up ? { scaleUp: up } : {}), ...(down ? { scaleDown: down } : {}) };
  }
  return out;
}

function targetRef(r: Raw) {
  return { apiVersion: r.apiVersion ?? '', kind: r.kind, name: r.name };
}

/** Convert_v1_HorizontalPodAutoscalerSpec_To_autoscaling_HorizontalPodAutoscalerSpec
 *  (pkg/apis/autoscaling/v1/conversion.go): targetCPUUtilizationPercentage becomes one
 *  Resource cpu Utilization metric; absent, the metrics stay empty for v2 defaulting. */
function hpaFromV1(s: Raw): HorizontalPodAutoscaler['spec'] {
  const metrics: MetricSpec[] =
    s.targetCPUUtilizationPercentage !== undefined
      ? [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: s.targetCPUUtilizationPercentage },
            },
          },
        ]
      : [];
  return {
    scaleTargetRef: targetRef(s.scaleTargetRef),
    minReplicas: s.minReplicas ?? 1,
    maxReplicas: s.maxReplicas,
    metrics,
  };
}

function serviceSpec(s: Raw): Service['spec'] {
  const spec: Service['spec'] = {
    type: s.type || 'ClusterIP',
    selector: labels(s.selector),
    ports: (s.ports ?? []).map(servicePort),
    sessionAffinity: s.sessionAffinity || 'None',
  };
  if (s.clusterIP !== undefined) spec.clusterIP = s.clusterIP;
  if (s.externalName !== undefined) spec.externalName = s.externalName;
  if (spec.sessionAffinity === 'ClientIP')
    spec.sessionAffinityConfig = {
      clientIP: { timeoutSeconds: s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 },
    };
  return spec;
}

/** The API server merges stringData into data (stringData wins), base64-encoded. */
function secretData(value: Raw): Record<string, string> {
  const data: Record<string, string> = { ...(value.data ?? {}) };
  for (const [k, v] of Object.entries(value.stringData ?? {})) data[k] = base64Utf8(v as string);
  return data;
}

/** policy/v1 has no defaults: the fields as written (an absent selector selects nothing). */
function pdbSpec(s: Raw): PodDisruptionBudget['spec'] {
  return {
    ...(s.minAvailable !== undefined ? { minAvailable: s.minAvailable } : {}),
    ...(s.maxUnavailable !== undefined ? { maxUnavailable: s.maxUnavailable } : {}),
    ...(s.selector !== undefined ? { selector: structuredClone(s.selector) } : {}),
    ...(s.unhealthyPodEvictionPolicy !== undefined
      ? { unhealthyPodEvictionPolicy: s.unhealthyPodEvictionPolicy }
      : {}),
  };
}

/** The default metric of autoscaling/v2 SetDefaults_HorizontalPodAutoscaler. */
const DEFAULT_CPU_UTILIZATION = 80;

/** v1 converted to v2; no metric means the default cpu utilization target. */
function hpaSpec(value: Raw): HorizontalPodAutoscaler['spec'] {
  const spec = value.apiVersion === 'autoscaling/v1' ? hpaFromV1(value.spec) : hpaFromV2(value.spec);
  if (spec.metrics.length === 0)
    spec.metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION },
        },
      },
    ];
  return spec;
}

/** Build the typed, defaulted object from a schema-valid value. */
export function defaultObject(value: Raw, source: SourceLocation): KubeObject {
  const metadata = defaultMeta(value.metadata);
  switch (value.kind as KubeObject['kind']) {
    case 'Pod':
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata,
        source,
        spec: defaultPodSpec(value.spec),
      } satisfies Pod;
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        source,
        spec: deploymentSpec(value.spec),
      } satisfies Deployment;
    case 'Service':
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        source,
        spec: serviceSpec(value.spec),
      } satisfies Service;
    case 'ConfigMap':
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        source,
        data: { ...(value.data ?? {}) },
        binaryData: { ...(value.binaryData ?? {}) },
        ...(value.immutable !== undefined ? { immutable: value.immutable } : {}),
      } satisfies ConfigMap;
    case 'Secret':
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        source,
        type: value.type || 'Opaque',
        data: secretData(value),
        ...(value.immutable !== undefined ? { immutable: value.immutable } : {}),
      } satisfies Secret;
    case 'PersistentVolumeClaim':
      return {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata,
        source,
        spec: {
          accessModes: [...value.spec.accessModes],
          storage: quantityText(value.spec.resources.requests.storage),
          ...(value.spec.storageClassName !== undefined
            ? { storageClassName: value.spec.storageClassName }
            : {}),
          volumeMode: value.spec.volumeMode ?? 'Filesystem',
        },
      } satisfies PersistentVolumeClaim;
    case 'HorizontalPodAutoscaler':
      return {
        apiVersion: value.apiVersion,
        kind: 'HorizontalPodAutoscaler',
        metadata,
        source,
        spec: hpaSpec(value),
      } satisfies HorizontalPodAutoscaler;
    case 'PodDisruptionBudget':
      return {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata,
        source,
        spec: pdbSpec(value.spec ?? {}),
      } satisfies PodDisruptionBudget;
  }
  throw new Error(`bug: defaultObject called for unsupported kind ${String(value.kind)}`);
}

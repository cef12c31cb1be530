// Kubernetes object shapes as skiff accepts them, AFTER validation and defaulting.
// Field names and meanings mirror the upstream API types (k8s.io/api) one for one, so a
// manifest means the same thing here as on Kubernetes. Only fields skiff supports appear;
// optional fields that Kubernetes defaults are filled in by src/manifest's defaulting.
// Pure types: no code, no imports of I/O.

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace: string; // defaulted to "default"
  labels: Labels;
  annotations: Labels;
}

/** Where an object came from: used in every diagnostic and event. */
export interface SourceLocation {
  file: string; // path relative to the app's path in the repo
  document: number; // 0-based index of the YAML document in the file
  line: number; // 1-based
  column: number; // 1-based
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface KeySelector {
  name: string;
  key: string;
  optional?: boolean;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: KeySelector;
    secretKeyRef?: KeySelector;
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: ResourceFieldSelector;
  };
}
/** A container's resource as a number (env, downwardAPI volume): `divisor` defaulted to "1". */
export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor: string;
}
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol: 'TCP' | 'UDP'; // defaulted to TCP
}

/** Quantities stay as the strings the user wrote; parse with manifest/quantity. */
export interface ResourceRequirements {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

export interface HTTPHeader {
  name: string;
  value: string;
}
export interface ProbeHandler {
  httpGet?: {
    path: string;
    port: number | string;
    host?: string;
    scheme: 'HTTP' | 'HTTPS';
    httpHeaders?: HTTPHeader[];
  };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command: string[] };
}
/** core/v1 GRPCAction: a grpc.health.v1.Health/Check on the pod's IP and `port`, without
 *  TLS, asking for `service` (defaulted to "": the server's overall health). Probes only:
 *  a lifecycle hook has no grpc action upstream. */
export interface GRPCAction {
  port: number;
  service: string;
}
/** Defaults as upstream: initialDelaySeconds 0, timeoutSeconds 1, periodSeconds 10,
 *  successThreshold 1, failureThreshold 3. */
export interface Probe extends ProbeHandler {
  grpc?: GRPCAction;
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
}

/** A seccomp or AppArmor profile (core/v1 SeccompProfile, AppArmorProfile). */
export interface SecurityProfile {
  type: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhostProfile?: string;
}

/** The security fields pod and container share; the container's value wins. */
export interface CommonSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  seccompProfile?: SecurityProfile;
  appArmorProfile?: SecurityProfile;
}

/** core/v1 SecurityContext (container level). */
export interface SecurityContext extends CommonSecurityContext {
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: 'Default' | 'Unmasked';
}

/** core/v1 PodSecurityContext. */
export interface PodSecurityContext extends CommonSecurityContext {
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: 'Merge' | 'Strict';
  fsGroup?: number;
  fsGroupChangePolicy?: 'OnRootMismatch' | 'Always';
  sysctls?: { name: string; value: string }[];
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never'; // defaulted as upstream (:latest -> Always)
  command?: string[];
  args?: string[];
  workingDir?: string;
  env: EnvVar[];
  envFrom: EnvFromSource[];
  ports: ContainerPort[];
  resources: ResourceRequirements;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: ProbeHandler; postStart?: ProbeHandler };
  volumeMounts: VolumeMount[];
  securityContext?: SecurityContext;
  /** Init containers only: `Always` makes it a sidecar (KEP-753), started in order and kept
   *  running beside the app containers. */
  restartPolicy?: 'Always';
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}
export interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[]; defaultMode: number; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode: number; optional?: boolean };
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type: HostPathType };
  downwardAPI?: { items: DownwardAPIFile[]; defaultMode: number };
  projected?: { sources: VolumeProjection[]; defaultMode: number };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}
export type HostPathType =
  | ''
  | 'DirectoryOrCreate'
  | 'Directory'
  | 'FileOrCreate'
  | 'File'
  | 'Socket'
  | 'CharDevice'
  | 'BlockDevice';
export interface DownwardAPIFile {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}
/** One source of a projected volume; modes default to the volume's defaultMode. */
export interface VolumeProjection {
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items: DownwardAPIFile[] };
}

export interface Toleration {
  key?: string;
  operator: 'Exists' | 'Equal'; // defaulted to Equal
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
}
/** v1.PodAffinityTerm: the pods (labelSelector, in namespaces) that must (or must not) run in
 *  the same topology domain (the hosts sharing topologyKey's value). */
export interface PodAffinityTerm {
  /** Absent selects no pod; `{}` selects every pod. */
  labelSelector?: LabelSelector;
  namespaces?: string[];
  /** Matched against `kubernetes.io/metadata.name` only: skiff has no Namespace objects. */
  namespaceSelector?: LabelSelector;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}
export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}
export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
  };
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

/** How a pod's replicas spread over a topology (PodTopologySpread; defaults in the scheduler:
 *  minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore). */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
}

export interface PodSpec {
  /** Run one at a time, in order, each to completion, before `containers` start. */
  initContainers?: Container[];
  containers: Container[];
  restartPolicy: 'Always' | 'OnFailure' | 'Never'; // defaulted to Always
  terminationGracePeriodSeconds: number; // defaulted to 30
  nodeSelector: Labels;
  affinity?: Affinity;
  tolerations: Toleration[];
  volumes: Volume[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  hostname?: string;
  securityContext?: PodSecurityContext;
}

export interface PodTemplateSpec {
  metadata: { labels: Labels; annotations: Labels };
  spec: PodSpec;
}

interface ObjectBase<K extends string, V extends string> {
  apiVersion: V;
  kind: K;
  metadata: ObjectMeta;
  source: SourceLocation;
}

export interface Pod extends ObjectBase<'Pod', 'v1'> {
  spec: PodSpec;
}

export type IntOrPercent = number | string; // 1 or "25%"

export interface DeploymentSpec {
  replicas: number; // defaulted to 1
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy:
    | { type: 'RollingUpdate'; rollingUpdate: { maxSurge: IntOrPercent; maxUnavailable: IntOrPercent } } // defaults 25%/25%
    | { type: 'Recreate' };
  minReadySeconds: number; // 0
  revisionHistoryLimit: number; // 10
  progressDeadlineSeconds: number; // 600
  paused: boolean;
  /** KEP-3973: when replacement pods are created. Unset: the strategy's default (RollingUpdate
   *  TerminationStarted; Recreate TerminationComplete when recreating, TerminationStarted when
   *  scaling). */
  podReplacementPolicy?: DeploymentPodReplacementPolicy;
}
export type DeploymentPodReplacementPolicy = 'TerminationStarted' | 'TerminationComplete';
export interface Deployment extends ObjectBase<'Deployment', 'apps/v1'> {
  spec: DeploymentSpec;
}

export interface ServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  targetPort: number | string; // defaulted to port
  nodePort?: number;
}
export interface ServiceSpec {
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  selector: Labels;
  ports: ServicePort[];
  clusterIP?: string;
  externalName?: string;
  sessionAffinity: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds: number } };
}
export interface Service extends ObjectBase<'Service', 'v1'> {
  spec: ServiceSpec;
}

export interface ConfigMap extends ObjectBase<'ConfigMap', 'v1'> {
  data: Record<string, string>;
  binaryData: Record<string, string>; // base64
  immutable?: boolean;
}

/** `data` holds base64 as written; `stringData` is merged into `data` by defaulting,
 *  as the API server does. Values are secret: never log or render them. */
export interface Secret extends ObjectBase<'Secret', 'v1'> {
  type: string; // defaulted to Opaque
  data: Record<string, string>;
  immutable?: boolean;
}

export interface MetricTarget {
  type: 'Utilization' | 'AverageValue' | 'Value';
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}
export interface MetricSpec {
  type: 'Resource';
  resource: { name: 'cpu' | 'memory'; target: MetricTarget };
}
export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}
export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: HPAScalingPolicy[];
  tolerance?: string;
}
/** autoscaling/v2 shape; autoscaling/v1 is converted to it by defaulting. `behavior` is kept
 *  as written (absent stays absent): the controller applies upstream defaults itself. */
export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas: number; // defaulted to 1
  maxReplicas: number;
  metrics: MetricSpec[]; // defaulted to cpu 80% Utilization when empty, as upstream
  behavior?: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules };
}
export interface HorizontalPodAutoscaler
  extends ObjectBase<'HorizontalPodAutoscaler', 'autoscaling/v2' | 'autoscaling/v1'> {
  spec: HorizontalPodAutoscalerSpec;
}

export type PersistentVolumeAccessMode =
  | 'ReadWriteOnce'
  | 'ReadOnlyMany'
  | 'ReadWriteMany'
  | 'ReadWriteOncePod';
/** A claim on storage. skiff has one class: a Docker local volume on the host where the claim's
 *  first pod lands (the local-path provisioner's WaitForFirstConsumer meaning). */
export interface PersistentVolumeClaimSpec {
  accessModes: PersistentVolumeAccessMode[];
  /** resources.requests.storage as written (recorded on the volume, not enforced). */
  storage: string;
  storageClassName?: string;
  volumeMode: 'Filesystem' | 'Block'; // defaulted to Filesystem
}
export interface PersistentVolumeClaim extends ObjectBase<'PersistentVolumeClaim', 'v1'> {
  spec: PersistentVolumeClaimSpec;
}

/** policy/v1 PodDisruptionBudget. It bounds evictions (`skiff drain`: controllers/disruption.ts),
 *  not rollouts (Kubernetes rollouts do not honour PDBs either); `skiff plan` shows it next to
 *  a rollout's availability floor. Exactly one of minAvailable/maxUnavailable is set. */
export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
  /** Absent selects no pods; `{}` selects every pod of the namespace (policy/v1). */
  selector?: LabelSelector;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}
export interface PodDisruptionBudget extends ObjectBase<'PodDisruptionBudget', 'policy/v1'> {
  spec: PodDisruptionBudgetSpec;
}

export type KubeObject =
  | PodDisruptionBudget
  | Pod
  | Deployment
  | Service
  | ConfigMap
  | Secret
  | HorizontalPodAutoscaler
  | PersistentVolumeClaim;
export type Kind = KubeObject['kind'];

/** kubectl's way of naming an object in messages: `deployment/web`. */
export function objectName(o: { kind: string; metadata: { name: string } }): string {
  return `${o.kind.toLowerCase()}/${o.metadata.name}`;
}
/** Identity used for duplicates and ownership: Kind/namespace/name. */
export function objectKey(o: { kind: string; metadata: { name: string; namespace: string } }): string {
  return `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
}

// A pod as skiff means to run it: the manifest's PodSpec with every reference resolved
// (env from ConfigMaps/Secrets, volume files) and its identity fixed (name, owner, revision).
// Produced by the pure core, executed by src/apply through the runtime.
import type { ContainerPort, HostPathType, Labels, PodSpec } from './k8s.js';

export interface DesiredEnvVar {
  name: string;
  value: string;
  /** True when the value came from a Secret: renderers print `***`, logs never see it. */
  secret: boolean;
  /** Known only once the pod's infra container runs: the runtime fills `value` then;
   *  'expand': `value` references such variables as $(NAME), which the runtime expands. */
  podField?: 'status.podIP' | 'status.podIPs' | 'expand';
}

export interface DesiredFile {
  /** Path inside the container (mountPath joined with the key's path). */
  path: string;
  /** File content, base64. */
  contentBase64: string;
  mode: number;
  secret: boolean;
}

export interface DesiredContainer {
  name: string;
  image: string;
  pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  command?: string[];
  args?: string[];
  workingDir?: string;
  env: DesiredEnvVar[];
  ports: ContainerPort[];
  /** Docker limits from resources.limits: NanoCpus = milli * 1e6, Memory in bytes. */
  limits: { cpuMilli?: number; memoryBytes?: number };
  files: DesiredFile[];
  /** emptyDir mounts: path inside the container, shared by the pod's containers. */
  emptyDirs: DesiredEmptyDir[];
  /** hostPath mounts, checked on the host (type) before the containers are created. */
  hostPaths?: DesiredHostPath[];
  /** GPU indices given to this container (Docker DeviceRequests, driver nvidia). */
  gpuDevices?: number[];
  /** persistentVolumeClaim mounts: the claim's Docker volume (DesiredPod.claimVolumes). */
  claims?: DesiredClaimMount[];
}

export interface DesiredClaimMount {
  claim: string;
  /** The Docker volume's name (claimVolumeName). */
  volume: string;
  path: string;
  subPath?: string;
  readOnly?: boolean;
}

/** A claim's Docker volume as the pod's host creates it when absent (WaitForFirstConsumer:
 *  the first pod placed provisions it), labelled so the binding is rebuilt from Docker. */
export interface DesiredClaimVolume {
  /** The Docker volume's name (claimVolumeName). */
  volume: string;
  claim: string;
  namespace: string;
  app: string;
  /** resources.requests.storage as written: recorded, not enforced. */
  storage: string;
  accessModes: string[];
}

export interface DesiredEmptyDir {
  name: string;
  path: string;
  /** Relative path inside the volume mounted instead of its root. */
  subPath?: string;
  readOnly?: boolean;
  /** medium: Memory: a tmpfs shared by the pod's containers, of this size when set. */
  memory?: { sizeBytes?: number };
}

export interface DesiredHostPath {
  volume: string;
  /** Path on the host (the volume's path joined with the mount's subPath). */
  hostPath: string;
  /** The volume's path, which `type` checks. */
  volumePath: string;
  type: HostPathType;
  path: string;
  readOnly?: boolean;
}

export interface DesiredPod {
  name: string;
  namespace: string;
  app: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  templateHash: string;
  commit: string;
  labels: Labels;
  spec: PodSpec;
  /** spec.initContainers resolved, in order (absent: none). */
  initContainers?: DesiredContainer[];
  containers: DesiredContainer[];
  /** Requests as upstream's PodRequests (requests default to limits; with init containers the
   *  larger of the init phase's peak and the app containers plus sidecars), for the scheduler. */
  requests: { cpuMilli: number; memoryBytes: number };
  hostPorts: { port: number; protocol: 'TCP' | 'UDP' }[];
  /** Extra /etc/hosts entries (service names -> virtual IPs). */
  extraHosts: { hostname: string; ip: string }[];
  /** The claims the pod mounts (absent: none). */
  claimVolumes?: DesiredClaimVolume[];
  /** The host's GPU indices the pod holds (absent: none); recorded in a label. */
  gpuDevices?: number[];
}

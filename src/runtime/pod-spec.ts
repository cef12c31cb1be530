// Translating a DesiredPod into Docker create requests: one infra container that holds the
// pod's network namespace and published ports, and one container per pod container that
// joins it (`NetworkMode: container:<infra>`), as the kubelet's dockershim did with its
// "pause" sandbox. Pure: values in, values out; the runtime executes the result.
// Invariants: every container carries the full set of skiff labels (decode-pods.ts reads
// them back); labels hold references only, never resolved Secret values; command/args follow
// Kubernetes (command replaces ENTRYPOINT, args replace CMD).
import { formatGpuDevices } from '../controllers/scheduler-devices.js';
import type { DesiredContainer, DesiredFile, DesiredPod } from '../model/desired.js';
import type { Container } from '../model/k8s.js';
import { APP_ROLE, dockerContainerName, INFRA_ROLE, INIT_ROLE, LABELS } from '../model/labels.js';
import {
  containerSecurity,
  type DockerSecurity,
  infraSysctls,
  NO_SECURITY_FACTS,
  type SecurityFacts,
} from './container-security.js';
import { type DockerMount, folderVolumes } from './pod-volumes.js';

/** Docker's create body (POST /containers/create), the fields skiff sets. */
export interface DockerCreateBody {
  name: string;
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: {
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    ExtraHosts?: string[];
    NanoCpus?: number;
    Memory?: number;
    Binds?: string[];
    Mounts?: DockerMount[];
    RestartPolicy: { Name: 'no' };
    Init?: boolean;
    DeviceRequests?: DockerDeviceRequest[];
  } & DockerSecurity['HostConfig'];
}

/** One entry of HostConfig.DeviceRequests (Docker API 1.40+). */
export interface DockerDeviceRequest {
  Driver: string;
  DeviceIDs: string[];
  Capabilities: string[][];
}

/** A file or folder the runtime must create on the host before the containers. */
export type HostPathEntry =
  | ({ kind: 'file'; hostPath: string; contentBase64: string; mode: number; secret: boolean } & Owner)
  | ({ kind: 'dir'; hostPath: string; mode: number } & Owner);

/** Ownership to set on the host (fsGroup). */
export interface Owner {
  gid?: number;
}

export interface PodPlan {
  podDir: string;
  paths: HostPathEntry[];
  infra: DockerCreateBody;
  /** Created with the pod, started one at a time by the pass (startContainer). */
  initContainers: DockerCreateBody[];
  containers: DockerCreateBody[];
  /** Per container (same order): set when it must be created but not started. */
  waiting: (DockerSecurity['waiting'] | undefined)[];
  /** The same, per init container. */
  initWaiting: (DockerSecurity['waiting'] | undefined)[];
}

/** Name of the infra container's pseudo container: upper case, so no manifest name clashes. */
export const INFRA_CONTAINER = 'POD';

/** Folder on the host that holds everything of one pod (files, emptyDirs). */
export function podDirOf(dataDir: string, namespace: string, pod: string): string {
  return `${dataDir.replace(/\/+$/, '')}/pods/${namespace}/${pod}`;
}

/** Labels every container of the pod carries; `podSpec` only on the infra container (size). */
export function podLabels(pod: DesiredPod, createdAt: number): Record<string, string> {
  return {
    ...pod.labels,
    [LABELS.managed]: 'true',
    [LABELS.app]: pod.app,
    [LABELS.namespace]: pod.namespace,
    [LABELS.pod]: pod.name,
    [LABELS.ownerKind]: pod.owner.kind,
    [LABELS.ownerName]: pod.owner.name,
    [LABELS.templateHash]: pod.templateHash,
    [LABELS.commit]: pod.commit,
    [LABELS.podLabels]: JSON.stringify(pod.labels),
    [LABELS.createdAt]: String(createdAt),
    ...(pod.gpuDevices?.length ? { [LABELS.gpuDevices]: formatGpuDevices(pod.gpuDevices) } : {}),
  };
}

/** Docker's DeviceRequests for a container's GPUs: the nvidia driver, these indices only. */
export function gpuDeviceRequests(
  c: Pick<DesiredContainer, 'gpuDevices'>,
): DockerDeviceRequest[] | undefined {
  if (!c.gpuDevices?.length) return undefined;
  return [{ Driver: 'nvidia', DeviceIDs: c.gpuDevices.map(String), Capabilities: [['gpu']] }];
}

function portKey(port: number, protocol: 'TCP' | 'UDP'): string {
  return `${port}/${protocol.toLowerCase()}`;
}

/** Kubernetes semantics on top of Docker's ENTRYPOINT/CMD. */
export function entrypointAndCmd(
  c: Pick<DesiredContainer, 'command' | 'args'>,
): Pick<DockerCreateBody, 'Entrypoint' | 'Cmd'> {
  // command given: it replaces ENTRYPOINT and the image's CMD is dropped (args, if any, are CMD).
  if (c.command !== undefined) return { Entrypoint: c.command, Cmd: c.args ?? [] };
  // only args: the image's ENTRYPOINT stays, args replace CMD.
  if (c.args !== undefined) return { Cmd: c.args };
  return {};
}

function fileHostPath(podDir: string, container: string, f: DesiredFile): string {
  const inside = f.path.startsWith('/') ? f.path : `/${f.path}`;
  return `${podDir}/${f.secret ? 'secrets' : 'files'}/${container}${inside}`;
}

/** The pod's complete Docker plan. `createdAt` is ms since epoch (the runtime's clock). */
export function planPod(
  pod: DesiredPod,
  opts: { dataDir: string; pauseImage: string; createdAt: number; security?: SecurityFacts },
): PodPlan {
  const podDir = podDirOf(opts.dataDir, pod.namespace, pod.name);
  const common = podLabels(pod, opts.createdAt);
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const c of [...(pod.initContainers ?? []), ...pod.containers])
    for (const p of c.ports) {
      const key = portKey(p.containerPort, p.protocol);
      exposed[key] = {};
      // No hostPort: Docker picks a free one, which observe reads back (publishedPorts).
      bindings[key] = [{ HostIp: p.hostIP ?? '', HostPort: p.hostPort ? String(p.hostPort) : '' }];
    }
  const infra: DockerCreateBody = {
    name: dockerContainerName(pod.namespace, pod.name, INFRA_CONTAINER, 0),
    Image: opts.pauseImage,
    Hostname: pod.spec.hostname ?? pod.name,
    Labels: {
      ...common,
      [LABELS.role]: INFRA_ROLE,
      [LABELS.container]: '',
      [LABELS.restartCount]: '0',
      [LABELS.podSpec]: JSON.stringify(pod.spec),
    },
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      ExtraHosts: pod.extraHosts.map((h) => `${h.hostname}:${h.ip}`),
      RestartPolicy: { Name: 'no' },
      Sysctls: infraSysctls(pod.spec),
    },
  };
  const paths: HostPathEntry[] = [];
  const facts = opts.security ?? NO_SECURITY_FACTS;
  const fsGroup = pod.spec.securityContext?.fsGroup;
  // fsGroup: folders are the group's, and setgid keeps new files in it (SetVolumeOwnership).
  const owned = fsGroup === undefined ? { mode: 0o777 } : { mode: 0o2777, gid: fsGroup };
  const dirs = new Set<string>();
  const bodyOf = (c: DesiredContainer, role: string) => {
    const security = containerSecurity(pod, specOf(pod, c.name), facts);
    const binds: string[] = [];
    for (const f of c.files) {
      const hostPath = fileHostPath(podDir, c.name, f);
      paths.push({
        kind: 'file',
        hostPath,
        ...fileAccess(f, fsGroup),
        contentBase64: f.contentBase64,
        secret: f.secret,
      });
      binds.push(`${hostPath}:${f.path}:ro`);
    }
    const folders = folderVolumes(pod, podDir, c, fsGroup);
    for (const d of folders.dirs) if (!dirs.has(d)) paths.push({ kind: 'dir', hostPath: d, ...owned });
    for (const d of folders.dirs) dirs.add(d);
    binds.push(...folders.binds);
    const body = containerBody(pod, c, common, infra.name, binds, 0, security, role);
    if (folders.mounts.length > 0) body.HostConfig.Mounts = folders.mounts;
    return { body, waiting: security.waiting };
  };
  const init = (pod.initContainers ?? []).map((c) => bodyOf(c, INIT_ROLE));
  const app = pod.containers.map((c) => bodyOf(c, APP_ROLE));
  return {
    podDir,
    paths,
    infra,
    initContainers: init.map((x) => x.body),
    containers: app.map((x) => x.body),
    initWaiting: init.map((x) => x.waiting),
    waiting: app.map((x) => x.waiting),
  };
}

/** The container's manifest spec, app or init (the pod spec is the source of its security
 *  settings). */
function specOf(pod: Pick<DesiredPod, 'spec'>, name: string): Container {
  const c = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === name);
  if (!c) throw new Error(`bug: container ${name} is not in the pod spec`);
  return c;
}

/** A volume file's mode and owner on the host (the bind mount shows them as they are). The
 *  file keeps the mode Kubernetes gives it (a non-root user of the container reads a 0644
 *  secret); on the host, secret files sit in 0700 folders only root can enter. fsGroup makes
 *  files the group's and adds u+r,g+r, as the kubelet's SetVolumeOwnership does for read-only
 *  volumes. */
function fileAccess(f: DesiredFile, fsGroup: number | undefined): { mode: number } & Owner {
  if (fsGroup === undefined) return { mode: f.mode };
  return { mode: f.mode | 0o440, gid: fsGroup };
}

/** One container's create body (restart = the kubelet's restart count for it; role: app or
 *  init). */
export function containerBody(
  pod: Pick<DesiredPod, 'namespace' | 'name'>,
  c: DesiredContainer,
  common: Record<string, string>,
  infraName: string,
  binds: string[],
  restart: number,
  security: DockerSecurity,
  role: string = APP_ROLE,
): DockerCreateBody {
  const waiting: Record<string, string> = security.waiting
    ? { [LABELS.waitingReason]: security.waiting.reason, [LABELS.waitingMessage]: security.waiting.message }
    : {};
  return {
    name: dockerContainerName(pod.namespace, pod.name, c.name, restart),
    Image: c.image,
    ...entrypointAndCmd(c),
    Env: c.env.map((e) => `${e.name}=${e.value}`),
    WorkingDir: c.workingDir,
    User: security.User,
    Labels: {
      ...common,
      [LABELS.role]: role,
      [LABELS.container]: c.name,
      [LABELS.restartCount]: String(restart),
      ...waiting,
    },
    HostConfig: {
      NetworkMode: `container:${infraName}`,
      NanoCpus: c.limits.cpuMilli === undefined ? undefined : c.limits.cpuMilli * 1_000_000,
      Memory: c.limits.memoryBytes,
      Binds: binds,
      RestartPolicy: { Name: 'no' },
      ...(c.gpuDevices?.length ? { DeviceRequests: gpuDeviceRequests(c) } : {}),
      ...security.HostConfig,
    },
  };
}

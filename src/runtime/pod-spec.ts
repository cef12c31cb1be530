// Translating a DesiredPod into Docker create requests: one infra container that holds the
// pod's network namespace and published ports, and one container per pod container that
// joins it (`NetworkMode: container:<infra>`), as the kubelet's dockershim did with its
// "pause" sandbox. Pure: values in, values out; the runtime executes the result.
// Invariants: every container carries the full set of skiff labels (decode-pods.ts reads
// them back); labels hold references only, never resolved Secret values; command/args follow
// Kubernetes (command replaces ENTRYPOINT, args replace CMD).
import type { DesiredContainer, DesiredFile, DesiredPod } from '../model/desired.js';
import { APP_ROLE, dockerContainerName, INFRA_ROLE, INIT_ROLE, LABELS } from '../model/labels.js';

/** Docker's create body (POST /containers/create), the fields skiff sets. */
export interface DockerCreateBody {
  name: string;
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
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
    RestartPolicy: { Name: 'no' };
    Init?: boolean;
  };
}

/** A file or folder the runtime must create on the host before the containers. */
export type HostPathEntry =
  | { kind: 'file'; hostPath: string; contentBase64: string; mode: number; secret: boolean }
  | { kind: 'dir'; hostPath: string; mode: number };

export interface PodPlan {
  podDir: string;
  paths: HostPathEntry[];
  infra: DockerCreateBody;
  /** Created with the pod, started one at a time by the pass (startContainer). */
  initContainers: DockerCreateBody[];
  containers: DockerCreateBody[];
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
  };
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
  opts: { dataDir: string; pauseImage: string; createdAt: number },
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
    },
  };
  const paths: HostPathEntry[] = [];
  const emptyDirs = new Set<string>();
  const bodyOf = (c: DesiredContainer, role: string) => {
    const binds: string[] = [];
    for (const f of c.files) {
      const hostPath = fileHostPath(podDir, c.name, f);
      // Secret files are readable by root only on the host, whatever mode the manifest asks.
      paths.push({
        kind: 'file',
        hostPath,
        contentBase64: f.contentBase64,
        mode: f.secret ? 0o600 : f.mode,
        secret: f.secret,
      });
      binds.push(`${hostPath}:${f.path}:ro`);
    }
    for (const e of c.emptyDirs) {
      const hostPath = `${podDir}/empty/${e.name}`;
      if (!emptyDirs.has(e.name)) paths.push({ kind: 'dir', hostPath, mode: 0o777 });
      emptyDirs.add(e.name);
      binds.push(`${hostPath}:${e.path}`);
    }
    return containerBody(pod, c, common, infra.name, binds, 0, role);
  };
  const initContainers = (pod.initContainers ?? []).map((c) => bodyOf(c, INIT_ROLE));
  const containers = pod.containers.map((c) => bodyOf(c, APP_ROLE));
  return { podDir, paths, infra, initContainers, containers };
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
  role: string = APP_ROLE,
): DockerCreateBody {
  return {
    name: dockerContainerName(pod.namespace, pod.name, c.name, restart),
    Image: c.image,
    ...entrypointAndCmd(c),
    Env: c.env.map((e) => `${e.name}=${e.value}`),
    WorkingDir: c.workingDir,
    Labels: {
      ...common,
      [LABELS.role]: role,
      [LABELS.container]: c.name,
      [LABELS.restartCount]: String(restart),
    },
    HostConfig: {
      NetworkMode: `container:${infraName}`,
      NanoCpus: c.limits.cpuMilli === undefined ? undefined : c.limits.cpuMilli * 1_000_000,
      Memory: c.limits.memoryBytes,
      Binds: binds,
      RestartPolicy: { Name: 'no' },
    },
  };
}

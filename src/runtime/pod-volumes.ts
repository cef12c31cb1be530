// The Docker side of a pod's folder-backed volumes and of the fields known only at start.
// emptyDir: a folder under the pod's folder (mode 0777, as the kubelet makes it), or with
// medium: Memory a Docker volume of type tmpfs (size = sizeLimit; fsGroup's group, setgid) that
// every container of the pod mounts, so they share it as they share the emptyDir upstream. hostPath: a bind of the
// host's path, after the kubelet's type check (hostPathTypeChecker: DirectoryOrCreate makes a
// 0755 folder, FileOrCreate a 0644 file; the others only check). The pod IP: the infra
// container's, filled into env once it runs (the kubelet knows it from the sandbox).
// persistentVolumeClaim: the claim's named Docker volume, made (with its labels) by the first
// container that mounts it and kept after the pod (no pod label). Pure.
import type { DesiredClaimVolume, DesiredContainer, DesiredHostPath, DesiredPod } from '../model/desired.js';
import { LABELS } from '../model/labels.js';
import { shellQuote } from './shell-quote.js';

/** A mount of Docker's create API (HostConfig.Mounts), the fields skiff sets. */
export interface DockerMount {
  Type: 'volume';
  Source: string;
  Target: string;
  ReadOnly?: boolean;
  VolumeOptions?: {
    Labels: Record<string, string>;
    DriverConfig?: { Name: 'local'; Options: Record<string, string> };
    /** A folder inside the volume mounted instead of its root (Docker API 1.45+). */
    Subpath?: string;
  };
}

/** Labels of a claim's volume: the binding (claim, namespace, app, capacity, access modes)
 *  rebuilt from Docker alone. Never the pod label: pod removal cleans volumes carrying it. */
export function claimVolumeLabels(c: DesiredClaimVolume): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.app]: c.app,
    [LABELS.namespace]: c.namespace,
    [LABELS.claim]: c.claim,
    [LABELS.claimStorage]: c.storage,
    [LABELS.claimAccessModes]: c.accessModes.join(','),
  };
}

/** The Docker volume of a pod's Memory emptyDir: owned by the pod, removed with it. */
export function memoryVolumeName(namespace: string, pod: string, volume: string): string {
  return `skiff_${namespace}_${pod}_${volume}_tmpfs`;
}

/** Labels that let the runtime find (and remove) a pod's volumes from Docker alone. */
export function podVolumeLabels(pod: Pick<DesiredPod, 'namespace' | 'name'>): Record<string, string> {
  return { [LABELS.managed]: 'true', [LABELS.namespace]: pod.namespace, [LABELS.pod]: pod.name };
}

export interface ContainerVolumeBinds {
  binds: string[];
  mounts: DockerMount[];
  /** Folders to create on the host first (emptyDirs and their subPaths). */
  dirs: string[];
}

/** One container's emptyDir, hostPath and persistentVolumeClaim mounts. */
export function folderVolumes(
  pod: Pick<DesiredPod, 'namespace' | 'name' | 'claimVolumes'>,
  podDir: string,
  c: Pick<DesiredContainer, 'emptyDirs' | 'hostPaths' | 'claims'>,
  fsGroup?: number,
): ContainerVolumeBinds {
  const out: ContainerVolumeBinds = { binds: [], mounts: [], dirs: [] };
  out.mounts.push(...claimMounts(pod, c));
  for (const e of c.emptyDirs) {
    if (e.memory) {
      // fsGroup: the tmpfs is the group's, setgid, as the kubelet's SetVolumeOwnership makes it.
      const opts = [
        ...(e.memory.sizeBytes === undefined ? [] : [`size=${e.memory.sizeBytes}`]),
        ...(fsGroup === undefined ? [] : [`gid=${fsGroup}`, 'mode=2777']),
      ];
      const o: Record<string, string> = opts.length === 0 ? {} : { o: opts.join(',') };
      out.mounts.push({
        Type: 'volume',
        Source: memoryVolumeName(pod.namespace, pod.name, e.name),
        Target: e.path,
        ...(e.readOnly ? { ReadOnly: true } : {}),
        VolumeOptions: {
          Labels: podVolumeLabels(pod),
          DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', ...o } },
        },
      });
      continue;
    }
    const root = `${podDir}/empty/${e.name}`;
    const hostPath = e.subPath ? `${root}/${e.subPath}` : root;
    out.dirs.push(root);
    if (e.subPath) out.dirs.push(hostPath);
    out.binds.push(`${hostPath}:${e.path}${e.readOnly ? ':ro' : ''}`);
  }
  for (const h of c.hostPaths ?? []) out.binds.push(`${h.hostPath}:${h.path}${h.readOnly ? ':ro' : ''}`);
  return out;
}

/** A claim's volume, mounted by name: Docker creates it with its labels the first time a
 *  container of the claim's first pod is created on the host (WaitForFirstConsumer), and
 *  finds it there from then on (a named volume outlives the containers). */
function claimMounts(
  pod: Pick<DesiredPod, 'claimVolumes'>,
  c: Pick<DesiredContainer, 'claims'>,
): DockerMount[] {
  return (c.claims ?? []).map((m) => {
    const v = pod.claimVolumes?.find((x) => x.volume === m.volume);
    return {
      Type: 'volume',
      Source: m.volume,
      Target: m.path,
      ...(m.readOnly ? { ReadOnly: true } : {}),
      VolumeOptions: {
        Labels: v ? claimVolumeLabels(v) : {},
        ...(m.subPath ? { Subpath: m.subPath } : {}),
      },
    };
  });
}

const TYPE_TESTS: Record<string, { test: string; what: string }> = {
  Directory: { test: '-d', what: 'a directory' },
  File: { test: '-f', what: 'a file' },
  Socket: { test: '-S', what: 'a socket file' },
  CharDevice: { test: '-c', what: 'a character device' },
  BlockDevice: { test: '-b', what: 'a block device' },
};

/** One hostPath's check in POSIX sh: prints the kubelet's MountVolume.SetUp message and exits 1. */
function hostPathCheck(h: DesiredHostPath): string {
  const p = shellQuote(h.volumePath);
  const fail = (what: string) =>
    `{ echo ${shellQuote(`MountVolume.SetUp failed for volume "${h.volume}" : hostPath type check failed: ${h.volumePath} is not ${what}`)}; exit 1; }`;
  const create =
    h.type === 'DirectoryOrCreate'
      ? `[ -e ${p} ] || mkdir -p -m 0755 ${p}; `
      : h.type === 'FileOrCreate'
        ? `[ -e ${p} ] || { mkdir -p ${shellQuote(h.volumePath.replace(/\/[^/]*$/, '') || '/')} && ( umask 022 && : > ${p} ); }; `
        : '';
  const base = h.type.replace(/OrCreate$/, '');
  const t = TYPE_TESTS[base];
  return t ? `${create}[ ${t.test} ${p} ] || ${fail(t.what)}` : '';
}

/** A script that checks (and creates, for the *OrCreate types) every hostPath of the pod, and
 *  the subPath folders inside them (the kubelet creates a missing subPath); empty when none. */
export function hostPathScript(pod: Pick<DesiredPod, 'containers' | 'initContainers'>): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const c of [...(pod.initContainers ?? []), ...pod.containers])
    for (const h of c.hostPaths ?? []) {
      const key = `${h.volume}\n${h.hostPath}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const check = hostPathCheck(h);
      if (check && !lines.includes(check)) lines.push(check);
      if (h.hostPath !== h.volumePath.replace(/\/+$/, '') && h.hostPath !== h.volumePath)
        lines.push(`[ -e ${shellQuote(h.hostPath)} ] || mkdir -p ${shellQuote(h.hostPath)}`);
    }
  return lines.join('\n');
}

/** Env with the pod IP filled in (status.podIP, status.podIPs: one address, IPv4), and the
 *  $(NAME) references to those variables expanded, as the kubelet expands dependent vars. */
export function envWithPodIP(c: Pick<DesiredContainer, 'env'>, podIP: string): string[] {
  const ipVars = new Set(c.env.filter((e) => e.podField && e.podField !== 'expand').map((e) => e.name));
  const expand = (v: string) =>
    v.replace(/\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, n: string) => (ipVars.has(n) ? podIP : m));
  return c.env.map((e) => {
    if (!e.podField) return `${e.name}=${e.value}`;
    return `${e.name}=${e.podField === 'expand' ? expand(e.value) : podIP}`;
  });
}

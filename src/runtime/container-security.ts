// A container's securityContext in Docker's words (User, GroupAdd, CapAdd/CapDrop,
// Privileged, ReadonlyRootfs, SecurityOpt, Sysctls), and whether it may start at all
// (runAsNonRoot against the image's user, a Localhost profile the host cannot load): the
// kubelet's waiting reasons. Pure: the host facts (image users, profile contents, AppArmor)
// are read by the runtime and passed in. Built from the pod spec, so a restarted container
// gets exactly what the first one got.
import {
  type EffectiveSecurity,
  effectiveSecurity,
  podSysctls,
  verifyRunAsNonRoot,
} from '../controllers/security-context.js';
import type { Container, PodSpec } from '../model/k8s.js';

/** What the runtime read on the host for the pod's security settings. */
export interface SecurityFacts {
  /** Image Config.User by image reference (only images that need it). */
  imageUsers: ReadonlyMap<string, string>;
  /** Localhost seccomp profiles by localhostProfile: the JSON, or why it could not be read. */
  seccompProfiles: ReadonlyMap<string, { json?: string; error?: string }>;
  /** The engine reports AppArmor among its security options. */
  apparmor: boolean;
}

export const NO_SECURITY_FACTS: SecurityFacts = {
  imageUsers: new Map(),
  seccompProfiles: new Map(),
  apparmor: true,
};

/** Folder on the host, under the data dir, that holds Localhost seccomp profiles (the kubelet's
 *  `<root-dir>/seccomp`). */
export function seccompProfilePath(dataDir: string, profile: string): string {
  return `${dataDir.replace(/\/+$/, '')}/seccomp/${profile}`;
}

export interface DockerSecurity {
  User?: string;
  HostConfig: {
    GroupAdd?: string[];
    CapAdd?: string[];
    CapDrop?: string[];
    Privileged?: boolean;
    ReadonlyRootfs?: boolean;
    SecurityOpt?: string[];
    Sysctls?: Record<string, string>;
  };
  /** Set: create the container but do not start it (the kubelet's waiting state). */
  waiting?: { reason: string; message: string };
}

/** Docker's User: runAsUser[:runAsGroup]; a group alone keeps the image's user. */
function dockerUser(s: EffectiveSecurity, imageUser: string | undefined): string | undefined {
  if (s.runAsUser !== undefined)
    return s.runAsGroup === undefined ? String(s.runAsUser) : `${s.runAsUser}:${s.runAsGroup}`;
  if (s.runAsGroup === undefined) return undefined;
  const user = (imageUser ?? '').split(':')[0] || '0';
  return `${user}:${s.runAsGroup}`;
}

function securityOpts(s: EffectiveSecurity, facts: SecurityFacts): { opts: string[]; error?: string } {
  const opts: string[] = [];
  if (s.noNewPrivileges) opts.push('no-new-privileges:true');
  // RuntimeDefault (and unset) keep Docker's default seccomp profile.
  if (s.seccomp?.type === 'Unconfined') opts.push('seccomp=unconfined');
  if (s.seccomp?.type === 'Localhost') {
    const p = facts.seccompProfiles.get(s.seccomp.localhostProfile ?? '');
    if (p?.json === undefined)
      return {
        opts,
        error: `cannot load seccomp profile "${s.seccomp.localhostProfile}": ${p?.error ?? 'not read'}`,
      };
    opts.push(`seccomp=${p.json}`);
  }
  // RuntimeDefault: Docker's docker-default profile where the host has AppArmor, else nothing.
  if (s.appArmor?.type === 'Unconfined') opts.push('apparmor=unconfined');
  if (s.appArmor?.type === 'Localhost') {
    if (!facts.apparmor)
      return {
        opts,
        error: `apparmor profile "${s.appArmor.localhostProfile}" cannot be used: the host does not support AppArmor`,
      };
    opts.push(`apparmor=${s.appArmor.localhostProfile}`);
  }
  return { opts };
}

/** IPC sysctls go on each container (each has its own IPC namespace); net.* on the infra. */
function ipcSysctls(spec: Pick<PodSpec, 'securityContext'>): Record<string, string> | undefined {
  const ipc = Object.entries(podSysctls(spec)).filter(([k]) => !k.startsWith('net.'));
  return ipc.length > 0 ? Object.fromEntries(ipc) : undefined;
}

/** The infra container's sysctls: the pod's network namespace lives there. */
export function infraSysctls(spec: Pick<PodSpec, 'securityContext'>): Record<string, string> | undefined {
  const net = Object.entries(podSysctls(spec)).filter(([k]) => k.startsWith('net.'));
  return net.length > 0 ? Object.fromEntries(net) : undefined;
}

export function containerSecurity(
  pod: { namespace: string; name: string; spec: Pick<PodSpec, 'securityContext'> },
  c: Container,
  facts: SecurityFacts,
): DockerSecurity {
  const s = effectiveSecurity(pod.spec, c);
  const imageUser = facts.imageUsers.get(c.image);
  const { opts, error } = securityOpts(s, facts);
  const refused = verifyRunAsNonRoot(pod, c.name, s, imageUser);
  const waiting = refused
    ? { reason: 'CreateContainerConfigError', message: refused }
    : error
      ? { reason: 'CreateContainerError', message: error }
      : undefined;
  return {
    User: dockerUser(s, imageUser),
    HostConfig: {
      GroupAdd: s.groups.length > 0 ? s.groups.map(String) : undefined,
      CapAdd: s.capAdd.length > 0 ? s.capAdd : undefined,
      CapDrop: s.capDrop.length > 0 ? s.capDrop : undefined,
      Privileged: s.privileged || undefined,
      ReadonlyRootfs: s.readOnlyRootFilesystem || undefined,
      SecurityOpt: opts.length > 0 ? opts : undefined,
      Sysctls: ipcSysctls(pod.spec),
    },
    ...(waiting ? { waiting } : {}),
  };
}

// The kubelet's security context logic: the effective context of one container (the pod's
// fields, overridden by the container's: DetermineEffectiveSecurityContext), and
// verifyRunAsNonRoot (kuberuntime's security_context_others.go), with its wording. Pure.
import { normalizeCapability, sysctlDotted } from '../manifest/security-context.js';
import type { Container, PodSpec, SecurityProfile } from '../model/k8s.js';

/** One container's security settings, pod and container merged (container wins). */
export interface EffectiveSecurity {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot: boolean;
  /** supplementalGroups, then fsGroup (the kubelet adds it to every container's groups). */
  groups: number[];
  readOnlyRootFilesystem: boolean;
  privileged: boolean;
  /** allowPrivilegeEscalation: false -> no_new_privs. */
  noNewPrivileges: boolean;
  /** Normalized: `CAP_X` or `ALL`. */
  capAdd: string[];
  capDrop: string[];
  seccomp?: SecurityProfile;
  appArmor?: SecurityProfile;
}

export function effectiveSecurity(spec: Pick<PodSpec, 'securityContext'>, c: Container): EffectiveSecurity {
  const pod = spec.securityContext ?? {};
  const ctr = c.securityContext ?? {};
  const caps = (names: string[] | undefined) =>
    (names ?? []).map((n) => normalizeCapability(n) ?? n.toUpperCase());
  const groups = [...(pod.supplementalGroups ?? []), ...(pod.fsGroup !== undefined ? [pod.fsGroup] : [])];
  return {
    runAsUser: ctr.runAsUser ?? pod.runAsUser,
    runAsGroup: ctr.runAsGroup ?? pod.runAsGroup,
    runAsNonRoot: ctr.runAsNonRoot ?? pod.runAsNonRoot ?? false,
    groups: [...new Set(groups)],
    readOnlyRootFilesystem: ctr.readOnlyRootFilesystem ?? false,
    privileged: ctr.privileged ?? false,
    noNewPrivileges: ctr.allowPrivilegeEscalation === false,
    capAdd: caps(ctr.capabilities?.add),
    capDrop: caps(ctr.capabilities?.drop),
    seccomp: ctr.seccompProfile ?? pod.seccompProfile,
    appArmor: ctr.appArmorProfile ?? pod.appArmorProfile,
  };
}

/** The pod's sysctls, dotted, for its infra container (they apply to the pod's namespaces). */
export function podSysctls(spec: Pick<PodSpec, 'securityContext'>): Record<string, string> {
  return Object.fromEntries(
    (spec.securityContext?.sysctls ?? []).map((s) => [sysctlDotted(s.name), s.value]),
  );
}

/** Whether the image's user must be known to start the container (runAsNonRoot without a
 *  runAsUser, or a runAsGroup without a runAsUser: Docker's User needs the user part). */
export function needsImageUser(s: EffectiveSecurity): boolean {
  return s.runAsUser === undefined && (s.runAsNonRoot || s.runAsGroup !== undefined);
}

/** Docker's image Config.User ("", "1000", "1000:50", "nginx", "nginx:www") as the kubelet
 *  reads it: a numeric uid, or a user name; no user at all is root. */
export function parseImageUser(user: string): { uid?: number; name?: string } {
  const u = user.split(':')[0] ?? '';
  if (u === '') return { uid: 0 };
  return /^[0-9]+$/.test(u) ? { uid: Number(u) } : { name: u };
}

/** verifyRunAsNonRoot: undefined when the container may start, else the kubelet's message.
 *  `imageUser` is the image's Config.User (needed only when needsImageUser). */
export function verifyRunAsNonRoot(
  pod: { namespace: string; name: string },
  container: string,
  s: EffectiveSecurity,
  imageUser: string | undefined,
): string | undefined {
  if (!s.runAsNonRoot) return undefined;
  const where = `(pod: "${pod.name}_${pod.namespace}", container: ${container})`;
  if (s.runAsUser !== undefined)
    return s.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const image = parseImageUser(imageUser ?? '');
  if (image.uid === 0) return `container has runAsNonRoot and image will run as root ${where}`;
  if (image.name !== undefined)
    return `container has runAsNonRoot and image has non-numeric user (${image.name}), cannot verify user is non-root ${where}`;
  return undefined;
}

// Checks of pod and container securityContext (ValidatePodSecurityContext and
// ValidateSecurityContext upstream), plus what Docker cannot express: node-level sysctls,
// procMount Unmasked (it needs user namespaces), supplementalGroupsPolicy Strict. Pure.
import type { CommonSecurityContext, Container, PodSpec, SecurityProfile } from '../../model/k8s.js';
import {
  isNamespacedSysctl,
  isValidSysctlName,
  NAMESPACED_SYSCTLS,
  normalizeCapability,
  SYSCTL_NAME_MAX,
  sysctlDotted,
} from '../security-context.js';
import type { Collector, P } from './collector.js';

const CODE = 'semantic.security-context';
const MAX_ID = 2147483647;

/** IsValidUserID / IsValidGroupID. */
function checkId(c: Collector, id: number | undefined, at: P): void {
  if (id !== undefined && (id < 0 || id > MAX_ID))
    c.error(at, CODE, `must be between 0 and ${MAX_ID}, inclusive`);
}

/** validateSeccompProfileField / ValidateAppArmorProfileField: localhostProfile with Localhost only. */
function checkProfile(c: Collector, p: SecurityProfile | undefined, at: P, what: string): void {
  if (!p) return;
  const local = p.localhostProfile;
  if (p.type === 'Localhost' && (local === undefined || local.trim() === ''))
    c.error([...at, 'localhostProfile'], CODE, `must be set when ${what} type is Localhost`);
  if (p.type !== 'Localhost' && local !== undefined)
    c.error([...at, 'localhostProfile'], CODE, `can only be set when ${what} type is Localhost`);
  if (p.type === 'Localhost' && local && (local.startsWith('/') || local.split('/').includes('..')))
    c.error(
      [...at, 'localhostProfile'],
      CODE,
      `"${local}" must be a relative path (under the host's profile folder) without '..'`,
    );
}

function checkCommon(c: Collector, s: CommonSecurityContext, at: P): void {
  checkId(c, s.runAsUser, [...at, 'runAsUser']);
  checkId(c, s.runAsGroup, [...at, 'runAsGroup']);
  checkProfile(c, s.seccompProfile, [...at, 'seccompProfile'], 'seccomp');
  checkProfile(c, s.appArmorProfile, [...at, 'appArmorProfile'], 'AppArmor');
}

function checkSysctls(c: Collector, sysctls: { name: string }[], at: P): void {
  sysctls.forEach((s, i) => {
    const where = [...at, 'sysctls', i, 'name'];
    if (!isValidSysctlName(s.name)) {
      c.error(
        where,
        CODE,
        `invalid sysctl name "${s.name}": must have at most ${SYSCTL_NAME_MAX} characters and be dot- or slash-separated lower-case words`,
      );
      return;
    }
    if (!isNamespacedSysctl(sysctlDotted(s.name)))
      c.error(
        where,
        CODE,
        `sysctl "${s.name}" is node-level, not namespaced: a pod may set only ${NAMESPACED_SYSCTLS}`,
      );
  });
}

export function checkPodSecurityContext(c: Collector, spec: PodSpec, path: P): void {
  const s = spec.securityContext;
  if (!s) return;
  const at = [...path, 'securityContext'];
  checkCommon(c, s, at);
  (s.supplementalGroups ?? []).forEach((g, i) => {
    checkId(c, g, [...at, 'supplementalGroups', i]);
  });
  checkId(c, s.fsGroup, [...at, 'fsGroup']);
  if (s.supplementalGroupsPolicy === 'Strict')
    c.error(
      [...at, 'supplementalGroupsPolicy'],
      CODE,
      "Strict is not supported by skiff: Docker always adds the groups the image's /etc/group gives the user",
    );
  checkSysctls(c, s.sysctls ?? [], at);
}

function checkCapabilities(c: Collector, ctr: Container, at: P): void {
  const caps = ctr.securityContext?.capabilities;
  for (const list of ['add', 'drop'] as const)
    (caps?.[list] ?? []).forEach((name, i) => {
      if (normalizeCapability(name) === undefined)
        c.error(
          [...at, 'capabilities', list, i],
          CODE,
          `unknown capability "${name}": use a Linux capability name (e.g. NET_BIND_SERVICE) or ALL`,
        );
    });
}

export function checkContainerSecurityContext(c: Collector, ctr: Container, path: P): void {
  const s = ctr.securityContext;
  if (!s) return;
  const at = [...path, 'securityContext'];
  checkCommon(c, s, at);
  checkCapabilities(c, ctr, at);
  if (s.allowPrivilegeEscalation === false && s.privileged)
    c.error(
      [...at, 'allowPrivilegeEscalation'],
      CODE,
      'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
    );
  const adds = (s.capabilities?.add ?? []).map(normalizeCapability);
  if (s.allowPrivilegeEscalation === false && adds.includes('CAP_SYS_ADMIN'))
    c.error(
      [...at, 'allowPrivilegeEscalation'],
      CODE,
      'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
    );
  if (s.procMount === 'Unmasked')
    c.error(
      [...at, 'procMount'],
      CODE,
      'Unmasked needs a user namespace (`hostUsers: false`), which skiff does not support; use Default',
    );
}

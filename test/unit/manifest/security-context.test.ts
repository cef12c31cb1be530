// securityContext validation: what the API server refuses (IDs, profiles, privilege
// escalation), what Docker cannot express (node-level sysctls, procMount Unmasked,
// supplementalGroupsPolicy Strict, seLinuxOptions), and what is read past (windowsOptions),
// each with its exact code, field path and position.
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/index.js';
import { normalizeCapability, sysctlDotted } from '../../../src/manifest/security-context.js';
import type { Deployment } from '../../../src/model/k8s.js';

/** A Deployment with `pod` lines under the pod spec (indent 6) and `ctr` under its container (indent 10). */
function manifest(pod: string, ctr: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
${pod}      containers:
        - name: web
          image: nginx:1.25
${ctr}`;
}

function findings(pod: string, ctr = ''): string[] {
  return validateBundle([{ path: 'a.yaml', text: manifest(pod, ctr) }]).diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.path} ${d.line}:${d.column} ${d.message}`,
  );
}

const POD_SC = '      securityContext:\n';
const CTR_SC = '          securityContext:\n';

describe('securityContext: accepted as Kubernetes accepts it', () => {
  it('takes a hardened pod and container context without a finding, and keeps it in the spec', () => {
    const pod = `${POD_SC}        runAsUser: 1000\n        runAsGroup: 3000\n        runAsNonRoot: true\n        supplementalGroups: [4000]\n        fsGroup: 2000\n        fsGroupChangePolicy: OnRootMismatch\n        seccompProfile: {type: RuntimeDefault}\n        sysctls:\n          - {name: net.ipv4.ip_local_port_range, value: "32768 60999"}\n          - {name: kernel.shm_rmid_forced, value: "1"}\n`;
    const ctr = `${CTR_SC}            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL], add: [net_bind_service, CAP_CHOWN]}\n            procMount: Default\n            appArmorProfile: {type: RuntimeDefault}\n`;
    const r = validateBundle([{ path: 'a.yaml', text: manifest(pod, ctr) }]);
    expect(r.diagnostics).toEqual([]);
    const spec = (r.objects[0] as Deployment).spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 2000 });
    expect(spec.containers[0]!.securityContext?.capabilities).toEqual({
      drop: ['ALL'],
      add: ['net_bind_service', 'CAP_CHOWN'],
    });
  });
});

describe('securityContext: refused with a reason', () => {
  it.each<[string, string, string, string]>([
    [
      'a negative runAsUser',
      `${POD_SC}        runAsUser: -1\n`,
      '',
      'error semantic.security-context spec.template.spec.securityContext.runAsUser 13:9 must be between 0 and 2147483647, inclusive',
    ],
    [
      'a group id past int32',
      `${POD_SC}        supplementalGroups: [2147483648]\n`,
      '',
      'error semantic.security-context spec.template.spec.securityContext.supplementalGroups[0] 13:30 must be between 0 and 2147483647, inclusive',
    ],
    [
      'a node-level sysctl',
      `${POD_SC}        sysctls:\n          - {name: vm.swappiness, value: "10"}\n`,
      '',
      'error semantic.security-context spec.template.spec.securityContext.sysctls[0].name 14:14 sysctl "vm.swappiness" is node-level, not namespaced: a pod may set only kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*',
    ],
    [
      'an invalid sysctl name',
      `${POD_SC}        sysctls:\n          - {name: Net.Bad, value: "1"}\n`,
      '',
      'error semantic.security-context spec.template.spec.securityContext.sysctls[0].name 14:14 invalid sysctl name "Net.Bad": must have at most 253 characters and be dot- or slash-separated lower-case words',
    ],
    [
      'supplementalGroupsPolicy Strict',
      `${POD_SC}        supplementalGroupsPolicy: Strict\n`,
      '',
      "error semantic.security-context spec.template.spec.securityContext.supplementalGroupsPolicy 13:9 Strict is not supported by skiff: Docker always adds the groups the image's /etc/group gives the user",
    ],
    [
      'seccomp Localhost without a profile',
      `${POD_SC}        seccompProfile: {type: Localhost}\n`,
      '',
      'error semantic.security-context spec.template.spec.securityContext.seccompProfile.localhostProfile 13:9 must be set when seccomp type is Localhost',
    ],
    [
      'a localhostProfile with RuntimeDefault',
      '',
      `${CTR_SC}            appArmorProfile: {type: RuntimeDefault, localhostProfile: x}\n`,
      'error semantic.security-context spec.template.spec.containers[0].securityContext.appArmorProfile.localhostProfile 16:53 can only be set when AppArmor type is Localhost',
    ],
    [
      'a seccomp profile path that climbs out',
      '',
      `${CTR_SC}            seccompProfile: {type: Localhost, localhostProfile: ../etc/x.json}\n`,
      `error semantic.security-context spec.template.spec.containers[0].securityContext.seccompProfile.localhostProfile 16:47 "../etc/x.json" must be a relative path (under the host's profile folder) without '..'`,
    ],
    [
      'privileged without privilege escalation',
      '',
      `${CTR_SC}            privileged: true\n            allowPrivilegeEscalation: false\n`,
      'error semantic.security-context spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation 17:13 cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
    ],
    [
      'CAP_SYS_ADMIN without privilege escalation',
      '',
      `${CTR_SC}            capabilities: {add: [SYS_ADMIN]}\n            allowPrivilegeEscalation: false\n`,
      'error semantic.security-context spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation 17:13 cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
    ],
    [
      'an unknown capability',
      '',
      `${CTR_SC}            capabilities: {drop: [NET_FLY]}\n`,
      'error semantic.security-context spec.template.spec.containers[0].securityContext.capabilities.drop[0] 16:35 unknown capability "NET_FLY": use a Linux capability name (e.g. NET_BIND_SERVICE) or ALL',
    ],
    [
      'procMount Unmasked',
      '',
      `${CTR_SC}            procMount: Unmasked\n`,
      'error semantic.security-context spec.template.spec.containers[0].securityContext.procMount 16:13 Unmasked needs a user namespace (`hostUsers: false`), which skiff does not support; use Default',
    ],
  ])('%s', (_name, pod, ctr, expected) => {
    expect(findings(pod, ctr)).toEqual([expected]);
  });

  it('refuses seLinuxOptions at both levels, and warns on windowsOptions', () => {
    const out = findings(
      `${POD_SC}        seLinuxOptions: {level: "s0:c1"}\n`,
      `${CTR_SC}            seLinuxOptions: {type: spc_t}\n            windowsOptions: {runAsUserName: x}\n`,
    );
    expect(out.map((f) => f.split(' ').slice(0, 3).join(' '))).toEqual([
      'error unsupported.field spec.template.spec.securityContext.seLinuxOptions',
      'error unsupported.field spec.template.spec.containers[0].securityContext.seLinuxOptions',
      'warning unsupported.field spec.template.spec.containers[0].securityContext.windowsOptions',
    ]);
  });
});

describe('names as Docker and Kubernetes read them', () => {
  it.each<[string, string | undefined]>([
    ['NET_ADMIN', 'CAP_NET_ADMIN'],
    ['cap_net_admin', 'CAP_NET_ADMIN'],
    ['all', 'ALL'],
    ['NET_FLY', undefined],
  ])('capability %s -> %s', (name, want) => {
    expect(normalizeCapability(name)).toBe(want);
  });
  it.each<[string, string]>([
    ['net.ipv4.ip_forward', 'net.ipv4.ip_forward'],
    ['net/ipv4/ip_forward', 'net.ipv4.ip_forward'],
    ['net/ipv4/conf/eno2.100/rp_filter', 'net.ipv4.conf.eno2/100.rp_filter'],
  ])('sysctl %s -> %s', (name, want) => {
    expect(sysctlDotted(name)).toBe(want);
  });
});

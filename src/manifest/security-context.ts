// Names in a securityContext as Linux and Docker know them: capabilities (with or without
// CAP_, any case, as Docker normalizes them) and sysctls (dots or slashes, as Kubernetes
// accepts them), and which sysctls are namespaced, i.e. settable for one pod. Pure.

/** Linux capabilities (capabilities(7)), without the CAP_ prefix. */
const CAPABILITIES = new Set([
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'PERFMON',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'SYSLOG',
  'WAKE_ALARM',
]);

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` -> `CAP_NET_ADMIN`; `all` -> `ALL`; undefined
 *  when Linux has no such capability (Docker would refuse the container). */
export function normalizeCapability(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const bare = upper.startsWith('CAP_') ? upper.slice(4) : upper;
  return CAPABILITIES.has(bare) ? `CAP_${bare}` : undefined;
}

/** Kubernetes' ConvertSysctlVariableToDotsSeparator: `net/ipv4/ip_forward` is
 *  `net.ipv4.ip_forward` (when the first separator is a slash, slashes and dots swap). */
export function sysctlDotted(name: string): string {
  const first = name.search(/[./]/);
  if (first < 0 || name[first] === '.') return name;
  return name.replace(/[./]/g, (ch) => (ch === '/' ? '.' : '/'));
}

/** IsValidSysctlName's pattern and length. */
const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
export const SYSCTL_NAME_MAX = 253;
export function isValidSysctlName(name: string): boolean {
  return name.length <= SYSCTL_NAME_MAX && SYSCTL_NAME.test(name);
}

/** IPC-namespace sysctls (the kubelet's and Docker's lists); net.* is the network namespace. */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);
export const NAMESPACED_SYSCTLS = 'kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*';

/** A sysctl that belongs to the pod's own namespaces (a node-level one would change the host). */
export function isNamespacedSysctl(dotted: string): boolean {
  return IPC_SYSCTLS.has(dotted) || dotted.startsWith('fs.mqueue.') || dotted.startsWith('net.');
}

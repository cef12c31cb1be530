// securityContext in Docker's words: each field's create body, container over pod, the
// kubelet's runAsNonRoot refusal as a held-back container, fsGroup ownership of volume files,
// and DockerRuntime's restart rebuilding the same settings from the pod spec (an in-memory
// Docker engine records every create body).
import { describe, expect, it } from 'vitest';
import { defaultClusterConfig } from '../../../src/config/cluster-config.js';
import type { SecurityContext } from '../../../src/model/k8s.js';
import { LABELS } from '../../../src/model/labels.js';
import {
  containerSecurity,
  NO_SECURITY_FACTS,
  type SecurityFacts,
} from '../../../src/runtime/container-security.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import { type DockerCreateBody, planPod } from '../../../src/runtime/pod-spec.js';
import { stubTransport } from '../../support/stub-transport.js';
import { sleeperPod } from './runtime-contract.js';

function podWith(ctr: SecurityContext | undefined, pod: object = {}) {
  const p = sleeperPod('web-1', { image: 'web:1' });
  p.spec.containers[0]!.securityContext = ctr;
  p.spec.securityContext = pod;
  return p;
}
const facts = (f: Partial<SecurityFacts> = {}): SecurityFacts => ({ ...NO_SECURITY_FACTS, ...f });
const security = (ctr: SecurityContext | undefined, pod: object = {}, f: Partial<SecurityFacts> = {}) => {
  const p = podWith(ctr, pod);
  return containerSecurity(p, p.spec.containers[0]!, facts(f));
};

describe('containerSecurity: the Docker create body of each field', () => {
  it.each<[string, SecurityContext | undefined, object, object]>([
    ['nothing set', undefined, {}, { HostConfig: {} }],
    ['runAsUser alone', { runAsUser: 1000 }, {}, { User: '1000' }],
    ['runAsUser and runAsGroup', undefined, { runAsUser: 1000, runAsGroup: 3000 }, { User: '1000:3000' }],
    [
      'the container wins over the pod',
      { runAsUser: 2000 },
      { runAsUser: 1000, runAsGroup: 3000 },
      { User: '2000:3000' },
    ],
    [
      'supplementalGroups and fsGroup',
      undefined,
      { supplementalGroups: [4000, 2000], fsGroup: 2000 },
      { HostConfig: { GroupAdd: ['4000', '2000'] } },
    ],
    [
      'readOnlyRootFilesystem',
      { readOnlyRootFilesystem: true },
      {},
      { HostConfig: { ReadonlyRootfs: true } },
    ],
    [
      'capabilities, with or without CAP_, any case',
      { capabilities: { drop: ['all'], add: ['net_bind_service', 'CAP_CHOWN'] } },
      {},
      { HostConfig: { CapDrop: ['ALL'], CapAdd: ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'] } },
    ],
    ['privileged', { privileged: true }, {}, { HostConfig: { Privileged: true } }],
    [
      'allowPrivilegeEscalation: false',
      { allowPrivilegeEscalation: false },
      {},
      { HostConfig: { SecurityOpt: ['no-new-privileges:true'] } },
    ],
    [
      'seccomp Unconfined',
      undefined,
      { seccompProfile: { type: 'Unconfined' } },
      { HostConfig: { SecurityOpt: ['seccomp=unconfined'] } },
    ],
    [
      'seccomp RuntimeDefault is Docker default',
      { seccompProfile: { type: 'RuntimeDefault' } },
      {},
      { HostConfig: {} },
    ],
    [
      'AppArmor Unconfined',
      { appArmorProfile: { type: 'Unconfined' } },
      {},
      { HostConfig: { SecurityOpt: ['apparmor=unconfined'] } },
    ],
    [
      'AppArmor Localhost',
      { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-nginx' } },
      {},
      { HostConfig: { SecurityOpt: ['apparmor=k8s-nginx'] } },
    ],
    [
      'IPC sysctls on the container (net.* go on the infra)',
      undefined,
      {
        sysctls: [
          { name: 'kernel/shm_rmid_forced', value: '1' },
          { name: 'net.ipv4.tcp_syncookies', value: '1' },
        ],
      },
      { HostConfig: { Sysctls: { 'kernel.shm_rmid_forced': '1' } } },
    ],
  ])('%s', (_name, ctr, pod, want) => {
    const s = security(ctr, pod);
    expect(s.waiting).toBeUndefined();
    expect(s).toMatchObject(want);
    if (!('User' in want)) expect(s.User).toBeUndefined();
  });

  it('sends a Localhost seccomp profile as its JSON, and holds back a profile that cannot be read', () => {
    const ctr: SecurityContext = { seccompProfile: { type: 'Localhost', localhostProfile: 'audit.json' } };
    const ok = security(
      ctr,
      {},
      { seccompProfiles: new Map([['audit.json', { json: '{"defaultAction":"SCMP_ACT_LOG"}' }]]) },
    );
    expect(ok.HostConfig.SecurityOpt).toEqual(['seccomp={"defaultAction":"SCMP_ACT_LOG"}']);
    const missing = security(
      ctr,
      {},
      { seccompProfiles: new Map([['audit.json', { error: 'No such file or directory' }]]) },
    );
    expect(missing.waiting).toEqual({
      reason: 'CreateContainerError',
      message: 'cannot load seccomp profile "audit.json": No such file or directory',
    });
  });

  it('holds back an AppArmor Localhost profile on a host without AppArmor', () => {
    const s = security(
      { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } },
      {},
      { apparmor: false },
    );
    expect(s.waiting?.message).toBe(
      'apparmor profile "p" cannot be used: the host does not support AppArmor',
    );
  });

  it('a runAsGroup alone keeps the image user', () => {
    expect(
      security(undefined, { runAsGroup: 50 }, { imageUsers: new Map([['web:1', 'nginx:nginx']]) }).User,
    ).toBe('nginx:50');
    expect(security(undefined, { runAsGroup: 50 }).User).toBe('0:50');
  });
});

describe('runAsNonRoot, as the kubelet verifies it', () => {
  const users = (u: string) => ({ imageUsers: new Map([['web:1', u]]) });
  it.each<[string, object, Partial<SecurityFacts>, string | undefined]>([
    ['image user 1000', { runAsNonRoot: true }, users('1000:1000'), undefined],
    [
      'an image running as root (no user)',
      { runAsNonRoot: true },
      users(''),
      'container has runAsNonRoot and image will run as root (pod: "web-1_default", container: main)',
    ],
    [
      'image user 0',
      { runAsNonRoot: true },
      users('0'),
      'container has runAsNonRoot and image will run as root (pod: "web-1_default", container: main)',
    ],
    [
      'a non-numeric image user',
      { runAsNonRoot: true },
      users('nginx'),
      'container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "web-1_default", container: main)',
    ],
    ['runAsUser 1000 over a root image', { runAsNonRoot: true, runAsUser: 1000 }, users(''), undefined],
    [
      'runAsUser 0',
      { runAsNonRoot: true, runAsUser: 0 },
      users('1000'),
      `container's runAsUser breaks non-root policy (pod: "web-1_default", container: main)`,
    ],
    ['runAsNonRoot false', { runAsNonRoot: false }, users(''), undefined],
  ])('%s', (_name, pod, f, message) => {
    const s = security(undefined, pod, f);
    expect(s.waiting).toEqual(message ? { reason: 'CreateContainerConfigError', message } : undefined);
  });

  it('the container field overrides the pod field', () => {
    expect(security({ runAsNonRoot: false }, { runAsNonRoot: true }).waiting).toBeUndefined();
  });
});

describe('planPod with security settings', () => {
  it('puts net.* sysctls on the infra container, labels a held-back container, and owns volume files by fsGroup', () => {
    const p = podWith(
      { runAsUser: 1000 },
      {
        fsGroup: 2000,
        runAsNonRoot: true,
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
    );
    p.containers[0]!.files = [
      { path: '/etc/app/conf', contentBase64: 'YQ==', mode: 0o644, secret: false },
      { path: '/etc/secret/token', contentBase64: 'Yg==', mode: 0o644, secret: true },
    ];
    p.containers[0]!.emptyDirs = [{ name: 'tmp', path: '/tmp' }];
    const plan = planPod(p, { dataDir: '/d', pauseImage: 'pause', createdAt: 0 });
    expect(plan.infra.HostConfig.Sysctls).toEqual({ 'net.ipv4.ip_unprivileged_port_start': '0' });
    expect(plan.containers[0]).toMatchObject({ User: '1000', HostConfig: { GroupAdd: ['2000'] } });
    expect(plan.waiting).toEqual([undefined]);
    p.containers[0]!.files.push({
      path: '/etc/secret/key',
      contentBase64: 'Yw==',
      mode: 0o400,
      secret: true,
    });
    expect(plan.paths.map((e) => [e.kind, e.mode.toString(8), e.gid])).toEqual([
      ['file', '644', 2000],
      ['file', '644', 2000],
      ['dir', '2777', 2000],
    ]);
    // A 0400 secret becomes group-readable, as SetVolumeOwnership makes read-only volumes.
    const again = planPod(p, { dataDir: '/d', pauseImage: 'pause', createdAt: 0 });
    expect(again.paths.find((e) => e.hostPath.endsWith('/key'))).toMatchObject({ mode: 0o440, gid: 2000 });
  });

  it("keeps a secret file's Kubernetes mode without fsGroup, owned by no one else", () => {
    const p = sleeperPod('a', { image: 'x' });
    p.containers[0]!.files = [{ path: '/s/t', contentBase64: 'Yg==', mode: 0o644, secret: true }];
    const plan = planPod(p, { dataDir: '/d', pauseImage: 'pause', createdAt: 0 });
    expect(plan.paths.find((e) => e.kind === 'file')).toMatchObject({ mode: 0o644 });
    expect(plan.paths.find((e) => e.kind === 'file')?.gid).toBeUndefined();
  });

  it('gives init containers their security settings and volume mounts, held back on their own', () => {
    const p = podWith(undefined, { fsGroup: 2000 });
    const init = {
      ...p.containers[0]!,
      name: 'setup',
      emptyDirs: [{ name: 'mem', path: '/mem', memory: {} }],
    };
    p.initContainers = [init];
    p.spec.initContainers = [
      { ...p.spec.containers[0]!, name: 'setup', securityContext: { runAsNonRoot: true } },
    ];
    const plan = planPod(p, {
      dataDir: '/d',
      pauseImage: 'pause',
      createdAt: 0,
      security: facts({ imageUsers: new Map([['web:1', '']]) }),
    });
    expect(plan.initContainers[0]).toMatchObject({
      HostConfig: { GroupAdd: ['2000'], Mounts: [{ Target: '/mem' }] },
      Labels: { [LABELS.role]: 'init', [LABELS.waitingReason]: 'CreateContainerConfigError' },
    });
    expect(plan.initWaiting[0]?.reason).toBe('CreateContainerConfigError');
    expect(plan.waiting).toEqual([undefined]);
  });

  it('gives Memory emptyDirs and subPath folders the fsGroup too', () => {
    const p = podWith(undefined, { fsGroup: 2000 });
    p.containers[0]!.emptyDirs = [
      { name: 'mem', path: '/mem', memory: { sizeBytes: 1024 } },
      { name: 'disk', path: '/d', subPath: 'sub' },
    ];
    const plan = planPod(p, { dataDir: '/d', pauseImage: 'pause', createdAt: 0 });
    expect(plan.containers[0]!.HostConfig.Mounts?.[0]?.VolumeOptions?.DriverConfig?.Options.o).toBe(
      'size=1024,gid=2000,mode=2777',
    );
    expect(plan.paths.map((e) => [e.hostPath.replace(/.*\/empty/, ''), e.mode.toString(8), e.gid])).toEqual([
      ['/disk', '2777', 2000],
      ['/disk/sub', '2777', 2000],
    ]);
  });

  it('labels a container runAsNonRoot refuses, so observe shows why', () => {
    const plan = planPod(podWith(undefined, { runAsNonRoot: true }), {
      dataDir: '/d',
      pauseImage: 'pause',
      createdAt: 0,
      security: facts({ imageUsers: new Map([['web:1', '']]) }),
    });
    expect(plan.waiting[0]?.reason).toBe('CreateContainerConfigError');
    expect(plan.containers[0]!.Labels[LABELS.waitingReason]).toBe('CreateContainerConfigError');
    expect(plan.containers[0]!.Labels[LABELS.waitingMessage]).toContain('image will run as root');
  });
});

/** A Docker engine in memory: enough of the API for createPod and restartContainer. */
class MemoryDocker {
  readonly creates: DockerCreateBody[] = [];
  readonly started: string[] = [];
  readonly containers = new Map<string, { body: DockerCreateBody; running: boolean }>();
  constructor(private readonly imageUser: string) {}
  info = async () => ({ NCPU: 2, MemTotal: 1 << 30, SecurityOptions: ['name=seccomp,profile=builtin'] });
  getImage = (_name: string) => ({ inspect: async () => ({ Config: { User: this.imageUser } }) });
  createContainer = async (body: DockerCreateBody) => {
    const id = `id${this.containers.size}`;
    this.creates.push(body);
    this.containers.set(id, { body, running: false });
    return { id };
  };
  listContainers = async () =>
    [...this.containers].map(([id, c]) => ({
      Id: id,
      Names: [`/${c.body.name}`],
      Image: c.body.Image,
      Created: 1,
      State: c.running ? 'running' : 'created',
      Status: '',
      Labels: c.body.Labels,
    }));
  getContainer = (id: string) => ({
    start: async () => {
      this.containers.get(id)!.running = true;
      this.started.push(id);
    },
    stop: async () => {
      this.containers.get(id)!.running = false;
    },
    remove: async () => {
      this.containers.delete(id);
    },
    inspect: async () => {
      const c = this.containers.get(id)!;
      const b = c.body;
      return {
        State: { Running: c.running },
        Config: {
          Image: b.Image,
          Entrypoint: b.Entrypoint,
          Cmd: b.Cmd,
          Env: b.Env,
          WorkingDir: b.WorkingDir,
          User: b.User,
          Labels: b.Labels,
        },
        HostConfig: b.HostConfig,
      };
    },
  });
}

function runtimeOn(docker: MemoryDocker): DockerRuntime {
  const transport = stubTransport(docker);
  return new DockerRuntime(defaultClusterConfig('/tmp/x'), { transport: () => transport });
}

const SECURITY_FIELDS = [
  'GroupAdd',
  'CapAdd',
  'CapDrop',
  'Privileged',
  'ReadonlyRootfs',
  'SecurityOpt',
  'Sysctls',
] as const;
const securityOf = (b: DockerCreateBody) => ({
  User: b.User,
  ...Object.fromEntries(SECURITY_FIELDS.map((k) => [k, b.HostConfig[k]])),
});

describe('DockerRuntime: restarts keep the security settings', () => {
  it('a restarted container gets exactly the first one security settings', async () => {
    const docker = new MemoryDocker('');
    const rt = runtimeOn(docker);
    const pod = podWith(
      { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      {
        runAsUser: 1000,
        runAsGroup: 3000,
        fsGroup: 2000,
        sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }],
      },
    );
    await rt.createPod('local', pod);
    await rt.restartContainer({ host: 'local', namespace: 'default', name: 'web-1' }, 'main');
    const [first, again] = docker.creates.filter((b) => b.Labels[LABELS.container] === 'main');
    expect(securityOf(first!)).toEqual({
      User: '1000:3000',
      GroupAdd: ['2000'],
      CapAdd: undefined,
      CapDrop: ['ALL'],
      Privileged: undefined,
      ReadonlyRootfs: true,
      SecurityOpt: ['no-new-privileges:true'],
      Sysctls: { 'kernel.shm_rmid_forced': '1' },
    });
    expect(securityOf(again!)).toEqual(securityOf(first!));
    expect(again!.Labels[LABELS.restartCount]).toBe('1');
    await rt.close();
  });

  it('runAsNonRoot over a root image: the container is created, not started, and retried in place', async () => {
    const docker = new MemoryDocker('');
    const rt = runtimeOn(docker);
    await rt.createPod('local', podWith(undefined, { runAsNonRoot: true }));
    const app = () =>
      [...docker.containers.values()].filter((c) => c.body.Labels[LABELS.container] === 'main');
    expect(app().map((c) => [c.running, c.body.Labels[LABELS.waitingReason]])).toEqual([
      [false, 'CreateContainerConfigError'],
    ]);
    await rt.restartContainer({ host: 'local', namespace: 'default', name: 'web-1' }, 'main');
    expect(app().map((c) => [c.running, c.body.Labels[LABELS.restartCount], c.body.name])).toEqual([
      [false, '0', 'skiff_default_web-1_main_0'],
    ]);
    await rt.close();
  });
});

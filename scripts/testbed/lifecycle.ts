// Bringing the testbed up, inspecting it, and tearing it down. `up` is idempotent: a healthy
// testbed of the same size is reused; anything else (a crashed run's pids, namespaces,
// bridge, mounts, cgroups) is removed first. `down` stops everything by pid and removes every
// kernel object and folder it made, then checks that nothing is left.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderClusterConfig } from './cluster-config.js';
import {
  containerdPidOf,
  dockerAnswers,
  generateKey,
  publicKeyOf,
  sshdAnswers,
  startDockerd,
  startSshd,
  waitHostReady,
  writeHostFiles,
} from './host-daemons.js';
import { buildImages, imageCatalog } from './images.js';
import {
  AUTHORIZED_KEYS_FILE,
  BRIDGE,
  CLIENT_KEY_FILE,
  CLUSTER_CONFIG_FILE,
  type HostLayout,
  hostLayouts,
  KNOWN_HOSTS_FILE,
  MAX_HOST_COUNT,
  REGISTRY_DIR,
  REPO_DIR,
  RUN_DIR,
  SSH_DIR,
  TESTBED_DIR,
} from './layout.js';
import {
  createBridge,
  createHostNetwork,
  ensureClientNetworks,
  existingClientNamespaces,
  existingHostNamespaces,
  linkIsUp,
  removeNetwork,
  setLink,
} from './network.js';
import {
  findContainerPids,
  findTestbedPids,
  isAlive,
  isOurProcess,
  removeCgroups,
  signal,
  waitGone,
  withLock,
} from './processes.js';
import {
  manifestDigest,
  pushImage,
  REGISTRY_CONFIG_FILE,
  registryAnswers,
  startRegistry,
  waitRegistryReady,
} from './registry.js';
import { run, sleep, TestbedError } from './shell.js';
import {
  layoutsOf,
  readState,
  renderStatus,
  type TestbedState,
  type TestbedStatus,
  writeState,
} from './state.js';

export type Log = (line: string) => void;

const SYSTEM_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/** Daemons get a minimal environment: no proxy variables, so no pull can leave the testbed. */
const DAEMON_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
};

function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new TestbedError(
      'the testbed needs root (network namespaces, bridges, iptables)',
      'run it as root',
    );
  }
}

async function installDependencies(log: Log): Promise<void> {
  const result = await run('bash', [join(REPO_DIR, 'scripts', 'install-deps.sh')], { allowFailure: true });
  if (result.stdout.trim() !== '') log(result.stdout.trim());
  if (result.code !== 0) {
    throw new TestbedError(
      `installing Debian packages failed: ${result.stderr.trim()}`,
      'run scripts/install-deps.sh as root',
    );
  }
}

/** What is wrong with a recorded testbed right now (empty: healthy). Cut hosts are not a problem. */
export async function inspect(
  state: TestbedState,
): Promise<{ problems: string[]; linkUp: Record<string, boolean> }> {
  const problems: string[] = [];
  const linkUp: Record<string, boolean> = {};
  const namespaces = new Set(existingHostNamespaces());
  await Promise.all(
    layoutsOf(state).map(async (layout, i) => {
      const pids = state.hosts[i]!.pids;
      linkUp[layout.name] = await linkIsUp(layout);
      if (!namespaces.has(layout.name)) problems.push(`${layout.name}: namespace ${layout.netns} is missing`);
      if (!isOurProcess(pids.dockerd, layout.dockerSocket))
        problems.push(`${layout.name}: dockerd (pid ${pids.dockerd}) is not running`);
      else if (!(await dockerAnswers(layout).catch(() => false)))
        problems.push(`${layout.name}: dockerd does not answer`);
      if (!isOurProcess(pids.sshd, layout.sshdConfigFile))
        problems.push(`${layout.name}: sshd (pid ${pids.sshd}) is not running`);
      else if (linkUp[layout.name] && !(await sshdAnswers(layout)))
        problems.push(`${layout.name}: sshd does not answer`);
    }),
  );
  if (!isOurProcess(state.registryPid, REGISTRY_CONFIG_FILE))
    problems.push(`registry (pid ${state.registryPid}) is not running`);
  else if (!(await registryAnswers().catch(() => false))) problems.push('registry does not answer');
  return { problems: problems.sort(), linkUp };
}

export async function status(): Promise<TestbedStatus | undefined> {
  const state = readState();
  if (!state) return undefined;
  return renderStatus(state, await inspect(state));
}

/** Pushes any image the registry lacks (or holds at another digest). */
async function ensureImages(log: Log): Promise<void> {
  const images = await buildImages();
  let pushed = 0;
  const pushedBlobs = new Set<string>();
  for (const image of images) {
    if ((await manifestDigest(image.repository, image.tag)) === image.manifestDigest) continue;
    await pushImage(image, pushedBlobs);
    pushed++;
  }
  if (pushed > 0) log(`pushed ${pushed} image(s) to the registry`);
}

export interface UpOptions {
  hostCount: number;
  log: Log;
}

export async function up(opts: UpOptions): Promise<TestbedStatus> {
  assertRoot();
  await installDependencies(opts.log);
  return withLock(async () => {
    const existing = readState();
    if (existing && existing.hostCount === opts.hostCount) {
      const live = await inspect(existing);
      if (live.problems.length === 0) {
        await ensureImages(opts.log);
        const made = await ensureClientNetworks();
        if (made.length > 0) opts.log(`added client namespace(s) ${made.join(', ')}`);
        opts.log(`testbed already up (${existing.hostCount} hosts), reusing it`);
        // Not healed here: a test running against this testbed right now may have cut it.
        for (const [name, isUp] of Object.entries(live.linkUp)) {
          if (!isUp) opts.log(`note: ${name} is cut off (npm run testbed -- heal ${name})`);
        }
        return renderStatus(existing, live);
      }
      opts.log(`testbed is unhealthy (${live.problems.join('; ')}): rebuilding`);
    }
    await teardown(opts.log, false);
    try {
      const state = await build(opts.hostCount, opts.log);
      return renderStatus(state, await inspect(state));
    } catch (e) {
      const logs = collectLogTails();
      await teardown(opts.log, false).catch(() => {});
      throw new TestbedError(
        `testbed up failed: ${(e as Error).message}${logs ? `\n${logs}` : ''}`,
        (e as TestbedError).hint,
        e,
      );
    }
  });
}

function collectLogTails(): string {
  const files = [join(REGISTRY_DIR, 'registry.log')];
  for (const layout of hostLayouts(MAX_HOST_COUNT))
    if (existsSync(layout.dir)) files.push(layout.dockerLog, layout.sshdLog);
  const parts: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    if (lines.length > 0) parts.push(`--- ${file} (last lines)\n${lines.slice(-15).join('\n')}`);
  }
  return parts.join('\n');
}

async function build(hostCount: number, log: Log): Promise<TestbedState> {
  const started = Date.now();
  const hosts = hostLayouts(hostCount);
  for (const dir of [TESTBED_DIR, RUN_DIR, SSH_DIR]) mkdirSync(dir, { recursive: true });
  for (const host of hosts) writeHostFiles(host);
  await Promise.all([
    generateKey(CLIENT_KEY_FILE, 'skiff-testbed'),
    ...hosts.map((h) => generateKey(h.hostKeyFile, `${h.name}-host`)),
  ]);
  writeFileSync(AUTHORIZED_KEYS_FILE, `${publicKeyOf(CLIENT_KEY_FILE)} skiff-testbed\n`);
  const hostKeys = hosts.map((h) => publicKeyOf(h.hostKeyFile));
  writeFileSync(KNOWN_HOSTS_FILE, hosts.map((h, i) => `${h.address} ${hostKeys[i]}\n`).join(''));

  await createBridge();
  for (const host of hosts) await createHostNetwork(host);
  await ensureClientNetworks();
  if (existsSync(SYSTEM_CONTAINERD_SOCKET)) {
    // dockerd 20.10 uses a running system containerd instead of starting its own; each host
    // keeps its own containerd namespace, but shims then belong to that containerd.
    log(`note: ${SYSTEM_CONTAINERD_SOCKET} exists, so the hosts' engines share the system containerd`);
  }

  // Engines take a few seconds each: start them all, then build and push images meanwhile.
  const registryPid = startRegistry(DAEMON_ENV);
  const pids = hosts.map((h) => ({ dockerd: startDockerd(h, DAEMON_ENV), sshd: startSshd(h, DAEMON_ENV) }));
  const imagesReady = (async () => {
    await waitRegistryReady(registryPid);
    await ensureImages(log);
  })();
  await Promise.all([imagesReady, ...hosts.map((h, i) => waitHostReady(h, pids[i]!))]);

  const state: TestbedState = {
    hostCount,
    createdAt: new Date().toISOString(),
    hosts: hosts.map((h, i) => ({ name: h.name, pids: { ...pids[i]!, containerd: containerdPidOf(h) } })),
    registryPid,
    images: imageCatalog(),
  };
  writeState(state);
  writeFileSync(
    CLUSTER_CONFIG_FILE,
    renderClusterConfig(hosts.map((layout, i) => ({ layout, hostKey: hostKeys[i]! }))),
  );
  await Promise.all(hosts.map(checkSshLogin));
  log(`testbed up: ${hostCount} hosts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return state;
}

/** The whole chain a skiff host needs: key login, host key, SetEnv DOCKER_HOST, docker CLI. */
async function checkSshLogin(host: HostLayout): Promise<void> {
  const out = await run(
    'ssh',
    [...sshOptions(), `root@${host.address}`, 'hostname && docker version --format {{.Server.Version}}'],
    {
      timeoutMs: 20_000,
    },
  );
  const [name, version] = out.stdout.trim().split('\n');
  if (name !== host.name || !version) {
    throw new TestbedError(`ssh to ${host.name} reached "${name}" with docker "${version}"`);
  }
}

export function sshOptions(): string[] {
  return [
    '-i',
    CLIENT_KEY_FILE,
    '-o',
    `UserKnownHostsFile=${KNOWN_HOSTS_FILE}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
  ];
}

export async function down(log: Log): Promise<void> {
  assertRoot();
  await withLock(() => teardown(log, true));
}

/** Mount points under the testbed's folders, deepest first. */
function testbedMounts(): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((p) => p.startsWith(`${TESTBED_DIR}/`) || p.startsWith(`${RUN_DIR}/`) || p === RUN_DIR);
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** What a torn-down testbed must not have left: used by `down` and by the tests. */
export async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  const pids = findTestbedPids();
  if (pids.length > 0) found.push(`processes: ${pids.join(', ')}`);
  const namespaces = [...existingHostNamespaces(), ...existingClientNamespaces()];
  if (namespaces.length > 0) found.push(`namespaces: ${namespaces.join(', ')}`);
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
  const ours = [...links.matchAll(/^\d+: ((?:veth-[hc]\d+|skb0))[@:]/gm)].map((m) => m[1]);
  if (ours.length > 0) found.push(`links: ${ours.join(', ')}`);
  const rules = (await run('iptables-save', [])).stdout.split('\n').filter((l) => l.includes(BRIDGE));
  if (rules.length > 0) found.push(`iptables: ${rules.join(' | ')}`);
  const routes = (await run('ip', ['route', 'show', 'type', 'blackhole'])).stdout.trim();
  if (routes.includes('10.213.')) found.push(`routes: ${routes}`);
  const mounts = testbedMounts();
  if (mounts.length > 0) found.push(`mounts: ${mounts.join(', ')}`);
  for (const dir of [TESTBED_DIR, RUN_DIR]) if (existsSync(dir)) found.push(`folder: ${dir}`);
  return found;
}

async function teardown(log: Log, verbose: boolean): Promise<void> {
  const started = Date.now();
  const state = readState();
  const hadAnything =
    state !== undefined || existsSync(TESTBED_DIR) || existsSync(RUN_DIR) || findTestbedPids().length > 0;

  // Engines first and gently: each stops its containers and unmounts what it mounted.
  if (state) {
    const graceful: number[] = [];
    layoutsOf(state).forEach((layout, i) => {
      const { dockerd, sshd } = state.hosts[i]!.pids;
      if (isOurProcess(dockerd, layout.dockerSocket)) graceful.push(dockerd);
      if (isOurProcess(sshd, layout.sshdConfigFile)) graceful.push(sshd);
    });
    if (isOurProcess(state.registryPid, REGISTRY_CONFIG_FILE)) graceful.push(state.registryPid);
    signal(graceful, 'SIGTERM');
    // An engine waits up to each container's stop timeout (10 s by default) for containers
    // that ignore SIGTERM; they are going away anyway, so kill them while it shuts down.
    const deadline = Date.now() + 10_000;
    while (graceful.some(isAlive) && Date.now() < deadline) {
      signal(findContainerPids(), 'SIGKILL');
      await sleep(50);
    }
  }
  // Then everything else in the testbed's cgroups (shims, containers, ssh sessions), by pid.
  for (let round = 0; round < 5; round++) {
    const pids = findTestbedPids();
    if (pids.length === 0) break;
    signal(pids, 'SIGKILL');
    await waitGone(pids, 5_000);
  }
  for (const mount of testbedMounts()) {
    const unmounted = (await run('umount', [mount], { allowFailure: true })).code === 0;
    if (!unmounted) await run('umount', ['-l', mount], { allowFailure: true });
  }
  await removeNetwork();
  removeCgroups();
  rmSync(TESTBED_DIR, { recursive: true, force: true });
  rmSync(RUN_DIR, { recursive: true, force: true });

  const left = await leftovers();
  if (left.length > 0) throw new TestbedError(`testbed down left things behind: ${left.join('; ')}`);
  if (verbose || hadAnything) {
    log(
      hadAnything
        ? `testbed down in ${((Date.now() - started) / 1000).toFixed(1)} s`
        : 'testbed was not up: nothing to remove',
    );
  }
}

export async function cut(host: HostLayout): Promise<void> {
  await setLink(host, 'down');
}

export async function heal(host: HostLayout): Promise<void> {
  await setLink(host, 'up');
}

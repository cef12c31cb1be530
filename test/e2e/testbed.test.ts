// Proves the testbed is the real thing every other e2e test relies on: three hosts with their
// own engines and sshds, a registry they pull from, host-to-host traffic over the bridge, the
// web test image behaving as specified, no way out of the testbed, the CLI's cut/heal/exec/
// status, and an `up` that recovers from a crash and a `down` that leaves nothing behind.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client, utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_DIR } from '../../scripts/testbed/layout.js';
import { down, leftovers, status, up } from '../../scripts/testbed/lifecycle.js';
import { run } from '../../scripts/testbed/shell.js';
import { readState } from '../../scripts/testbed/state.js';
import {
  cutHost,
  docker,
  type ExecResult,
  eventually,
  healHost,
  host,
  hostExec,
  httpGet,
  testbed,
} from '../support/testbed.js';

const tb = testbed();
const RUN = `tb${process.pid}`;
const webImage = (version: string): string => {
  const ref = tb.images.web.find((r) => r.endsWith(`:${version}`));
  if (!ref) throw new Error(`no web image ${version} in ${tb.images.web.join(', ')}`);
  return ref;
};
const busybox = tb.images.busybox[0]!;
const nginx = tb.images.nginx[0]!;

interface ConfigHost {
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyFile: string;
  hostKey: string;
  dockerSocket: string;
  dataDir: string;
  labels: Record<string, string>;
  taints: unknown[];
}

function clusterConfig(): {
  hosts: ConfigHost[];
  registries: { server: string; insecure: boolean }[];
  network: { serviceCIDR: string };
} {
  return parse(readFileSync(tb.config, 'utf8'));
}

/** Runs the testbed CLI (`npm run testbed -- ARGS`) and collects its output. */
function cli(args: readonly string[]): Promise<ExecResult> {
  const tsx = join(REPO_DIR, 'node_modules', '.bin', 'tsx');
  return run(tsx, [join(REPO_DIR, 'scripts', 'testbed', 'main.ts'), ...args], { allowFailure: true });
}

/** Whether a TCP connection to address:port opens within timeoutMs (from the root namespace). */
function tcpOpens(address: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** An HTTP GET sent with nc from a throwaway busybox container on `fromHost`. */
async function getFromContainer(
  fromHost: string,
  address: string,
  port: number,
  path: string,
): Promise<ExecResult> {
  return hostExec(fromHost, [
    'docker',
    'run',
    '--rm',
    busybox,
    'sh',
    '-c',
    `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${address} ${port}`,
  ]);
}

interface SshOutcome {
  output?: string;
  error?: string;
}

/** Connects with ssh2 (as skiff does), verifying the host key, and runs one command. */
function sshRun(
  cfg: ConfigHost,
  command: string,
  privateKey: Buffer | string,
  expectedHostKey: string,
): Promise<SshOutcome> {
  const expected = Buffer.from(expectedHostKey.split(' ')[1] ?? '', 'base64');
  return new Promise((resolvePromise) => {
    const conn = new Client();
    conn.on('ready', () => {
      conn.exec(command, (err, stream) => {
        if (err) {
          conn.end();
          resolvePromise({ error: err.message });
          return;
        }
        let output = '';
        stream.on('data', (d: Buffer) => {
          output += d.toString('utf8');
        });
        stream.stderr.on('data', (d: Buffer) => {
          output += d.toString('utf8');
        });
        stream.on('close', () => {
          conn.end();
          resolvePromise({ output });
        });
      });
    });
    conn.on('error', (e) => resolvePromise({ error: e.message }));
    conn.connect({
      host: cfg.address,
      port: cfg.port,
      username: cfg.user,
      privateKey,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => key.equals(expected),
    });
  });
}

/** Total CPU time (ns) a container has used, from the engine's stats API over its socket. */
function containerCpuNs(hostName: string, id: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        socketPath: host(hostName).dockerSocket,
        path: `/containers/${id}/stats?stream=false&one-shot=true`,
        method: 'GET',
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        res.on('end', () =>
          resolvePromise(
            (JSON.parse(body) as { cpu_stats: { cpu_usage: { total_usage: number } } }).cpu_stats.cpu_usage
              .total_usage,
          ),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function runWeb(
  hostName: string,
  name: string,
  port: number,
  extra: string[],
  image: string,
  args: string[] = [],
): Promise<string> {
  return docker(hostName, ['run', '-d', '--name', name, '-p', `${port}:8080`, ...extra, image, ...args]);
}

async function removeContainers(hostName: string, names: string[]): Promise<void> {
  await hostExec(hostName, ['docker', 'rm', '-f', ...names]);
}

describe('hosts', () => {
  it('has three hosts, each with its own Docker engine (distinct engine IDs, named after the host)', async () => {
    expect(tb.hosts.map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    expect(tb.hosts.map((h) => h.address)).toEqual(['10.213.0.11', '10.213.0.12', '10.213.0.13']);
    const infos = await Promise.all(
      tb.hosts.map((h) => docker(h.name, ['info', '--format', '{{.ID}} {{.Name}}'])),
    );
    const ids = infos.map((i) => i.split(' ')[0]);
    expect(new Set(ids).size).toBe(3);
    expect(infos.map((i) => i.split(' ')[1])).toEqual(['h1', 'h2', 'h3']);
    // And each engine only sees its own containers.
    const id = await docker('h1', ['create', '--name', `${RUN}-only-h1`, busybox, 'true']);
    try {
      expect(await docker('h1', ['ps', '-aq', '--no-trunc'])).toContain(id);
      expect(await docker('h2', ['ps', '-aq', '--no-trunc'])).not.toContain(id);
    } finally {
      await removeContainers('h1', [`${RUN}-only-h1`]);
    }
  });

  it('gives hosts no default route, and blackholes the service range in hosts and root namespace', async () => {
    for (const h of tb.hosts) {
      const routes = await hostExec(h.name, ['ip', 'route', 'show']);
      expect(routes.stdout).not.toMatch(/^default/m);
      expect(routes.stdout).toContain(`blackhole ${tb.serviceCIDR}`);
      // A route lookup sends nothing: it only asks the kernel where a packet would go.
      const outside = await hostExec(h.name, ['ip', 'route', 'get', '203.0.113.7']);
      expect(outside.code).not.toBe(0);
      expect(outside.stderr).toMatch(/unreachable/i);
    }
    expect(execFileSync('ip', ['route', 'show', 'type', 'blackhole'], { encoding: 'utf8' })).toContain(
      tb.serviceCIDR,
    );
  });

  it('writes a cluster config whose keys log in over ssh, with host keys that match the hosts', async () => {
    const cfg = clusterConfig();
    expect(cfg.registries).toEqual([{ server: tb.registry, insecure: true }]);
    expect(cfg.network.serviceCIDR).toBe('10.213.200.0/24');
    expect(cfg.hosts.map((h) => [h.name, h.address, h.port, h.user, h.labels.zone])).toEqual([
      ['h1', '10.213.0.11', 22, 'root', 'zone-a'],
      ['h2', '10.213.0.12', 22, 'root', 'zone-b'],
      ['h3', '10.213.0.13', 22, 'root', 'zone-c'],
    ]);
    for (const h of cfg.hosts) {
      const key = readFileSync(h.privateKeyFile);
      const ok = await sshRun(
        h,
        'hostname; echo "$DOCKER_HOST"; docker info --format "{{.Name}}"',
        key,
        h.hostKey,
      );
      expect(ok).toEqual({ output: `${h.name}\nunix://${h.dockerSocket}\n${h.name}\n` });
      expect(h.dockerSocket).toBe(host(h.name).dockerSocket);
    }
  });

  it('refuses a wrong host key and an unknown client key', async () => {
    const [h1, h2] = clusterConfig().hosts;
    const key = readFileSync(h1!.privateKeyFile);
    const wrongHostKey = await sshRun(h1!, 'true', key, h2!.hostKey);
    expect(wrongHostKey.error).toMatch(/verification failed/i);
    // ECDSA: ssh2 sometimes cannot parse the ed25519 private keys it generates itself
    // ("Malformed OpenSSH private key", seen once in CI); the test is about the server refusing it.
    const stranger = utils.generateKeyPairSync('ecdsa', { bits: 256 });
    const wrongClient = await sshRun(h1!, 'true', stranger.private, h1!.hostKey);
    expect(wrongClient.error).toMatch(/authentication/i);
  });
});

describe('registry and host-to-host traffic', () => {
  const name = `${RUN}-cross`;
  afterAll(async () => removeContainers('h2', [name]));

  it('lets a container on h1 pull from the registry and reach a container published on h2', async () => {
    await hostExec('h1', ['docker', 'rmi', '-f', busybox]);
    await runWeb('h2', name, 18101, [], webImage('1.0.0'));
    const reply = await eventually('web on h2 seen from a container on h1', async () => {
      const r = await getFromContainer('h1', '10.213.0.12', 18101, '/');
      return /^web 1\.0\.0 \S+$/m.test(r.stdout) ? r : undefined;
    });
    expect(reply.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(
      await docker('h1', ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', busybox]),
    ).toContain(`${tb.registry}/skiff/busybox@sha256:`);
  });
});

describe('the web test image', () => {
  const name = `${RUN}-web`;
  const port = 18111;
  const address = host('h3').address;
  let id = '';

  beforeAll(async () => {
    id = await runWeb('h3', name, port, ['-e', 'DATABASE_HOST=db.example.com'], webImage('3.0.0'));
    await eventually('web on h3', async () =>
      (await httpGet(address, port, '/healthz')).status === 200 ? true : undefined,
    );
  });
  afterAll(async () => removeContainers('h3', [name]));

  it('answers /, /version, /healthz, /ready, /env and 404 elsewhere', async () => {
    expect(await httpGet(address, port, '/')).toEqual({
      status: 200,
      body: `web 3.0.0 ${id.slice(0, 12)}\n`,
    });
    expect(await httpGet(address, port, '/version')).toEqual({ status: 200, body: '3.0.0\n' });
    expect(await httpGet(address, port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await httpGet(address, port, '/ready')).toEqual({ status: 200, body: 'ready\n' });
    const env = await httpGet(address, port, '/env');
    expect(env.status).toBe(200);
    expect(env.body.split('\n')).toEqual(
      expect.arrayContaining(['DATABASE_HOST=db.example.com', 'VERSION=3.0.0', 'PORT=8080']),
    );
    expect((await httpGet(address, port, '/nope')).status).toBe(404);
  });

  it('flips /ready with /tmp/unready and /healthz with /tmp/unhealthy', async () => {
    await docker('h3', ['exec', name, 'touch', '/tmp/unready']);
    expect(await httpGet(address, port, '/ready')).toEqual({ status: 503, body: 'not ready\n' });
    expect((await httpGet(address, port, '/healthz')).status).toBe(200);
    await docker('h3', ['exec', name, 'rm', '/tmp/unready']);
    expect((await httpGet(address, port, '/ready')).status).toBe(200);
    await docker('h3', ['exec', name, 'touch', '/tmp/unhealthy']);
    expect(await httpGet(address, port, '/healthz')).toEqual({ status: 500, body: 'unhealthy\n' });
    await docker('h3', ['exec', name, 'rm', '/tmp/unhealthy']);
    expect((await httpGet(address, port, '/healthz')).status).toBe(200);
  });

  it('burns CPU on /burn?ms=N', async () => {
    const before = await containerCpuNs('h3', id);
    const answer = await httpGet(address, port, '/burn?ms=800', 10_000);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^burned 800ms/);
    const used = (await containerCpuNs('h3', id)) - before;
    // Spinning for 800 ms of wall time uses most of a core; allow for a busy machine.
    expect(used).toBeGreaterThan(200e6);
    expect((await httpGet(address, port, '/burn?ms=lots')).status).toBe(400);
  });

  it('serves many short concurrent connections', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => httpGet(address, port, '/version', 30_000)),
    );
    expect(answers.filter((a) => a.status === 200 && a.body === '3.0.0\n')).toHaveLength(200);
  });

  it('takes VERSION, HEALTHY and READY from the environment, and KEY=VALUE arguments', async () => {
    const fromEnv = `${RUN}-env`;
    const fromArgs = `${RUN}-args`;
    try {
      await runWeb(
        'h3',
        fromEnv,
        18112,
        ['-e', 'VERSION=9.9.9', '-e', 'HEALTHY=false', '-e', 'READY=false'],
        webImage('1.0.0'),
      );
      await docker('h3', [
        'run',
        '-d',
        '--name',
        fromArgs,
        '-p',
        '18113:9090',
        webImage('1.0.0'),
        'VERSION=7.7.7',
        'PORT=9090',
      ]);
      const version = await eventually('web with VERSION from env', async () => {
        const a = await httpGet(address, 18112, '/version');
        return a.status === 200 ? a.body : undefined;
      });
      expect(version).toBe('9.9.9\n');
      expect((await httpGet(address, 18112, '/healthz')).status).toBe(500);
      expect((await httpGet(address, 18112, '/ready')).status).toBe(503);
      const fromArgsVersion = await eventually('web with VERSION and PORT from args', async () => {
        const a = await httpGet(address, 18113, '/version');
        return a.status === 200 ? a.body : undefined;
      });
      expect(fromArgsVersion).toBe('7.7.7\n');
    } finally {
      await removeContainers('h3', [fromEnv, fromArgs]);
    }
  });

  it('waits STARTUP_DELAY seconds before listening, and still stops at once on SIGTERM', async () => {
    const slow = `${RUN}-slow`;
    try {
      await runWeb('h3', slow, 18114, ['-e', 'STARTUP_DELAY=120'], webImage('2.0.0'));
      expect(
        await eventually('the start-up log line', async () => {
          const logs = await hostExec('h3', ['docker', 'logs', slow]);
          return logs.stdout.includes('starting in 120s') ? logs.stdout : undefined;
        }),
      ).toContain('web 2.0.0 starting in 120s');
      await expect(httpGet(address, 18114, '/healthz', 2000)).rejects.toThrow();
      // With a 1 s stop timeout, a container that ignored SIGTERM would be SIGKILLed (137).
      await docker('h3', ['stop', '-t', '1', slow]);
      expect(await docker('h3', ['inspect', '--format', '{{.State.ExitCode}}', slow])).toBe('0');
    } finally {
      await removeContainers('h3', [slow]);
    }
  });

  it('exits on SIGTERM within 1 s', async () => {
    await docker('h3', ['stop', '-t', '1', name]);
    expect(
      await docker('h3', ['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', name]),
    ).toBe('0 false');
  });

  it('has an nginx stand-in serving HTTP on port 80 that also stops on SIGTERM', async () => {
    const web = `${RUN}-nginx`;
    try {
      await docker('h2', ['run', '-d', '--name', web, '-p', '18115:80', nginx]);
      const page = await eventually('nginx stand-in', async () => {
        const a = await httpGet(host('h2').address, 18115, '/');
        return a.status === 200 ? a.body : undefined;
      });
      expect(page).toContain('Welcome to nginx!');
      await docker('h2', ['stop', '-t', '1', web]);
      expect(await docker('h2', ['inspect', '--format', '{{.State.ExitCode}}', web])).toBe('0');
    } finally {
      await removeContainers('h2', [web]);
    }
  });
});

describe('testbed CLI', () => {
  it('status -o json describes hosts, registry, images, config and service range', async () => {
    const r = await cli(['status', '-o', 'json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      up: true,
      registry: '10.213.0.1:5000',
      config: tb.config,
      serviceCIDR: '10.213.200.0/24',
      images: {
        web: [
          '10.213.0.1:5000/skiff/web:1.0.0',
          '10.213.0.1:5000/skiff/web:2.0.0',
          '10.213.0.1:5000/skiff/web:3.0.0',
        ],
        nginx: ['10.213.0.1:5000/skiff/nginx:1.25'],
        busybox: ['10.213.0.1:5000/skiff/busybox:1.36'],
      },
    });
    expect(
      s.hosts.map((h: { name: string; netns: string; sshPort: number }) => [h.name, h.netns, h.sshPort]),
    ).toEqual([
      ['h1', 'skiff-h1', 22],
      ['h2', 'skiff-h2', 22],
      ['h3', 'skiff-h3', 22],
    ]);
    expect(s.hosts[0].pids.dockerd).toBeGreaterThan(1);
  });

  it("exec runs a command in a host's namespace with DOCKER_HOST set to its engine", async () => {
    const r = await cli([
      'exec',
      'h2',
      'sh',
      '-c',
      'hostname; ip -o -4 addr show dev eth0; docker info --format "{{.Name}}"',
    ]);
    expect(r.code).toBe(0);
    const [name, addr, engine] = r.stdout.trim().split('\n');
    expect(name).toBe('h2');
    expect(addr).toContain('10.213.0.12/24');
    expect(engine).toBe('h2');
    expect((await cli(['exec', 'h2', 'false'])).code).toBe(1);
    expect((await cli(['exec', 'h9', 'true'])).code).not.toBe(0);
  });

  it('cut partitions a host and heal brings it back', async () => {
    const h2 = host('h2');
    try {
      expect((await cli(['cut', 'h2'])).code).toBe(0);
      expect(await tcpOpens(h2.address, 22)).toBe(false);
      expect(await tcpOpens(host('h1').address, 22)).toBe(true);
      const fromH1 = await hostExec('h1', ['nc', '-z', '-w', '1', h2.address, '22']);
      expect(fromH1.code).not.toBe(0);
      const s = JSON.parse((await cli(['status', '-o', 'json'])).stdout);
      expect(s.hosts.map((h: { linkUp: boolean }) => h.linkUp)).toEqual([true, false, true]);
      expect(s.up).toBe(true);
    } finally {
      expect((await cli(['heal', 'h2'])).code).toBe(0);
    }
    expect(
      await eventually(
        'h2 reachable again',
        async () => ((await tcpOpens(h2.address, 22)) ? true : undefined),
        10_000,
      ),
    ).toBe(true);
    // The support helper does the same without the CLI.
    await cutHost('h3');
    expect(await tcpOpens(host('h3').address, 22)).toBe(false);
    await healHost('h3');
    expect(
      await eventually(
        'h3 reachable again',
        async () => ((await tcpOpens(host('h3').address, 22)) ? true : undefined),
        10_000,
      ),
    ).toBe(true);
  });
});

describe('lifecycle', () => {
  it('rebuilds after a crash, and down leaves nothing behind', async () => {
    const log = (): void => {};
    // A crash: the daemons die abruptly, leaving containerd, shims, containers, mounts,
    // namespaces, the bridge and the iptables rule behind.
    await docker('h1', ['run', '-d', '--restart', 'always', busybox, 'sleep', '3600']);
    const crashed = readState()!;
    for (const pid of [...crashed.hosts.flatMap((h) => [h.pids.dockerd, h.pids.sshd]), crashed.registryPid]) {
      process.kill(pid, 'SIGKILL');
    }
    const broken = await eventually('the crash to show', async () => {
      const s = await status();
      return s && !s.up ? s : undefined;
    });
    expect(broken.problems?.length).toBeGreaterThan(0);

    const rebuilt = await up({ hostCount: 3, log });
    expect(rebuilt.up).toBe(true);
    expect(rebuilt.hosts[0]!.pids.dockerd).not.toBe(crashed.hosts[0]!.pids.dockerd);
    expect(await docker('h1', ['ps', '-aq'])).toBe('');

    await down(log);
    expect(await leftovers()).toEqual([]);
    const netns = await hostExec('h1', ['true']).catch((e: Error) => ({
      code: -1,
      stdout: '',
      stderr: e.message,
    }));
    expect(netns.code).not.toBe(0);

    // Later test files need the testbed: the same up as global setup.
    expect((await up({ hostCount: 3, log })).up).toBe(true);
  });
});

// DockerRuntime on the real 3-host testbed: the shared Runtime contract, then what only a real
// engine can show: a pull from the registry, a multi-container pod sharing localhost, files
// and secrets on the host, logs, exec, stats, host commands and TCP from the host, a host cut
// off (NotReady while the others answer) and healed, and a host key that does not match.
// Every container made here is removed, and the suite checks that none is left.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../../scripts/testbed/layout.js';
import type { HostRow } from '../../src/cli/commands/hosts.js';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import type { DesiredPod } from '../../src/model/desired.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { HostKeyError } from '../../src/runtime/errors.js';
import { type HostTransport, transportFor } from '../../src/runtime/host-transport.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { cpuRate } from '../../src/runtime/usage-rates.js';
import {
  cutHost,
  docker,
  eventually,
  healHost,
  httpGet,
  restartDockerd,
  testbed,
} from '../support/testbed.js';
import { runtimeContract, sleeperPod } from '../unit/runtime/runtime-contract.js';

const tb = testbed();
const RUN = `rt${process.pid}`;
const busybox = tb.images.busybox[0]!;
const web = tb.images.web.find((r) => r.endsWith(':1.0.0'))!;
const hostNames = tb.hosts.map((h) => h.name) as [string, string, string];

/** The testbed's config with fast failure detection, so a cut is seen within seconds. */
async function fastConfig(): Promise<ClusterConfig> {
  const config = await loadClusterConfig(tb.config);
  return {
    ...config,
    connection: {
      ...config.connection,
      connectTimeoutSeconds: 3,
      keepaliveIntervalSeconds: 1,
      keepaliveCountMax: 2,
      observeTimeoutSeconds: 2,
      callTimeoutSeconds: 5,
      reconnectMinSeconds: 0.2,
      reconnectMaxSeconds: 1,
    },
  };
}

async function removeNamespace(rt: Runtime, namespace: string): Promise<void> {
  const o = await rt.observe();
  await Promise.all(
    o.pods
      .filter((p) => p.namespace === namespace)
      .map((p) => rt.deletePod({ host: p.host, namespace, name: p.name }, 0)),
  );
  for (const h of hostNames) {
    const left = await docker(h, ['ps', '-aq', '--filter', `label=skiff.io/namespace=${namespace}`]);
    expect(left, `containers of ${namespace} left on ${h}`).toBe('');
  }
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of s) text += chunk.toString();
  return text;
}

runtimeContract('DockerRuntime on the testbed', async () => {
  const runtime = new DockerRuntime(await fastConfig());
  const namespace = `${RUN}-contract`;
  return {
    runtime,
    hosts: hostNames,
    image: busybox,
    namespace,
    cleanup: async () => {
      await removeNamespace(runtime, namespace);
      await runtime.close();
    },
  };
});

describe('DockerRuntime on the testbed', () => {
  const ns = `${RUN}-e2e`;
  let rt: DockerRuntime;
  let config: ClusterConfig;
  beforeAll(async () => {
    config = await fastConfig();
    rt = new DockerRuntime(config);
  });
  afterAll(async () => {
    await healHost('h3').catch(() => {});
    if (rt) {
      await removeNamespace(rt, ns);
      await rt.close();
    }
  });

  function webPod(
    name: string,
    pullPolicy: DesiredPod['containers'][number]['pullPolicy'] = 'IfNotPresent',
  ): DesiredPod {
    const pod = sleeperPod(name, { image: web, namespace: ns, containers: ['web', 'client'] });
    const [w, c] = pod.containers;
    Object.assign(w!, {
      image: web,
      pullPolicy,
      command: undefined,
      args: undefined,
      env: [{ name: 'VERSION', value: 'e2e', secret: false }],
    });
    Object.assign(c!, { image: busybox, ports: [] });
    w!.files = [
      {
        path: '/etc/app/config.txt',
        contentBase64: Buffer.from('from-configmap\n').toString('base64'),
        mode: 0o644,
        secret: false,
      },
      {
        path: '/etc/app-secret/token',
        contentBase64: Buffer.from('s3cr3t\n').toString('base64'),
        mode: 0o644,
        secret: true,
      },
    ];
    w!.emptyDirs = [{ name: 'shared', path: '/shared' }];
    c!.emptyDirs = [{ name: 'shared', path: '/data' }];
    pod.spec.containers[0]!.image = web;
    pod.spec.containers[1]!.image = busybox;
    return pod;
  }

  /** A runtime of its own, its Docker calls on h2 counted by operation, with the pod `name`
   *  running on h2 and h2 quiet: the event stream is up and h2 was listed after it came up, so
   *  a pass only reads its claim volumes. */
  async function quietPodOnH2(name: string) {
    const calls: string[] = [];
    const observer = {
      dockerCall: (host: string, operation: string) => {
        if (host === 'h2') calls.push(operation);
      },
      sshConnect: () => {},
      sshDropped: () => {},
    };
    const watcher = new DockerRuntime(config, { observer });
    const appOf = async () =>
      (await watcher.observe()).pods.find((p) => p.host === 'h2' && p.name === name)?.containers[0];
    const quiet = () =>
      eventually('quiet passes read only volumes on h2', async () => {
        calls.length = 0;
        await watcher.observe();
        await watcher.observe();
        return calls.join() === 'list volumes,list volumes' ? true : undefined;
      });
    try {
      await watcher.createPod('h2', sleeperPod(name, { image: busybox, namespace: ns }));
      await eventually(`${name} running`, async () =>
        (await appOf())?.state === 'running' ? true : undefined,
      );
      await quiet();
    } catch (err) {
      await watcher.close();
      throw err;
    }
    return { watcher, calls, appOf, quiet };
  }

  it('pulls the image from the registry and serves on a Docker-assigned host port', async () => {
    await docker('h3', ['rmi', '-f', web]).catch(() => {});
    await rt.createPod('h3', webPod('pulled', 'Always'));
    const images = await docker('h3', ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.split('\n')).toContain(web);
    const pod = (await rt.observe()).pods.find((p) => p.namespace === ns && p.name === 'pulled');
    const port = pod?.publishedPorts.find((p) => p.containerPort === 8080)?.hostPort;
    expect(port).toBeGreaterThan(0);
    const answer = await eventually('the web app to answer', async () => {
      const r = await httpGet(tb.hosts.find((h) => h.name === 'h3')!.address, port!, '/version');
      return r.status === 200 ? r : undefined;
    });
    expect(answer.body.trim()).toBe('e2e');
  });

  it('runs a multi-container pod sharing localhost, emptyDir, and files from the host', async () => {
    const ref = { host: 'h1', namespace: ns, name: 'shared' };
    await rt.createPod('h1', webPod('shared'));
    const http = await eventually('the web container on localhost', async () => {
      const r = await rt.exec(ref, 'client', [
        'sh',
        '-c',
        `printf 'GET /version HTTP/1.0\\r\\n\\r\\n' | nc -w 2 127.0.0.1 8080`,
      ]);
      return r.stdout.includes('200 OK') ? r : undefined;
    });
    expect(http.stdout).toContain('e2e');
    await rt.exec(ref, 'web', ['sh', '-c', 'echo hello > /shared/x']);
    expect((await rt.exec(ref, 'client', ['cat', '/data/x'])).stdout).toBe('hello\n');
    const files = await rt.exec(ref, 'web', [
      'sh',
      '-c',
      'cat /etc/app/config.txt /etc/app-secret/token; echo > /etc/app/config.txt',
    ]);
    expect(files.stdout).toBe('from-configmap\ns3cr3t\n');
    expect(files.exitCode).not.toBe(0); // mounted read-only
    const podDir = `${config.hosts.find((h) => h.name === 'h1')!.dataDir}/pods/${ns}/shared`;
    const modes = await rt.execOnHost(
      'h1',
      `stat -c '%a %n' ${podDir}/secrets/web/etc/app-secret/token ${podDir}/files/web/etc/app/config.txt ${podDir}/secrets`,
    );
    // Files keep Kubernetes' defaultMode (0644: a container running as another user reads its
    // own secret); on the host, the secrets folder is root's alone.
    expect(modes.stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(['644', '644', '700', '']);
    await rt.deletePod(ref, 2);
    expect((await rt.execOnHost('h1', `test -e ${podDir}; echo $?`)).stdout.trim()).toBe('1');
  });

  it('returns logs (tail and follow) and exec results with exit codes and stderr', async () => {
    const pod = sleeperPod('talker', { image: busybox, namespace: ns });
    pod.containers[0]!.command = [
      'sh',
      '-c',
      'for i in 1 2 3; do echo line$i; done; trap "exit 0" TERM; while true; do sleep 1; done',
    ];
    const ref = { host: 'h2', namespace: ns, name: 'talker' };
    await rt.createPod('h2', pod);
    const tail = await eventually('three log lines', async () => {
      const t = await readAll(await rt.logs(ref, { tail: 2 }));
      return t === 'line2\nline3\n' ? t : undefined;
    });
    expect(tail).toBe('line2\nline3\n');
    const follow = await rt.logs(ref, { follow: true, tail: 0 });
    const seen = new Promise<string>((resolve) => {
      let text = '';
      follow.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('followed')) resolve(text);
      });
    });
    await rt.exec(ref, 'main', ['sh', '-c', 'echo followed > /proc/1/fd/1']);
    expect(await seen).toBe('followed\n');
    (follow as unknown as { destroy(): void }).destroy();
    expect(await rt.exec(ref, 'main', ['sh', '-c', 'echo out; echo err >&2; exit 7'])).toEqual({
      exitCode: 7,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    await expect(rt.exec(ref, 'main', ['sleep', '10'], 500)).rejects.toMatchObject({
      code: 'runtime.timeout',
    });
  });

  it('reports CPU within the pod limit and memory for a busy container', async () => {
    const pod = sleeperPod('burner', { image: busybox, namespace: ns });
    pod.containers[0]!.command = ['sh', '-c', 'while :; do :; done'];
    pod.containers[0]!.limits = { cpuMilli: 300, memoryBytes: 64 * 1024 * 1024 };
    await rt.createPod('h2', pod);
    await rt.stats('h2');
    await new Promise((r) => setTimeout(r, 2000));
    const burner = (await rt.stats('h2')).find((s) => s.namespace === ns && s.pod === 'burner');
    expect(burner?.cpuMilli).toBeGreaterThan(50);
    expect(burner?.cpuMilli).toBeLessThan(450);
    expect(burner?.memoryBytes).toBeGreaterThan(0);
    // The same from the cgroup counters (the metrics sweep's read): two reads 2 s apart.
    const usageOf = async () =>
      (await rt.sampleStats('h2')).find((s) => s.namespace === ns && s.pod === 'burner');
    const before = await usageOf();
    await new Promise((r) => setTimeout(r, 2000));
    const after = await usageOf();
    expect(after?.source).toBe('cgroup');
    const rate = cpuRate(after!, before!);
    expect(rate?.windowMs).toBeGreaterThanOrEqual(1900);
    expect(rate?.cpuMilli).toBeGreaterThan(50);
    expect(rate?.cpuMilli).toBeLessThan(450);
    expect(after?.memoryBytes).toBeGreaterThan(0);
    await rt.deletePod({ host: 'h2', namespace: ns, name: 'burner' }, 0);
  });

  it('reads usage from the Docker stats API where the cgroup files cannot be read, saying so once', async () => {
    const warnings: string[] = [];
    // The real transports, except that the cgroup read finds no cgroup filesystem.
    const withoutCgroups = (t: HostTransport): HostTransport => ({
      docker: t.docker,
      connected: () => t.connected(),
      ready: () => t.ready(),
      writePaths: (entries) => t.writePaths(entries),
      removeTree: (path) => t.removeTree(path),
      exec: (command, stdin, timeoutMs) => t.exec(command, stdin, timeoutMs),
      runScript: async () => ({ exitCode: 0, stdout: 'skiff-uptime 1.00\nskiff-cgroup none\n', stderr: '' }),
      connectTcp: (ip, port) => t.connectTcp(ip, port),
      close: () => t.close(),
    });
    const fallback = new DockerRuntime(config, {
      logger: { info: () => {}, warn: (_o, msg) => warnings.push(msg) },
      transport: (host, opts) => withoutCgroups(transportFor(host, opts)),
    });
    try {
      await rt.createPod('h3', sleeperPod('fallback', { image: busybox, namespace: ns }));
      const usageOf = async () =>
        (await fallback.sampleStats('h3')).find((u) => u.namespace === ns && u.pod === 'fallback');
      const before = await usageOf();
      const after = await usageOf();
      expect(before?.source).toBe('docker-api');
      expect(after?.cpuUsageNanos).toBeGreaterThanOrEqual(before!.cpuUsageNanos);
      // The engine's read times: a tick (about 1 s) or more apart.
      expect(after!.counterClockMs - before!.counterClockMs).toBeGreaterThan(500);
      expect(cpuRate(after!, before!)?.cpuMilli).toBeLessThan(100);
      expect(warnings).toEqual([
        'host/h3: reading container usage from the Docker stats API (slow: about 1 s per call)',
      ]);
    } finally {
      await fallback.close();
      await rt.deletePod({ host: 'h3', namespace: ns, name: 'fallback' }, 0);
    }
  });

  it('runs commands on the host and opens TCP connections from the host to a pod', async () => {
    expect(await rt.execOnHost('h1', 'cat; hostname -I', 'from-stdin\n')).toMatchObject({
      exitCode: 0,
      stdout: expect.stringMatching(/^from-stdin\n.*10\.213\.0\.11/),
    });
    expect((await rt.execOnHost('h1', 'exit 3')).exitCode).toBe(3);
    await rt.createPod('h1', webPod('tcp'));
    const pod = (await rt.observe()).pods.find((p) => p.namespace === ns && p.name === 'tcp');
    const answer = await eventually('a TCP answer from the pod IP', async () => {
      const sock = await rt.connectTcp('h1', pod!.ip!, 8080);
      sock.end('GET /version HTTP/1.0\r\n\r\n');
      const text = await readAll(sock);
      return text.includes('200 OK') ? text : undefined;
    });
    expect(answer).toContain('e2e');
  });

  it('drives an engine through its local socket with no SSH (a `local` host)', async () => {
    const h1 = config.hosts.find((h) => h.name === 'h1')!;
    const local = new DockerRuntime({
      ...config,
      hosts: [
        {
          kind: 'local',
          name: 'laptop',
          address: h1.address,
          dockerSocket: h1.dockerSocket,
          dataDir: `${h1.dataDir}-local`,
          labels: {},
          taints: [],
        },
      ],
    });
    try {
      const ref = { host: 'laptop', namespace: ns, name: 'local' };
      const pod = sleeperPod('local', { image: busybox, namespace: ns });
      pod.containers[0]!.files = [
        {
          path: '/etc/local/secret',
          contentBase64: Buffer.from('x').toString('base64'),
          mode: 0o644,
          secret: true,
        },
      ];
      await local.createPod('laptop', pod);
      // The same engine as h1 (which may hold this suite's other pods), seen as host "laptop".
      expect(
        (await local.observe()).pods.filter((p) => p.namespace === ns).map((p) => `${p.name}@${p.host}`),
      ).toContain('local@laptop');
      expect((await local.exec(ref, 'main', ['cat', '/etc/local/secret'])).stdout).toBe('x');
      // The cgroup read runs in a local shell, no SSH.
      const usage = (await local.sampleStats('laptop')).find((u) => u.namespace === ns && u.pod === 'local');
      expect(usage).toMatchObject({ host: 'laptop', source: 'cgroup' });
      const mode = await local.execOnHost(
        'laptop',
        `stat -c %a ${h1.dataDir}-local/pods/${ns}/local/secrets/main/etc/local/secret ${h1.dataDir}-local/pods/${ns}/local/secrets`,
      );
      expect(mode.stdout.trim().split('\n')).toEqual(['644', '700']);
      await local.deletePod(ref, 1);
      expect((await local.observe()).pods.some((p) => p.namespace === ns && p.name === 'local')).toBe(false);
    } finally {
      await local.close();
    }
  });

  it('`skiff hosts -o json` shows every host Ready with capacity and the requests placed there', async () => {
    await rt.createPod(
      'h2',
      sleeperPod('counted', { image: busybox, namespace: ns, containers: ['a', 'b'] }),
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'node',
        ['bin/skiff.js', 'hosts', '--config', tb.config, '-o', 'json'],
        { cwd: REPO_DIR },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const rows = JSON.parse(out) as HostRow[];
    expect(rows.map((r) => [r.name, r.ready])).toEqual([
      ['h1', true],
      ['h2', true],
      ['h3', true],
    ]);
    const h2 = rows.find((r) => r.name === 'h2')!;
    expect(h2.dockerVersion).toMatch(/^\d+\./);
    expect(h2.capacity.cpuMilli).toBeGreaterThan(0);
    expect(h2.allocated.cpuMilli).toBeGreaterThanOrEqual(200);
    expect(h2.labels).toEqual(config.hosts.find((h) => h.name === 'h2')!.labels);
    await rt.deletePod({ host: 'h2', namespace: ns, name: 'counted' }, 0);
  });

  it('runs the preStop hook before stopping the containers of a deleted pod', async () => {
    // The hook reports to a listener of this test process on the testbed bridge.
    const server = createServer();
    const heard = new Promise<string>((resolve) =>
      server.on('connection', (sock) => {
        let text = '';
        sock.on('data', (d) => {
          text += d.toString();
        });
        sock.on('end', () => resolve(text));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, tb.registry.split(':')[0], resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const pod = sleeperPod('hooked', { image: busybox, namespace: ns });
      pod.spec.containers[0]!.lifecycle = {
        preStop: {
          exec: {
            command: ['sh', '-c', `echo "prestop $POD_NAME" | nc -w 2 ${tb.registry.split(':')[0]} ${port}`],
          },
        },
      };
      await rt.createPod('h1', pod);
      await rt.deletePod({ host: 'h1', namespace: ns, name: 'hooked' }, 5);
      expect((await heard).trim()).toBe('prestop hooked');
      expect((await rt.observe()).pods.some((p) => p.namespace === ns && p.name === 'hooked')).toBe(false);
    } finally {
      server.close();
    }
  });

  it('sends a preStop httpGet hook as the probes send theirs: path escaped, headers, Host with port', async () => {
    const bridge = tb.registry.split(':')[0]!;
    const server = createServer();
    const heard = new Promise<string>((resolve) =>
      server.on('connection', (sock) => {
        let text = '';
        sock.on('data', (d) => {
          text += d.toString();
          if (!text.includes('\r\n\r\n')) return;
          sock.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          resolve(text);
        });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, bridge, resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const pod = sleeperPod('hooked-http', { image: busybox, namespace: ns });
      pod.spec.containers[0]!.lifecycle = {
        preStop: {
          httpGet: {
            host: bridge,
            port,
            path: '/pre stop?drain=1',
            scheme: 'HTTP',
            httpHeaders: [{ name: 'X-Hook', value: 'drain' }],
          },
        },
      };
      await rt.createPod('h1', pod);
      await rt.deletePod({ host: 'h1', namespace: ns, name: 'hooked-http' }, 5);
      const request = await heard;
      expect(request.split('\r\n')[0]).toBe('GET /pre%20stop?drain=1 HTTP/1.1');
      expect(request).toContain(`Host: ${bridge}:${port}\r\n`);
      expect(request).toContain('X-Hook: drain\r\n');
    } finally {
      server.close();
    }
  });

  it('marks a pod for deletion on the host first, so a deletion cut off mid-way is still seen by a new runtime', async () => {
    const pod = sleeperPod('dying', { image: busybox, namespace: ns });
    // PID 1 that ignores SIGTERM: the deletion waits out its grace period.
    pod.containers[0]!.command = ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'];
    await rt.createPod('h2', pod);
    const ref = { host: 'h2', namespace: ns, name: 'dying' };
    const doomed = new DockerRuntime(config);
    const started = Date.now();
    const deleting = doomed.deletePod(ref, 30).catch((err: Error) => err);
    const marked = await eventually('the pod marked for deletion', async () => {
      const seen = (await rt.observe()).pods.find((p) => p.namespace === ns && p.name === 'dying');
      return seen?.deletionDeadline !== undefined ? seen : undefined;
    });
    // The daemon that began it dies: a new runtime (a restarted daemon) still sees the deletion.
    await doomed.close();
    await deleting;
    const fresh = new DockerRuntime(config);
    try {
      const again = (await fresh.observe()).pods.find((p) => p.namespace === ns && p.name === 'dying');
      expect(again).toMatchObject({ terminating: true, deletionDeadline: marked.deletionDeadline });
      expect(marked.deletionDeadline! - started).toBeGreaterThan(25_000);
      expect(marked.deletionDeadline! - started).toBeLessThan(35_000);
      await fresh.deletePod(ref, 0);
      expect((await fresh.observe()).pods.some((p) => p.namespace === ns && p.name === 'dying')).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it("lists a quiet host no more, and sees a container killed outside skiff through the engine's events", async () => {
    const { watcher, calls, appOf } = await quietPodOnH2('watched');
    try {
      const id = (await appOf())!.id;
      expect(id).toMatch(/^[0-9a-f]+$/);
      calls.length = 0;
      await docker('h2', ['kill', id]);
      // A quiet host is listed again only after 60-120 s: the kill is seen within seconds
      // because its event marked h2 for a list.
      const killed = await eventually(
        'kill seen',
        async () => {
          const c = await appOf();
          return c?.state === 'exited' ? c : undefined;
        },
        10_000,
      );
      expect(killed).toMatchObject({ state: 'exited', exitCode: 137 });
      expect(calls).toContain('observe');
    } finally {
      await watcher.close();
    }
  });

  it('sees what a dockerd restart did to a quiet host, and watches its new engine', async () => {
    const { watcher, appOf, quiet } = await quietPodOnH2('outlives-dockerd');
    // The suite's shared runtime has idle keep-alive channels to h2's engine now.
    await rt.observe();
    try {
      // Its containers stop with it (restart policy "no"): the ended stream lists h2 again.
      await restartDockerd('h2');
      const stopped = await eventually(
        'the stop seen',
        async () => {
          const c = await appOf();
          return c && c.state !== 'running' ? c : undefined;
        },
        30_000,
      );
      expect(stopped.state).toBe('exited');
      // A stream on the new engine: h2 goes quiet again, and a pod started there by hand (the
      // infra container first: the app joins its network) is seen.
      await quiet();
      const pod = (await watcher.observe()).pods.find((p) => p.name === 'outlives-dockerd')!;
      await docker('h2', ['start', pod.infra!.id, stopped.id]);
      await eventually(
        'started again',
        async () => ((await appOf())?.state === 'running' ? true : undefined),
        10_000,
      );
      // The shared runtime's channels to the old engine were ended by h2 and left its pool:
      // its first observe since is answered on new ones, h2 Ready (no NotReady pass).
      const shared = await rt.observe();
      expect(shared.hosts.find((h) => h.name === 'h2')).toMatchObject({ ready: true });
    } finally {
      await watcher.close();
    }
  });

  it('marks a cut-off host NotReady while the others answer, and Ready again once healed', async () => {
    await rt.createPod('h3', sleeperPod('on-h3', { image: busybox, namespace: ns }));
    const before = await rt.observe();
    expect(before.hosts.every((h) => h.ready)).toBe(true);
    const podsOnH3 = before.pods.filter((p) => p.host === 'h3' && p.namespace === ns).map((p) => p.name);
    expect(podsOnH3).toContain('on-h3');
    const cutAt = Date.now();
    await cutHost('h3');
    const during = await eventually(
      'h3 NotReady',
      async () => {
        const o = await rt.observe();
        return o.hosts.find((h) => h.name === 'h3')?.ready === false ? o : undefined;
      },
      20_000,
    );
    const h3 = during.hosts.find((h) => h.name === 'h3')!;
    expect(h3.notReadySince).toBeGreaterThanOrEqual(cutAt);
    expect(h3.reason).toBeTruthy();
    expect(during.hosts.filter((h) => h.ready).map((h) => h.name)).toEqual(['h1', 'h2']);
    // Its last known pods stay visible: the controllers decide what they mean.
    expect(during.pods.filter((p) => p.host === 'h3' && p.namespace === ns).map((p) => p.name)).toEqual(
      podsOnH3,
    );
    // Further passes do not wait for the dead host, and keep the time it went away.
    const again = await rt.observe();
    expect(again.hosts.find((h) => h.name === 'h3')?.notReadySince).toBe(h3.notReadySince);
    await expect(
      rt.createPod('h3', sleeperPod('never', { image: busybox, namespace: ns })),
    ).rejects.toMatchObject({ retryable: true });
    await healHost('h3');
    const healed = await eventually(
      'h3 Ready again',
      async () => {
        const o = await rt.observe();
        return o.hosts.every((h) => h.ready) ? o : undefined;
      },
      30_000,
    );
    expect(healed.hosts.find((h) => h.name === 'h3')?.notReadySince).toBeUndefined();
    expect(healed.pods.filter((p) => p.host === 'h3' && p.namespace === ns).map((p) => p.name)).toEqual(
      podsOnH3,
    );
  });

  it('refuses a host whose key does not match the config, or is not in known_hosts', async () => {
    const base = await fastConfig();
    const otherKey = utils.generateKeyPairSync('ed25519').public;
    const emptyKnownHosts = join(await mkdtemp(join(tmpdir(), 'skiff-kh-')), 'known_hosts');
    await writeFile(emptyKnownHosts, '');
    const cases = [
      { hostKey: otherKey, knownHostsFile: undefined, code: 'ssh.host-key-mismatch', text: 'does not match' },
      {
        hostKey: undefined,
        knownHostsFile: emptyKnownHosts,
        code: 'ssh.host-key-unknown',
        text: 'is not in',
      },
    ];
    for (const c of cases) {
      const config: ClusterConfig = {
        ...base,
        hosts: base.hosts.map((h) =>
          h.name === 'h1' && h.kind === 'ssh'
            ? { ...h, hostKey: c.hostKey, knownHostsFile: c.knownHostsFile }
            : h,
        ),
      };
      const bad = new DockerRuntime(config);
      try {
        const o = await bad.observe();
        const h1 = o.hosts.find((h) => h.name === 'h1')!;
        expect(h1.ready).toBe(false);
        expect(h1.reason).toContain(c.text);
        expect(o.hosts.filter((h) => h.ready).map((h) => h.name)).toEqual(['h2', 'h3']);
        const err = await bad.execOnHost('h1', 'true').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HostKeyError);
        expect(err).toMatchObject({ code: c.code, retryable: false });
      } finally {
        await bad.close();
      }
    }
  });
});

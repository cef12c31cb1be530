// Service data plane throughput: requests/s and p99 latency through skiff's kernel rules
// against straight to a pod's published port, measured in one run with wrk from inside test
// host h1 (its network namespace), against testbed addresses only.
//   - direct: h2's published host port of the pod (Docker's own DNAT on h2) - the baseline;
//   - NodePort on h2: skiff's DNAT on the pod's own host, straight to the pod's bridge IP;
//   - NodePort on h3: skiff's DNAT on another host, then h2's published port (one extra hop,
//     SNAT on h3 so replies return through it);
//   - ClusterIP from h1: the host's own connection to the virtual IP, DNATed in OUTPUT to h2.
// One pod (the nginx stand-in, busybox httpd: one connection per request, so every request
// is a new connection through the NAT rules). Rounds interleave the paths so drift on the
// shared 2-core machine hits all alike; the median round is reported.
// Target (issue 6): NodePort >= 90% of direct throughput.
// Usage: npx tsx bench/service.bench.ts  (brings the testbed up if needed, as root)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { down, status, up } from '../scripts/testbed/lifecycle.js';
import { loadClusterConfig } from '../src/config/load-config.js';
import type { DesiredPod } from '../src/model/desired.js';
import type { Service } from '../src/model/k8s.js';
import { DockerRuntime } from '../src/runtime/docker-runtime.js';
import { ServiceDataPlane } from '../src/runtime/service-data-plane.js';

const run = promisify(execFile);
// One client, one backend, a new connection per request: at 5k requests/s a hop's NAT runs
// out of distinct connection tuples after about one 5 s run (see BENCHMARKS.md), so one round.
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const SECONDS = Number(process.env.SECONDS_PER_RUN ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const NS = `svcbench${process.pid}`;
const NODE_PORT = 31999;

interface WrkResult {
  rps: number;
  p99Ms: number;
  errors: number;
}

function parseLatencyMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrk(netns: string, url: string): Promise<WrkResult> {
  const { stdout } = await runWrk(netns, url);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p99 = parseLatencyMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const errors = (errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + non2xx;
  return { rps, p99Ms: p99, errors };
}

/** wrk in a host's namespace; a failure says what wrk printed (it exits 1 when it cannot
 *  connect at all). */
async function runWrk(netns: string, url: string): Promise<{ stdout: string }> {
  try {
    return await runWrkOnce(netns, url);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`wrk ${url} from ${netns} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

function runWrkOnce(netns: string, url: string): Promise<{ stdout: string }> {
  return run(
    'nsenter',
    [
      `--net=/run/netns/${netns}`,
      'wrk',
      '-t',
      '2',
      '-c',
      String(CONNECTIONS),
      '-d',
      `${SECONDS}s`,
      '--latency',
      url,
    ],
    { timeout: (SECONDS + 30) * 1000 },
  );
}

function nginxPod(image: string): DesiredPod {
  const ports = [{ name: 'http', containerPort: 80, protocol: 'TCP' as const }];
  return {
    name: 'nginx',
    namespace: NS,
    app: 'svc-bench',
    owner: { kind: 'Pod', name: 'nginx' },
    templateHash: 'bench',
    commit: '0123456789abcdef0123456789abcdef01234567',
    labels: { app: 'nginx' },
    spec: {
      containers: [
        {
          name: 'nginx',
          image,
          imagePullPolicy: 'IfNotPresent',
          env: [],
          envFrom: [],
          ports,
          resources: { requests: {}, limits: {} },
          volumeMounts: [],
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      nodeSelector: {},
      tolerations: [],
      volumes: [],
    },
    containers: [
      {
        name: 'nginx',
        image,
        pullPolicy: 'IfNotPresent',
        env: [],
        ports,
        limits: {},
        files: [],
        emptyDirs: [],
      },
    ],
    requests: { cpuMilli: 0, memoryBytes: 0 },
    hostPorts: [],
    extraHosts: [],
  };
}

const service: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: NS, labels: {}, annotations: {} },
  source: { file: 'bench.yaml', document: 0, line: 1, column: 1 },
  spec: {
    type: 'NodePort',
    selector: { app: 'nginx' },
    ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: NODE_PORT }],
    sessionAffinity: 'None',
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const log = (l: string) => process.stderr.write(`[testbed] ${l}\n`);
  const wasUp = (await status().catch(() => undefined))?.up === true;
  const tb = wasUp ? (await status())! : await up({ hostCount: 3, log });
  const runtime = new DockerRuntime(await loadClusterConfig(tb.config));
  const plane = new ServiceDataPlane(runtime, {
    serviceCIDR: tb.serviceCIDR,
    clock: { now: () => performance.now() },
  });
  try {
    await runtime.createPod('h2', nginxPod(tb.images.nginx[0]!));
    const observed = await runtime.observe();
    const pod = observed.pods.find((p) => p.namespace === NS)!;
    const hostPort = pod.publishedPorts.find((p) => p.containerPort === 80)!.hostPort;
    const synced = await plane.sync({ sources: [{ app: 'svc-bench', service }], observed });
    const failed = synced.hosts.filter((h) => h.outcome === 'failed');
    if (failed.length > 0) throw new Error(`rules not applied: ${JSON.stringify(failed)}`);
    const clusterIP = synced.services[0]!.clusterIP!;
    const paths: Record<string, string> = {
      'direct (h2 published port)': `http://10.213.0.12:${hostPort}/`,
      'NodePort on h2 (pod local)': `http://10.213.0.12:${NODE_PORT}/`,
      'NodePort on h3 (hop to h2)': `http://10.213.0.13:${NODE_PORT}/`,
      'ClusterIP from h1': `http://${clusterIP}/`,
    };
    const samples: Record<string, WrkResult[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
    for (const url of Object.values(paths)) await wrk('skiff-h1', url); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, url] of Object.entries(paths)) samples[name]!.push(await wrk('skiff-h1', url));
    }
    const base = median(samples['direct (h2 published port)']!.map((s) => s.rps));
    const lines = [
      '| path | requests/s (median of rounds) | vs direct | p99 latency (median) | errors |',
      '|---|---:|---:|---:|---:|',
    ];
    for (const [name, s] of Object.entries(samples)) {
      const rps = median(s.map((x) => x.rps));
      lines.push(
        `| ${name} | ${rps.toFixed(0)} | ${((rps / base) * 100).toFixed(0)}% | ${median(s.map((x) => x.p99Ms)).toFixed(2)} ms | ${s.reduce((a, x) => a + x.errors, 0)} |`,
      );
    }
    const date = (await run('date', ['-u'])).stdout.trim();
    process.stdout.write(
      [
        '## Services',
        '',
        `${date}; machine: 2 cores / 24 GiB, Node 20; testbed hosts are network namespaces on one bridge.`,
        `wrk -t2 -c${CONNECTIONS} -d${SECONDS}s from inside h1, ${ROUNDS} interleaved rounds, one backend pod on h2`,
        "(the testbed's nginx stand-in, busybox httpd: a new connection per request, so each request",
        'crosses the NAT rules afresh). Target: NodePort >= 90% of direct throughput.',
        '',
        ...lines,
        '',
      ].join('\n'),
    );
  } finally {
    const o = await runtime.observe();
    await plane.removeAll(o);
    for (const p of o.pods.filter((x) => x.namespace === NS))
      await runtime.deletePod({ host: p.host, namespace: NS, name: p.name }, 0);
    await runtime.close();
    if (!wasUp) await down(log);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

// Scheduler throughput: 15,000 pods (5,000 Deployments x 3 replicas, each Deployment its own
// spec) placed one by one on 500 hosts with accounting, versus a baseline measured in the same
// run: a bare best-fit loop that, like any scheduler scoring every host, scans all hosts per
// pod, but only checks CPU and memory and keeps the host with the most free CPU (no labels,
// taints, ports, spreading, reasons). Prints a markdown section for BENCHMARKS.md.
//
//   npx tsx bench/schedule.bench.ts
import {
  buildHostViews,
  explainSchedule,
  type SchedulingPod,
  schedulePods,
} from '../src/controllers/scheduler.js';
import type { PodSpec } from '../src/model/k8s.js';
import type { ObservedHost } from '../src/model/observed.js';

const HOSTS = 500;
const DEPLOYMENTS = 5000;
const REPLICAS = 3;
const RUNS = 5;
const GiB = 1024 ** 3;

function makeHosts(): ObservedHost[] {
  return Array.from({ length: HOSTS }, (_, i) => ({
    name: `host-${String(i).padStart(3, '0')}`,
    address: `10.213.${Math.floor(i / 250)}.${i % 250}`,
    ready: i % 97 !== 0,
    labels: { zone: `z${i % 3}`, disk: i % 2 ? 'ssd' : 'hdd' },
    taints: i % 50 === 0 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] : [],
    capacity: { cpuMilli: 32_000, memoryBytes: 64 * GiB },
  }));
}

function makePods(): SchedulingPod[] {
  const pods: SchedulingPod[] = [];
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const cpu = 100 + (d % 4) * 100;
    const spec: PodSpec = {
      containers: [
        {
          name: 'app',
          image: `registry.local/app-${d}:1`,
          imagePullPolicy: 'IfNotPresent',
          env: [],
          envFrom: [],
          ports: [],
          resources: { requests: { cpu: `${cpu}m`, memory: '128Mi' }, limits: {} },
          volumeMounts: [],
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      nodeSelector: d % 10 === 0 ? { disk: 'ssd' } : {},
      tolerations: [],
      volumes: [],
    };
    for (let r = 0; r < REPLICAS; r++) {
      pods.push({
        name: `app-${d}-${r}`,
        namespace: 'default',
        owner: { kind: 'Deployment', name: `app-${d}` },
        spec,
        requests: { cpuMilli: cpu, memoryBytes: 128 * 1024 * 1024 },
        hostPorts: [],
      });
    }
  }
  return pods;
}

// The baseline: every host scanned per pod, CPU/memory fit, most free CPU wins.
function bestFit(pods: readonly SchedulingPod[], hosts: readonly ObservedHost[]): number {
  const cpu = new Float64Array(hosts.length);
  const mem = new Float64Array(hosts.length);
  let placed = 0;
  for (const p of pods) {
    let best = -1;
    let bestFree = -1;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      const free = h.capacity.cpuMilli - cpu[i]!;
      if (
        p.requests.cpuMilli <= free &&
        mem[i]! + p.requests.memoryBytes <= h.capacity.memoryBytes &&
        free > bestFree
      ) {
        best = i;
        bestFree = free;
      }
    }
    if (best >= 0) {
      cpu[best] = cpu[best]! + p.requests.cpuMilli;
      mem[best] = mem[best]! + p.requests.memoryBytes;
      placed++;
    }
  }
  return placed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// CPU time of this process (user + system), not wall time: the bench machine is shared, and
// other processes' load would otherwise land in the numbers.
function time(fn: () => unknown): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const hosts = makeHosts();
const pods = makePods();
const views = buildHostViews(hosts, []);

// Warm-up, so both sides run optimized code.
bestFit(pods, hosts);
schedulePods(pods.slice(0, 3000), views);

const baseline: number[] = [];
const batch: number[] = [];
let placed = 0;
let unschedulable = 0;
for (let r = 0; r < RUNS; r++) {
  baseline.push(time(() => bestFit(pods, hosts)));
  batch.push(
    time(() => {
      const res = schedulePods(pods, views);
      placed = res.placements.size;
      unschedulable = res.unschedulable.length;
    }),
  );
}
const full = schedulePods(pods, views).hosts;
const explain: number[] = [];
for (let r = 0; r < RUNS; r++) explain.push(time(() => explainSchedule(pods[0]!, full)));

const b = median(baseline);
const s = median(batch);
const e = median(explain);
console.log(`## Scheduler

${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; median of ${RUNS} runs, CPU time.
${pods.length} pods (${DEPLOYMENTS} Deployments x ${REPLICAS}, one spec each) on ${HOSTS} hosts
(some NotReady, some tainted, 10% with a nodeSelector); \`npx tsx bench/schedule.bench.ts\`.

| measure | time | vs baseline |
|---|---:|---:|
| baseline: bare best-fit, every host scanned (cpu/memory only) | ${b.toFixed(1)} ms | 1.0x |
| \`schedulePods\`: all filters, all scores, accounting | ${s.toFixed(1)} ms | ${(s / b).toFixed(1)}x |
| \`explainSchedule\`: one pod, every host's reasons and score, on the full cluster | ${e.toFixed(2)} ms | ${(e / b).toFixed(2)}x |

Placed ${placed}, unschedulable ${unschedulable}. Target: the batch well under 1 s.
`);

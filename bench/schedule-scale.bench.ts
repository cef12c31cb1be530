// Scheduler at scale: kube-scheduler's SchedulingBasic 5000Nodes_50000Pods shape
// (test/integration/scheduler_perf: node-default.yaml, 4 CPU / 32Gi / 110 pods; pod-default.yaml,
// requests 100m / 500Mi), 50,000 pods placed one by one on 5,000 hosts, reported as pods/s next
// to a bare best-fit baseline in the same run (a plain loop over every host picking the least
// loaded that fits). Then the same with inter-pod terms: Deployment-like groups of 10 pods with
// required anti-affinity on hostname, and groups of 10 spread over 10 zones (maxSkew 1,
// DoNotSchedule). Default percentageOfNodesToScore (adaptive: 10% of 5,000 hosts); the full
// scan (100%) is reported beside it. CPU time of this process (user + system), median of RUNS.
//
//   npx tsx bench/schedule-scale.bench.ts        (RUNS=3 by default; RUNS=5 npx tsx ...)
import { loadavg } from 'node:os';
import {
  buildHostViews,
  LABEL_HOSTNAME,
  LABEL_ZONE,
  type ScheduleOptions,
  type SchedulingPod,
  schedulePods,
} from '../src/controllers/scheduler.js';
import type { PodSpec } from '../src/model/k8s.js';
import type { ObservedHost } from '../src/model/observed.js';

const HOSTS = 5000;
const PODS = 50_000;
const GROUP = 10;
const ZONES = 10;
const RUNS = Number(process.env.RUNS ?? 3);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const hosts: ObservedHost[] = Array.from({ length: HOSTS }, (_, i) => ({
  name: `node-${String(i).padStart(4, '0')}`,
  address: `10.${Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`,
  ready: true,
  labels: { [LABEL_ZONE]: `zone-${i % ZONES}` },
  taints: [],
  capacity: { cpuMilli: 4000, memoryBytes: 32 * GiB },
  maxPods: 110,
}));

function spec(extra: Partial<PodSpec> = {}): PodSpec {
  return {
    containers: [
      {
        name: 'pause',
        image: 'registry.k8s.io/pause:3.10',
        imagePullPolicy: 'IfNotPresent',
        env: [],
        envFrom: [],
        ports: [],
        resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } },
        volumeMounts: [],
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    nodeSelector: {},
    tolerations: [],
    volumes: [],
    ...extra,
  };
}

const requests = { cpuMilli: 100, memoryBytes: 500 * MiB };

/** SchedulingBasic: bare pods from one template. */
function basicPods(): SchedulingPod[] {
  const s = spec();
  return Array.from({ length: PODS }, (_, k) => ({
    name: `pod-${k}`,
    namespace: 'default',
    owner: { kind: 'Pod' as const, name: `pod-${k}` },
    spec: s,
    requests,
    hostPorts: [],
  }));
}

/** Deployment-like groups of GROUP pods, each group its own spec from `extra(app)`. */
function groupPods(extra: (app: string) => Partial<PodSpec>): SchedulingPod[] {
  const pods: SchedulingPod[] = [];
  for (let g = 0; g < PODS / GROUP; g++) {
    const app = `app-${g}`;
    const s = spec(extra(app));
    for (let r = 0; r < GROUP; r++)
      pods.push({
        name: `${app}-${r}`,
        namespace: 'default',
        owner: { kind: 'Deployment', name: app },
        spec: s,
        requests,
        hostPorts: [],
        labels: { app },
        templateHash: 'h1',
      });
  }
  return pods;
}

const antiAffinity = (app: string): Partial<PodSpec> => ({
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { app } }, topologyKey: LABEL_HOSTNAME },
      ],
    },
  },
});
const zoneSpread = (app: string): Partial<PodSpec> => ({
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: LABEL_ZONE,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app } },
    },
  ],
});

// The baseline: every host scanned per pod, pod count / cpu / memory fit, least CPU requested wins.
function bestFit(pods: readonly SchedulingPod[]): number {
  const cpu = new Float64Array(HOSTS);
  const mem = new Float64Array(HOSTS);
  const count = new Int32Array(HOSTS);
  let placed = 0;
  for (const p of pods) {
    let best = -1;
    for (let i = 0; i < HOSTS; i++) {
      const h = hosts[i]!;
      if (
        count[i]! < 110 &&
        cpu[i]! + p.requests.cpuMilli <= h.capacity.cpuMilli &&
        mem[i]! + p.requests.memoryBytes <= h.capacity.memoryBytes &&
        (best < 0 || cpu[i]! < cpu[best]!)
      )
        best = i;
    }
    if (best >= 0) {
      cpu[best] = cpu[best]! + p.requests.cpuMilli;
      mem[best] = mem[best]! + p.requests.memoryBytes;
      count[best] = count[best]! + 1;
      placed++;
    }
  }
  return placed;
}

function cpuMs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const views = buildHostViews(hosts, []);
function measure(name: string, fn: () => number): { name: string; ms: number[]; placed: number } {
  fn(); // warm-up
  const ms: number[] = [];
  let placed = 0;
  for (let r = 0; r < RUNS; r++)
    ms.push(
      cpuMs(() => {
        placed = fn();
      }),
    );
  return { name, ms, placed };
}
const batch =
  (pods: SchedulingPod[], options: ScheduleOptions = {}) =>
  () =>
    schedulePods(pods, views, options).placements.size;

const basic = basicPods();
const anti = groupPods(antiAffinity);
const spread = groupPods(zoneSpread);
const load0 = loadavg()[0]!;
console.log(`### Scheduler at scale: 5,000 hosts, 50,000 pods (bench/schedule-scale.bench.ts)

${new Date().toUTCString()}; Node ${process.versions.node}; CPU time, median of ${RUNS} runs after a warm-up; load average ${load0.toFixed(1)} at the start.

| measure | median ms | pods/s | vs baseline | runs (ms) | placed |
|---|---:|---:|---:|---|---:|`);
// Each row is printed as soon as it is measured.
let base = 0;
function report(name: string, fn: () => number): void {
  const r = measure(name, fn);
  const m = median(r.ms);
  base ||= m;
  const runs = r.ms.map((x) => x.toFixed(0)).join(', ');
  console.log(
    `| ${r.name} | ${m.toFixed(0)} | ${Math.round((PODS * 1000) / m)} | ${(m / base).toFixed(2)}x | ${runs} | ${r.placed} |`,
  );
}
report('baseline: bare best-fit, every host scanned (pod count, cpu, memory)', () => bestFit(basic));
report('`schedulePods` SchedulingBasic, adaptive sample (500 hosts)', batch(basic));
report(
  '`schedulePods` SchedulingBasic, every host (percentageOfNodesToScore 100)',
  batch(basic, { percentageOfNodesToScore: 100 }),
);
report('`schedulePods` required anti-affinity on hostname (groups of 10)', batch(anti));
report('`schedulePods` zone spread maxSkew 1 DoNotSchedule (groups of 10, 10 zones)', batch(spread));
console.log(`\nLoad average at the end: ${loadavg()[0]!.toFixed(1)}.`);

// HPA decision pass: decideReplicas for 1,000 HPAs with 10 pods each (a mix of the legacy path,
// behavior policies, AverageValue and two-metric HPAs, each with its memory threaded from the
// previous pass, a few unready and metric-less pods), versus a baseline measured in the same
// run: the same loop that only sums each HPA's CPU samples over its pods (the least work any
// autoscaler must do per pass). Target: under 50 ms per pass. Prints a markdown section for
// BENCHMARKS.md.
//
//   npx tsx bench/hpa.bench.ts
import {
  type DecideReplicasInput,
  decideReplicas,
  emptyHpaMemory,
  type HpaMemory,
  type HpaPod,
  type PodMetricSample,
} from '../src/controllers/hpa.js';
import type { HorizontalPodAutoscalerSpec, MetricSpec } from '../src/model/k8s.js';

const HPAS = 1000;
const PODS = 10;
const PASSES = 40;
const WARMUP = 10;
const SYNC_MS = 15_000;
const T0 = 1_700_000_000_000;
const Mi = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const cpu: MetricSpec = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
};
const memory: MetricSpec = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '200Mi' } },
};

function specFor(h: number): HorizontalPodAutoscalerSpec {
  const base = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `app-${h}` },
    minReplicas: 2,
    maxReplicas: 20,
  };
  switch (h % 4) {
    case 0:
      return { ...base, metrics: [cpu] };
    case 1:
      return {
        ...base,
        metrics: [cpu],
        behavior: {
          scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
          scaleDown: { stabilizationWindowSeconds: 120 },
        },
      };
    case 2:
      return { ...base, metrics: [memory] };
    default:
      return { ...base, metrics: [cpu, memory], behavior: {} };
  }
}

interface World {
  specs: HorizontalPodAutoscalerSpec[];
  pods: HpaPod[][];
  memories: HpaMemory[];
}

function makeWorld(): World {
  const specs = Array.from({ length: HPAS }, (_, h) => specFor(h));
  const pods = specs.map((_, h) =>
    Array.from({ length: PODS }, (_, i): HpaPod => {
      const start = T0 - 3_600_000;
      return {
        name: `app-${h}-${i}`,
        phase: 'Running',
        startTime: start,
        readyCondition: { ready: (h + i) % 23 !== 0, lastTransitionTime: start },
        requests: { cpuMilli: 500, memoryBytes: 256 * Mi },
      };
    }),
  );
  return { specs, pods, memories: specs.map(() => emptyHpaMemory()) };
}

/** Samples for one pass: load swings with the pass number so decisions really change. */
function samplesFor(world: World, pass: number, now: number): PodMetricSample[][] {
  return world.pods.map((pods, h) =>
    pods
      .filter((_, i) => (h + i + pass) % 31 !== 0) // now and then a pod misses its sample
      .map((p, i) => ({
        namespace: 'default',
        pod: p.name,
        cpuMilli: 150 + ((h * 7 + i * 13 + pass * 29) % 400),
        memoryBytes: (120 + ((h + i * 3 + pass) % 160)) * Mi,
        timestamp: now - 2000,
        windowMs: SYNC_MS,
        containers: 1,
      })),
  );
}

function decisionPass(world: World, samples: PodMetricSample[][], now: number): number {
  let changed = 0;
  for (let h = 0; h < HPAS; h++) {
    const input: DecideReplicasInput = {
      hpa: { spec: world.specs[h]! },
      currentReplicas: PODS,
      pods: world.pods[h]!,
      metrics: samples[h]!,
      memory: world.memories[h]!,
      now,
    };
    const d = decideReplicas(input);
    world.memories[h] = d.memory;
    if (d.scale) changed++;
  }
  return changed;
}

/** Baseline: per HPA, sum the CPU of the samples that belong to its pods. */
function baselinePass(world: World, samples: PodMetricSample[][]): number {
  let total = 0;
  for (let h = 0; h < HPAS; h++) {
    const names = new Set(world.pods[h]!.map((p) => p.name));
    for (const s of samples[h]!) if (names.has(s.pod)) total += s.cpuMilli;
  }
  return total;
}

const world = makeWorld();
const decisionMs: number[] = [];
const baselineMs: number[] = [];
let scaled = 0;
let sink = 0;
for (let pass = 0; pass < WARMUP + PASSES; pass++) {
  const now = T0 + pass * SYNC_MS;
  const samples = samplesFor(world, pass, now);
  let t = process.hrtime.bigint();
  sink += baselinePass(world, samples);
  const base = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  const changed = decisionPass(world, samples, now);
  const decide = Number(process.hrtime.bigint() - t) / 1e6;
  if (pass >= WARMUP) {
    baselineMs.push(base);
    decisionMs.push(decide);
    scaled += changed;
  }
}

const decision = median(decisionMs);
const baseline = median(baselineMs);
const fastest = Math.min(...decisionMs);
const fastestBaseline = Math.min(...baselineMs);
const historyLength = median(world.memories.map((m) => m.recommendations.length));
console.log(`## Autoscaling

One HPA decision pass: \`decideReplicas\` for ${HPAS.toLocaleString('en-US')} HPAs x ${PODS} pods (legacy cpu, cpu with
Pods policy, memory AverageValue, cpu+memory with default behavior; ~4% unready pods, ~3% missing
samples), memory threaded across ${PASSES} measured passes after ${WARMUP} warm-up passes, 15 s apart on a fake clock.
Baseline in the same run: the same loop only summing each HPA's CPU samples over its pods.

| measure | median per pass | per HPA |
| --- | ---: | ---: |
| decision pass | ${decision.toFixed(2)} ms | ${((decision * 1000) / HPAS).toFixed(1)} µs |
| baseline (sum samples) | ${baseline.toFixed(2)} ms | ${((baseline * 1000) / HPAS).toFixed(1)} µs |
| ratio decision / baseline | ${(decision / baseline).toFixed(1)}x | |
| fastest pass: decision / baseline | ${fastest.toFixed(2)} ms / ${fastestBaseline.toFixed(2)} ms | ${(fastest / fastestBaseline).toFixed(1)}x |

Target under 50 ms per pass (median): ${decision < 50 ? 'met' : 'NOT met'}. Rescales decided per pass (mean): ${(scaled / PASSES).toFixed(0)};
recommendation history per HPA (median): ${historyLength}. (checksum ${sink % 1000})`);

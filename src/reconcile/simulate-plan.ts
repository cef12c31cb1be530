// `skiff plan`'s core: what applying a revision would do to the live hosts, computed without
// touching them. Pure: the shell reads the live commit's and the revision's objects and the
// observed world; this diffs the two object sets and drives the real reconcile pass over an
// in-memory copy of the world until the rollout settles (a scheduler dry run of the whole
// rollout, not only its first surge step), then assembles the Plan.
//
// Invariants:
// - Secret values never reach the plan: the diff redacts them in mask mode (`***`).
// - The simulation assumes what it cannot know: pods it creates start and become ready at
//   once, and live pods whose containers run are taken as ready unless the caller says
//   otherwise (the daemon's prober knows; a CLI without one does not).
// - Only the planned app's pods are counted or changed; other apps' pods only take up room.

import type { RandomSource } from '../controllers/pod-name.js';
import { diffObjectSets } from '../diff/object-diff.js';
import { assemblePlan } from '../diff/plan.js';
import type { Action } from '../model/actions.js';
import type { KubeObject } from '../model/k8s.js';
import type { Observed, ObservedPod } from '../model/observed.js';
import type { ObjectChange, Plan } from '../model/plan.js';
import { emptyPassMemory, type PassMemory, type PassResult, reconcilePass } from './pass.js';
import { observedStartSamples, podStartsOf } from './plan-estimate.js';
import { pdbWarnings } from './plan-pdb.js';
import { planRollouts, type RecordedPass, recordPass } from './plan-rollout.js';

export interface PlanSimulationInput {
  app: string;
  /** Remove pods whose object left Git (the app's prune option). */
  prune: boolean;
  /** The live commit; absent when nothing of the app is live yet. */
  fromCommit?: string;
  toCommit: string;
  liveObjects: readonly KubeObject[];
  nextObjects: readonly KubeObject[];
  observed: Observed;
  now: number;
  random: RandomSource;
  hostGracePeriodMs: number;
  /** Replicas owned by HPAs now, by Deployment objectKey (the daemon's view knows them). */
  replicaOverrides?: Record<string, { replicas: number; owner: string }>;
  /** Readiness of live pods by `host/namespace/name`, when known (the daemon's prober). */
  podReady?: Record<string, boolean>;
  /** Recorded pod start durations (ms) per Deployment `namespace/name` (the daemon's pods:
   *  created -> Ready). A Deployment without: taken from the observed pods (created -> started). */
  podStarts?: ReadonlyMap<string, readonly number[]>;
  /** Upper bound on simulated passes (default 200). */
  maxPasses?: number;
}

export interface PlanSimulation {
  plan: Plan;
  /** Passes the simulation ran, and whether the rollout settled within maxPasses. */
  passes: number;
  settled: boolean;
}

const podKey = (p: { host: string; namespace: string; name: string }) => `${p.host}/${p.namespace}/${p.name}`;

/** Live pods as the simulation sees them: containers that run are ready (or as told). */
export function assumeReadiness(
  pods: readonly ObservedPod[],
  podReady: Record<string, boolean> = {},
): ObservedPod[] {
  return pods.map((p) => assumePodReadiness(p, podReady));
}

function assumePodReadiness(p: ObservedPod, podReady: Record<string, boolean>): ObservedPod {
  const known = podReady[podKey(p)];
  const probes = { ...p.probes };
  for (const c of [...p.containers, ...(p.initContainers ?? [])]) {
    if (probes[c.name] && known === undefined) continue;
    const ready = c.state === 'running' && (known ?? true);
    probes[c.name] = {
      startupPassed: ready,
      ready,
      live: true,
      ...(ready ? { readySince: c.startedAt ?? p.createdAt } : {}),
    };
  }
  return { ...p, probes };
}

/** A pod as the runtime would report it right after createPod, already ready. */
export function startedPod(a: Extract<Action, { type: 'createPod' }>, now: number, seq: number): ObservedPod {
  const p = a.pod;
  return {
    host: a.host,
    name: p.name,
    namespace: p.namespace,
    app: p.app,
    ownerKind: p.owner.kind,
    ownerName: p.owner.name,
    templateHash: p.templateHash,
    commit: p.commit,
    labels: p.labels,
    spec: p.spec,
    createdAt: now,
    publishedPorts: [],
    infra: { id: `plan-infra-${seq}`, state: 'running' },
    // Already initialized: init containers completed, sidecars running.
    ...(p.initContainers
      ? {
          initContainers: p.initContainers.map((c, i) => {
            const sidecar = p.spec.initContainers?.[i]?.restartPolicy === 'Always';
            return {
              id: `plan-${seq}-init-${i}`,
              name: c.name,
              image: c.image,
              state: sidecar ? ('running' as const) : ('exited' as const),
              exitCode: 0,
              startedAt: now,
              ...(sidecar ? {} : { finishedAt: now }),
              restartCount: 0,
              labels: {},
            };
          }),
        }
      : {}),
    containers: p.containers.map((c, i) => ({
      id: `plan-${seq}-${i}`,
      name: c.name,
      image: c.image,
      state: 'running' as const,
      exitCode: 0,
      startedAt: now,
      restartCount: 0,
      labels: {},
    })),
    probes: Object.fromEntries(
      p.containers.map((c) => [c.name, { startupPassed: true, ready: true, readySince: now, live: true }]),
    ),
  };
}

/** The world after a pass's actions ran, as if each succeeded at once. One walk over the
 *  world whatever the number of actions: on a large cluster the world is every host's pods. */
function applySimulated(pods: ObservedPod[], actions: readonly Action[], now: number, seq: () => number) {
  const deleted = new Set<string>();
  const started = new Map<string, Set<string>>();
  const created: ObservedPod[] = [];
  for (const a of actions) {
    if (a.type === 'createPod') created.push(startedPod(a, now, seq()));
    else if (a.type === 'deletePod') deleted.add(podKey(a.pod));
    else if (a.type === 'restartContainer' || a.type === 'startContainer') {
      const names = started.get(podKey(a.pod)) ?? new Set<string>();
      started.set(podKey(a.pod), names.add(a.container));
    }
  }
  const kept: ObservedPod[] = [];
  for (const p of [...pods, ...created]) {
    if (deleted.size === 0 && started.size === 0) {
      kept.push(p);
      continue;
    }
    const key = podKey(p);
    if (deleted.has(key)) continue;
    const names = started.get(key);
    kept.push(names ? withStarted(p, names, now) : p);
  }
  return kept;
}

function withStarted(p: ObservedPod, names: ReadonlySet<string>, now: number): ObservedPod {
  return {
    ...p,
    containers: p.containers.map((c) =>
      names.has(c.name) ? { ...c, state: 'running' as const, startedAt: now } : c,
    ),
  };
}

function countByHost(
  hosts: readonly string[],
  pods: readonly ObservedPod[],
  app: string,
): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(hosts.map((h) => [h, 0]));
  for (const p of pods) if (p.app === app && !p.terminating) out[p.host] = (out[p.host] ?? 0) + 1;
  return out;
}

/** Time the simulated clock moves between passes: a second while work happens, else to the
 *  controller's next deadline (minReadySeconds), at least a second. */
const STEP_MS = 1000;
/** Passes in a row with nothing to do before the rollout counts as stuck (not settling). */
const IDLE_PASSES = 3;

export function simulatePlan(input: PlanSimulationInput): PlanSimulation {
  const { app, observed } = input;
  const { changes, warnings } = diffObjectSets(input.liveObjects, input.nextObjects, {
    app,
    secrets: { mode: 'mask' },
  });
  const hostNames = observed.hosts.map((h) => h.name);
  const appPods = observed.pods.filter((p) => p.app === app && !p.terminating);
  const replicaOverrides = hpaReplicas(input, appPods);
  const run = runSimulation({ ...input, replicaOverrides });
  const unschedulable = (run.last?.views.pods ?? [])
    .filter((p) => p.app === app && p.phase === 'Pending' && p.host === undefined)
    .map((p) => ({
      pod: p.name,
      owner: `${p.owner.kind.toLowerCase()}/${p.owner.name}`,
      reason: p.pendingReason ?? 'Pending',
    }));
  const live = liveWorkloads(appPods);
  const leaving = leavingWorkloads(input, changes, live.podsByOwner);
  const notes = [...warnings, ...leftRunning(input, leaving), ...claimsKept(changes)];
  const rollouts = planRollouts({
    app,
    changes,
    nextObjects: input.nextObjects,
    initialPods: run.initial,
    passes: run.recorded,
    replicaOverrides,
    // The daemon's record (created -> Ready) wins; else the observed pods (created -> started).
    podStarts: new Map([...podStartsOf(observedStartSamples(appPods)), ...(input.podStarts ?? [])]),
  });
  notes.push(...pdbWarnings(rollouts));
  if (!run.settled && run.passes >= (input.maxPasses ?? DEFAULT_MAX_PASSES))
    notes.push(`the scheduler dry run did not settle within ${run.passes} passes: placement is partial`);

  const plan = assemblePlan({
    app,
    ...(input.fromCommit !== undefined ? { fromCommit: input.fromCommit } : {}),
    toCommit: input.toCommit,
    changes,
    currentPods: live.currentPods,
    placementBefore: countByHost(hostNames, appPods, app),
    placementAfter: countByHost(hostNames, run.world, app),
    unschedulable,
    prunes: input.prune ? [...leaving.values()].sort(byKindName) : [],
    rollouts,
    warnings: notes,
  });
  return { plan, passes: run.passes, settled: run.settled };
}

const DEFAULT_MAX_PASSES = 200;

/** The replicas HPAs own: the daemon's count when given; else, for an HPA of the revision whose
 *  Deployment has live pods, the live count within its bounds (the HPA scales on from what it
 *  left, never back to spec.replicas, which it ignores). */
function hpaReplicas(
  input: PlanSimulationInput,
  appPods: readonly ObservedPod[],
): Record<string, { replicas: number; owner: string }> {
  const out = { ...(input.replicaOverrides ?? {}) };
  const live = new Map<string, number>();
  for (const p of appPods) {
    const key = `${p.ownerKind}/${p.namespace}/${p.ownerName}`;
    live.set(key, (live.get(key) ?? 0) + 1);
  }
  for (const o of input.nextObjects) {
    if (o.kind !== 'HorizontalPodAutoscaler' || o.spec.scaleTargetRef.kind !== 'Deployment') continue;
    const key = `Deployment/${o.metadata.namespace}/${o.spec.scaleTargetRef.name}`;
    const count = live.get(key) ?? 0;
    if (out[key] || count === 0) continue;
    const replicas = Math.min(o.spec.maxReplicas, Math.max(o.spec.minReplicas, count));
    out[key] = { replicas, owner: `hpa/${o.metadata.name}` };
  }
  return out;
}

interface SimulationRun {
  /** The world the simulation started from (readiness as assumed). */
  initial: ObservedPod[];
  world: ObservedPod[];
  /** Per pass with pod work: the steps it took per Deployment. */
  recorded: RecordedPass[];
  last?: PassResult;
  passes: number;
  settled: boolean;
}

/** The real pass over a copy of the world, its actions applied as if executed, until the
 *  rollout settles, stays idle, or maxPasses. */
function runSimulation(input: PlanSimulationInput): SimulationRun {
  const { app, observed } = input;
  // Only the planned app's readiness matters to its rollout; other apps' pods only take room.
  let world = observed.pods.map((p) => (p.app === app ? assumePodReadiness(p, input.podReady ?? {}) : p));
  let memory: PassMemory = emptyPassMemory();
  let now = input.now;
  let seq = 0;
  const nextSeq = () => ++seq;
  const maxPasses = input.maxPasses ?? DEFAULT_MAX_PASSES;
  const run: SimulationRun = { initial: world, world, recorded: [], passes: 0, settled: false };
  let idle = 0;
  while (run.passes < maxPasses) {
    run.passes++;
    const last = reconcilePass({
      apps: [{ name: app, commit: input.toCommit, objects: [...input.nextObjects], prune: input.prune }],
      frozenApps: [],
      observed: { at: now, hosts: observed.hosts, pods: world },
      inputs: { probes: {}, hpaReplicas: input.replicaOverrides ?? {}, deletionsInFlight: [] },
      memory,
      now,
      random: input.random,
      options: { hostGracePeriodMs: input.hostGracePeriodMs, foreignPodViews: false },
    });
    run.last = last;
    memory = last.memory;
    const work = last.actions.filter((a) => a.type !== 'syncServiceRules');
    if (last.converged || (work.length === 0 && last.requeueAfterMs === undefined)) {
      run.settled = last.converged;
      break;
    }
    if (work.length === 0) {
      if (++idle >= IDLE_PASSES) break;
      now += Math.max(STEP_MS, last.requeueAfterMs ?? STEP_MS);
      continue;
    }
    idle = 0;
    const before = world;
    world = applySimulated(world, work, now, nextSeq);
    const step = recordPass(before, world, work, app);
    if (step.size > 0) run.recorded.push(step);
    now += STEP_MS;
  }
  run.world = world;
  return run;
}

interface Workload {
  kind: string;
  namespace: string;
  name: string;
  pods: number;
}

/** The app's live pods counted per owner (`Kind/namespace/name`). */
function liveWorkloads(appPods: readonly ObservedPod[]): {
  currentPods: Record<string, number>;
  podsByOwner: Map<string, Workload>;
} {
  const currentPods: Record<string, number> = {};
  const podsByOwner = new Map<string, Workload>();
  for (const p of appPods) {
    const key = `${p.ownerKind}/${p.namespace}/${p.ownerName}`;
    currentPods[key] = (currentPods[key] ?? 0) + 1;
    const o = podsByOwner.get(key) ?? {
      kind: p.ownerKind,
      namespace: p.namespace,
      name: p.ownerName,
      pods: 0,
    };
    o.pods++;
    podsByOwner.set(key, o);
  }
  return { currentPods, podsByOwner };
}

/** Workloads that leave: from the diff (objects deleted in Git) and from the hosts (pods of
 *  owners the revision does not declare, e.g. left over from an older commit). */
function leavingWorkloads(
  input: PlanSimulationInput,
  changes: ReturnType<typeof diffObjectSets>['changes'],
  podsByOwner: ReadonlyMap<string, Workload>,
): Map<string, Workload> {
  const declared = new Set(
    input.nextObjects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'Pod')
      .map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
  );
  const leaving = new Map<string, Workload>();
  for (const c of changes) {
    if (c.change !== 'delete' || (c.kind !== 'Deployment' && c.kind !== 'Pod')) continue;
    leaving.set(`${c.kind}/${c.namespace}/${c.name}`, {
      kind: c.kind,
      namespace: c.namespace,
      name: c.name,
      pods: 0,
    });
  }
  for (const [key, o] of podsByOwner) if (!declared.has(key)) leaving.set(key, o);
  for (const [key, o] of leaving) o.pods = podsByOwner.get(key)?.pods ?? 0;
  return leaving;
}

/** With prune off, what would be left running. */
function leftRunning(input: PlanSimulationInput, leaving: ReadonlyMap<string, Workload>): string[] {
  if (input.prune) return [];
  return [...leaving.values()]
    .sort(byKindName)
    .filter((o) => o.pods > 0)
    .map(
      (o) => `${o.kind.toLowerCase()}/${o.name}: prune is off, its ${o.pods} pod(s) would be left running`,
    );
}

/** A claim leaving Git never takes its data with it: its volume stays, Released. */
function claimsKept(changes: readonly ObjectChange[]): string[] {
  return changes
    .filter((c) => c.kind === 'PersistentVolumeClaim' && c.change === 'delete')
    .map(
      (c) =>
        `persistentvolumeclaim/${c.name}: its volume and data are kept (Released); delete them with: skiff delete pvc ${c.name} -n ${c.namespace}`,
    );
}

function byKindName(a: { kind: string; name: string }, b: { kind: string; name: string }): number {
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

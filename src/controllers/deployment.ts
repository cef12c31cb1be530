// The Deployment controller: one pass over one Deployment, from its spec, the hash of its
// current template, its observed pods and their readiness, to the pods to create and delete,
// its status (Kubernetes' fields and conditions) and the memory to hand to the next pass.
// Pure: `now` is a parameter; memory comes in and goes out as plain JSON-able data.
//
// Kubernetes' semantics (pkg/controller/deployment: deployment_controller.go syncDeployment,
// sync.go, rolling.go, recreate.go, progress.go), with skiff's stand-in for ReplicaSets: the
// pods of one template hash form a revision (see rollout.ts). What upstream keeps in
// ReplicaSet objects (spec.replicas, the desired/max-replicas annotations, creation time) and in
// Deployment status (conditions) lives in DeploymentMemory. Losing the memory (a daemon restart)
// is safe: revisions are rebuilt from the pods, sized as they are, and the rollout continues.
//
// Invariants, checked by the property tests:
// - only pods owned by this Deployment are ever deleted;
// - during a rollout at a fixed replica count, pods (terminating ones included, see
//   podReplacementPolicy) never exceed replicas + maxSurge, and available pods never drop
//   below replicas - maxUnavailable because of a deletion decided here;
// - a pod already being deleted is not deleted again until its grace period (+30 s) passed.
//
// Contract with the caller: apply `create` (pods of the current template), `createOfRevision`
// and `delete`, then observe before the next pass (pods asked for but not observed are asked
// for again: this is how a Pending, unschedulable pod stays wanted).
import type { Deployment } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { PodPhase } from '../model/views.js';
import { type DeletionCandidate, pickPodsToDelete } from './pod-deletion-order.js';
import { replicaSetName } from './pod-name.js';
import { podPhase } from './pod-phase.js';
import {
  byCreation,
  isScalingEvent,
  newRolloutContext,
  oldPodsRunning,
  type RevisionGroup,
  type RolloutContext,
  rollRolling,
  scaleDownOldForRecreate,
  scaleProportionally,
  scaleUpNewForRecreate,
  sizeNewGroup,
} from './rollout.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface DeploymentCondition {
  type: 'Available' | 'Progressing';
  status: ConditionStatus;
  reason: string;
  message: string;
  lastUpdateTime: number;
  lastTransitionTime: number;
}

export interface DeploymentStatus {
  /** Live pods (terminating ones excluded), all revisions. */
  replicas: number;
  /** Live pods of the current template. */
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Pods still needed for full capacity: the revisions' targets minus available pods. */
  unavailableReplicas: number;
  /** Pods being deleted but still present. */
  terminatingReplicas: number;
  conditions: DeploymentCondition[];
}

export type DeploymentPhase = 'Progressing' | 'Complete' | 'Failed' | 'Paused';

/** What the lead's readiness derivation says about one pod. */
export interface PodReadinessState {
  ready: boolean;
  /** When the pod last became ready: minReadySeconds counts from here. */
  readySince?: number;
  /** Overrides the phase derived from the containers (e.g. 'Unknown' on an unreachable host). */
  phase?: PodPhase;
  /** Why the pod is not ready, in kubelet words (ImagePullBackOff, CrashLoopBackOff, ...):
   *  used to explain a failed rollout. */
  notReadyReason?: string;
}

/** KEP-3973's Deployment podReplacementPolicy: whether pods still terminating count against
 *  maxSurge. Upstream's default is TerminationStarted; skiff defaults to TerminationComplete
 *  because a terminating container still runs on the host until its grace period ends. */
export type PodReplacementPolicy = 'TerminationStarted' | 'TerminationComplete';

export interface RevisionMemory {
  createdAt: number;
  /** spec.replicas of the revision. */
  replicas: number;
  desiredReplicas?: number;
  maxReplicas?: number;
}

export interface DeploymentMemory {
  revisions: Record<string, RevisionMemory>;
  /** Pods this controller asked to delete: name -> when, and the grace period given. */
  terminating: Record<string, { since: number; gracePeriodSeconds: number }>;
  /** The status of the previous pass: progress is judged against it. */
  status?: DeploymentStatus;
}

export interface DeploymentInput {
  deployment: Deployment;
  /** Hash of the current template (as the lead computes it). */
  templateHash: string;
  /** The Deployment's pods; others are ignored, never touched. */
  pods: readonly ObservedPod[];
  /** Per pod name. A pod without an entry is not ready. */
  podReadiness: Readonly<Record<string, PodReadinessState>>;
  memory: DeploymentMemory | undefined;
  now: number;
  podReplacementPolicy?: PodReplacementPolicy;
}

export interface PodDeletion {
  pod: ObservedPod;
  reason: string;
  gracePeriodSeconds: number;
}

export interface DeploymentEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface DeploymentResult {
  /** Pods of the current template to create (new names: generatePodName). */
  create: number;
  /** Pods of older revisions to create again: only when an older revision must grow (a paused
   *  Deployment scaled up, a proportional scale mid-rollout, a pod of it lost). */
  createOfRevision: { templateHash: string; count: number }[];
  delete: PodDeletion[];
  status: DeploymentStatus;
  phase: DeploymentPhase;
  /** Why the rollout fails to progress (set when phase is Failed). */
  failure?: { reason: string; message: string };
  events: DeploymentEvent[];
  memory: DeploymentMemory;
  /** Run a pass again after this long even if nothing changes (progress deadline,
   *  minReadySeconds, a deletion to retry). */
  requeueAfterMs?: number;
}

// Condition reasons, as deployment_util.go names them.
export const REASON_NEW_RS_CREATED = 'NewReplicaSetCreated';
export const REASON_FOUND_NEW_RS = 'FoundNewReplicaSet';
export const REASON_RS_UPDATED = 'ReplicaSetUpdated';
export const REASON_NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const REASON_TIMED_OUT = 'ProgressDeadlineExceeded';
export const REASON_PAUSED = 'DeploymentPaused';
export const REASON_RESUMED = 'DeploymentResumed';
export const REASON_MIN_AVAILABLE = 'MinimumReplicasAvailable';
export const REASON_MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** A deletion is issued again when the pod is still there this long after its grace period. */
export const DELETE_RETRY_SLACK_MS = 30_000;
/** progressDeadlineSeconds = MaxInt32 means no deadline (HasProgressDeadline). */
const NO_DEADLINE = 2147483647;

export function emptyDeploymentMemory(): DeploymentMemory {
  return { revisions: {}, terminating: {} };
}

// SetDeploymentCondition: no change when status and reason are the same; the transition time
// is kept when only the reason changes.
function setCondition(conds: DeploymentCondition[], c: DeploymentCondition): DeploymentCondition[] {
  const current = conds.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return conds;
  const next = { ...c };
  if (current && current.status === c.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...conds.filter((x) => x.type !== c.type), next];
}
function removeCondition(
  conds: DeploymentCondition[],
  type: DeploymentCondition['type'],
): DeploymentCondition[] {
  return conds.filter((x) => x.type !== type);
}
function getCondition(conds: readonly DeploymentCondition[], type: DeploymentCondition['type']) {
  return conds.find((x) => x.type === type);
}
function condition(
  type: DeploymentCondition['type'],
  status: ConditionStatus,
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

interface PodInfo {
  pod: ObservedPod;
  phase: PodPhase;
  ready: boolean;
  readySince?: number;
  available: boolean;
  notReadyReason?: string;
}

interface Group extends RevisionGroup {
  pods: PodInfo[];
}

/** One reconcile pass for one Deployment. */
export function reconcileDeployment(input: DeploymentInput): DeploymentResult {
  const { deployment: d, templateHash, now } = input;
  const spec = d.spec;
  const name = d.metadata.name;
  const memory = input.memory ?? emptyDeploymentMemory();
  const policy = input.podReplacementPolicy ?? 'TerminationComplete';
  const hasDeadline = spec.progressDeadlineSeconds !== NO_DEADLINE;
  const deletions: PodDeletion[] = [];
  const events: DeploymentEvent[] = [];
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number) => {
    const v = Math.max(0, Math.ceil(ms));
    requeueAfterMs = requeueAfterMs === undefined ? v : Math.min(requeueAfterMs, v);
  };

  // 1. This Deployment's pods, split into terminating and live; live ones judged for
  //    readiness and availability (IsPodAvailable: ready for more than minReadySeconds).
  const owned = input.pods.filter(
    (p) => p.ownerKind === 'Deployment' && p.ownerName === name && p.namespace === d.metadata.namespace,
  );
  const terminating: DeploymentMemory['terminating'] = {};
  const live: PodInfo[] = [];
  const terminatingByHash = new Map<string, number>();
  let terminatingTotal = 0;
  const minReadyMs = spec.minReadySeconds * 1000;
  for (const pod of owned) {
    const asked = memory.terminating[pod.name];
    if (pod.terminating || asked) {
      terminatingTotal++;
      terminatingByHash.set(pod.templateHash, (terminatingByHash.get(pod.templateHash) ?? 0) + 1);
      if (asked) {
        const grace = asked.gracePeriodSeconds * 1000;
        const due = asked.since + grace + DELETE_RETRY_SLACK_MS;
        if (!pod.terminating && now >= due) {
          deletions.push({
            pod,
            reason: `retrying deletion: still present ${Math.round((now - asked.since) / 1000)}s after it was asked`,
            gracePeriodSeconds: asked.gracePeriodSeconds,
          });
          terminating[pod.name] = { since: now, gracePeriodSeconds: asked.gracePeriodSeconds };
          requeue(grace + DELETE_RETRY_SLACK_MS);
        } else {
          terminating[pod.name] = asked;
          if (!pod.terminating) requeue(due - now);
        }
      }
      continue;
    }
    const r = input.podReadiness[pod.name];
    const phase = r?.phase ?? podPhase(pod);
    const ready = r?.ready === true;
    let available = false;
    if (ready) {
      if (minReadyMs === 0) available = true;
      else if (r?.readySince !== undefined) {
        available = r.readySince + minReadyMs < now;
        if (!available) requeue(r.readySince + minReadyMs - now + 1);
      }
    }
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Not an active pod (FilterActivePods); free its host.
      const grace =
        pod.spec?.terminationGracePeriodSeconds ?? spec.template.spec.terminationGracePeriodSeconds;
      deletions.push({ pod, reason: `pod ${phase.toLowerCase()}: removing it`, gracePeriodSeconds: grace });
      terminating[pod.name] = { since: now, gracePeriodSeconds: grace };
      continue;
    }
    live.push({ pod, phase, ready, readySince: r?.readySince, available, notReadyReason: r?.notReadyReason });
  }

  // 2. Revisions: one per template hash seen in live pods, terminating pods or memory.
  const groups = new Map<string, Group>();
  const groupFor = (hash: string): Group => {
    let g = groups.get(hash);
    if (!g) {
      const m = memory.revisions[hash];
      g = {
        hash,
        name: replicaSetName(name, hash),
        createdAt: m?.createdAt ?? Number.POSITIVE_INFINITY,
        replicas: m?.replicas ?? -1,
        activeCount: 0,
        terminatingCount: terminatingByHash.get(hash) ?? 0,
        availableReplicas: 0,
        readyReplicas: 0,
        desiredReplicas: m?.desiredReplicas,
        maxReplicas: m?.maxReplicas,
        pods: [],
      };
      groups.set(hash, g);
    }
    return g;
  };
  for (const info of live) {
    const g = groupFor(info.pod.templateHash);
    g.pods.push(info);
    g.activeCount++;
    if (info.ready) g.readyReplicas++;
    if (info.available) g.availableReplicas++;
    if (!memory.revisions[g.hash]) g.createdAt = Math.min(g.createdAt, info.pod.createdAt);
  }
  for (const hash of terminatingByHash.keys()) groupFor(hash);
  for (const hash of Object.keys(memory.revisions)) groupFor(hash);
  for (const g of groups.values()) {
    // Without memory, a revision is as big as it is.
    if (g.replicas < 0) g.replicas = g.activeCount;
    if (!Number.isFinite(g.createdAt)) g.createdAt = now;
  }
  const initialSizes = new Map([...groups.values()].map((g) => [g, g.replicas]));

  // 3. Conditions carried over from the previous pass; pause/resume marks (checkPausedConditions).
  let conds: DeploymentCondition[] = [...(memory.status?.conditions ?? [])];
  if (hasDeadline) {
    const cond = getCondition(conds, 'Progressing');
    if (cond?.reason !== REASON_TIMED_OUT) {
      const pausedMarked = cond?.reason === REASON_PAUSED;
      if (spec.paused && !pausedMarked) {
        conds = setCondition(
          conds,
          condition('Progressing', 'Unknown', REASON_PAUSED, 'Deployment is paused', now),
        );
      } else if (!spec.paused && pausedMarked) {
        conds = setCondition(
          conds,
          condition('Progressing', 'Unknown', REASON_RESUMED, 'Deployment is resumed', now),
        );
      }
    }
  }

  const ctx: RolloutContext = newRolloutContext(
    spec,
    policy === 'TerminationComplete' ? terminatingTotal : 0,
  );
  const rsName = replicaSetName(name, templateHash);
  const statusReplicasBefore = live.length;

  // getNewReplicaSet: the revision of the current template; created on demand.
  const getNewGroup = (create: boolean): Group | undefined => {
    const existing = groups.get(templateHash);
    if (existing) {
      if (hasDeadline && !getCondition(conds, 'Progressing')) {
        conds = setCondition(
          conds,
          condition('Progressing', 'True', REASON_FOUND_NEW_RS, `Found new replica set "${rsName}"`, now),
        );
      }
      return existing;
    }
    if (!create) return undefined;
    const g = groupFor(templateHash);
    g.createdAt = now;
    g.replicas = 0;
    initialSizes.set(g, 0);
    sizeNewGroup([...groups.values()], g, ctx);
    if (hasDeadline) {
      conds = setCondition(
        conds,
        condition('Progressing', 'True', REASON_NEW_RS_CREATED, `Created new replica set "${rsName}"`, now),
      );
    }
    return g;
  };
  const oldGroups = () => [...groups.values()].filter((g) => g.hash !== templateHash).sort(byCreation);

  // 4. syncDeployment's dispatch.
  let estimateProgress = true;
  let newGroup: Group | undefined;
  const allGroups = () => [...groups.values()];
  if (spec.paused) {
    newGroup = getNewGroup(false);
    scaleProportionally(newGroup, oldGroups(), ctx, statusReplicasBefore);
    estimateProgress = false;
  } else if (isScalingEvent(allGroups(), spec.replicas) && groups.has(templateHash)) {
    // A replica change without a template change. (When the template changed too, skiff goes
    // straight to the rollout, which sizes the new revision for the new count, rather than
    // first growing the old revision as upstream would.)
    newGroup = getNewGroup(false);
    scaleProportionally(newGroup, oldGroups(), ctx, statusReplicasBefore);
    estimateProgress = false;
  } else if (spec.strategy.type === 'Recreate') {
    newGroup = getNewGroup(false);
    const old = oldGroups();
    const scaledDown = scaleDownOldForRecreate(old, ctx);
    if (!scaledDown && !oldPodsRunning(old)) {
      newGroup ??= getNewGroup(true)!;
      scaleUpNewForRecreate(newGroup, ctx);
    }
  } else {
    newGroup = getNewGroup(true)!;
    rollRolling(allGroups(), newGroup, ctx);
  }
  for (const e of ctx.events) {
    events.push({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${e.to > e.from ? 'up' : 'down'} replica set ${e.group} from ${e.from} to ${e.to}`,
    });
  }

  // 5. The ReplicaSet controller's part: make each revision's pods match its size. Victims
  //    follow the ReplicaSet order, ranked by co-located pods of this Deployment.
  let create = 0;
  const createOfRevision: DeploymentResult['createOfRevision'] = [];
  const perHost = new Map<string, number>();
  for (const info of live) perHost.set(info.pod.host, (perHost.get(info.pod.host) ?? 0) + 1);
  for (const g of allGroups()) {
    const diff = g.replicas - g.activeCount;
    if (diff > 0) {
      if (g.hash === templateHash) create += diff;
      else createOfRevision.push({ templateHash: g.hash, count: diff });
    } else if (diff < 0) {
      const candidates: DeletionCandidate[] = g.pods.map((p) => ({
        pod: p.pod,
        phase: p.phase,
        ready: p.ready,
        available: p.available,
        readySince: p.readySince,
        colocated: perHost.get(p.pod.host) ?? 0,
      }));
      const from = initialSizes.get(g) ?? g.activeCount;
      const why =
        from !== g.replicas
          ? `Scaled down replica set ${g.name} from ${from} to ${g.replicas}`
          : `replica set ${g.name} has ${g.activeCount} pods, wants ${g.replicas}`;
      for (const victim of pickPodsToDelete(candidates, -diff, now)) {
        const grace =
          victim.pod.spec?.terminationGracePeriodSeconds ?? spec.template.spec.terminationGracePeriodSeconds;
        deletions.push({ pod: victim.pod, reason: why, gracePeriodSeconds: grace });
        terminating[victim.pod.name] = { since: now, gracePeriodSeconds: grace };
        requeue(grace * 1000 + DELETE_RETRY_SLACK_MS);
      }
    }
  }

  // 6. Status (calculateStatus), then progress (syncRolloutStatus) unless scaling or paused.
  const groupsNow = allGroups();
  const availableReplicas = live.filter((p) => p.available).length;
  const targetTotal = groupsNow.reduce((s, g) => s + g.replicas, 0);
  const status: DeploymentStatus = {
    replicas: live.length,
    updatedReplicas: groups.get(templateHash)?.activeCount ?? 0,
    readyReplicas: live.filter((p) => p.ready).length,
    availableReplicas,
    unavailableReplicas: Math.max(0, targetTotal - availableReplicas),
    terminatingReplicas: terminatingTotal,
    conditions: [],
  };
  conds =
    availableReplicas >= spec.replicas - ctx.maxUnavailable
      ? setCondition(
          conds,
          condition('Available', 'True', REASON_MIN_AVAILABLE, 'Deployment has minimum availability.', now),
        )
      : setCondition(
          conds,
          condition(
            'Available',
            'False',
            REASON_MIN_UNAVAILABLE,
            'Deployment does not have minimum availability.',
            now,
          ),
        );
  if (estimateProgress) {
    if (!hasDeadline) conds = removeCondition(conds, 'Progressing');
    const current = getCondition(conds, 'Progressing');
    const isCompleteDeployment =
      status.replicas === status.updatedReplicas && current?.reason === REASON_NEW_RS_AVAILABLE;
    if (hasDeadline && !isCompleteDeployment) {
      const subject = newGroup ? `ReplicaSet "${newGroup.name}"` : `Deployment "${name}"`;
      if (deploymentComplete(spec.replicas, status)) {
        conds = setCondition(
          conds,
          condition(
            'Progressing',
            'True',
            REASON_NEW_RS_AVAILABLE,
            `${subject} has successfully progressed.`,
            now,
          ),
        );
      } else if (deploymentProgressing(memory.status, status)) {
        const c = condition('Progressing', 'True', REASON_RS_UPDATED, `${subject} is progressing.`, now);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        conds = [...removeCondition(conds, 'Progressing'), c];
      } else if (deploymentTimedOut(conds, spec.progressDeadlineSeconds, now)) {
        conds = setCondition(
          conds,
          condition('Progressing', 'False', REASON_TIMED_OUT, `${subject} has timed out progressing.`, now),
        );
      }
    }
  }
  status.conditions = conds;

  // requeueStuckDeployment: come back when the deadline would pass.
  const progressing = getCondition(conds, 'Progressing');
  const complete = deploymentComplete(spec.replicas, status);
  if (
    hasDeadline &&
    !spec.paused &&
    progressing &&
    !complete &&
    progressing.reason !== REASON_TIMED_OUT &&
    progressing.reason !== REASON_NEW_RS_AVAILABLE
  ) {
    requeue(Math.max(0, progressing.lastUpdateTime + spec.progressDeadlineSeconds * 1000 - now) + 1000);
  }

  let phase: DeploymentPhase;
  if (spec.paused) phase = 'Paused';
  else if (progressing?.reason === REASON_TIMED_OUT) phase = 'Failed';
  else if (complete && create === 0 && deletions.length === 0 && createOfRevision.length === 0)
    phase = 'Complete';
  else phase = 'Progressing';

  const result: DeploymentResult = {
    create,
    createOfRevision,
    delete: deletions,
    status,
    phase,
    events,
    memory: { revisions: revisionMemory(groupsNow, templateHash), terminating, status },
  };
  if (phase === 'Failed') {
    result.failure = explainStall(groups.get(templateHash));
    events.push({ type: 'Warning', reason: REASON_TIMED_OUT, message: progressing!.message });
  }
  if (requeueAfterMs !== undefined) result.requeueAfterMs = requeueAfterMs;
  return result;
}

/** DeploymentComplete: all replicas updated and available, and no other pods. */
export function deploymentComplete(replicas: number, s: DeploymentStatus): boolean {
  return s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
}

/** DeploymentProgressing: more updated, ready or available pods, or fewer old pods. */
function deploymentProgressing(old: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  const o = old ?? { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 };
  const oldOld = o.replicas - o.updatedReplicas;
  const newOld = next.replicas - next.updatedReplicas;
  return (
    next.updatedReplicas > o.updatedReplicas ||
    newOld < oldOld ||
    next.readyReplicas > o.readyReplicas ||
    next.availableReplicas > o.availableReplicas
  );
}

/** DeploymentTimedOut: the Progressing condition has not been updated for the deadline. */
function deploymentTimedOut(
  conds: readonly DeploymentCondition[],
  deadlineSeconds: number,
  now: number,
): boolean {
  const c = getCondition(conds, 'Progressing');
  if (!c || c.reason === REASON_NEW_RS_AVAILABLE) return false;
  if (c.reason === REASON_TIMED_OUT) return true;
  return c.lastUpdateTime + deadlineSeconds * 1000 < now;
}

function revisionMemory(groups: readonly RevisionGroup[], current: string): Record<string, RevisionMemory> {
  const out: Record<string, RevisionMemory> = {};
  for (const g of groups) {
    // Empty old revisions are forgotten (skiff's history lives in its database, not here).
    if (g.hash !== current && g.replicas === 0 && g.activeCount === 0 && g.terminatingCount === 0) continue;
    const m: RevisionMemory = { createdAt: g.createdAt, replicas: g.replicas };
    if (g.desiredReplicas !== undefined) m.desiredReplicas = g.desiredReplicas;
    if (g.maxReplicas !== undefined) m.maxReplicas = g.maxReplicas;
    out[g.hash] = m;
  }
  return out;
}

/** Why the new revision's pods do not become available, from what is observed of them. */
function explainStall(newGroup: Group | undefined): { reason: string; message: string } {
  if (!newGroup || newGroup.replicas === 0) {
    return { reason: 'NoNewPods', message: 'no pod of the new template could be started' };
  }
  const counts = new Map<string, { n: number; detail: string }>();
  const note = (reason: string, detail: string) => {
    const c = counts.get(reason);
    if (c) c.n++;
    else counts.set(reason, { n: 1, detail });
  };
  for (const info of newGroup.pods) {
    if (info.available) continue;
    const pod = info.pod;
    const failure = Object.values(pod.probes).find((p) => p.lastFailure)?.lastFailure;
    const crashed = pod.containers.find(
      (c) => c.restartCount > 0 || c.state === 'exited' || c.state === 'dead',
    );
    if (info.notReadyReason) note(info.notReadyReason, info.notReadyReason);
    else if (crashed) {
      note(
        'CrashLoopBackOff',
        `container ${crashed.name} exited with code ${crashed.exitCode}, restarted ${crashed.restartCount} times`,
      );
    } else if (info.phase === 'Pending') note('ContainersNotStarted', 'containers have not started');
    else if (!info.ready)
      note(
        'ReadinessNeverPassed',
        failure ? `${failure.probe} probe: ${failure.message}` : 'pod never became ready',
      );
    else note('MinReadySecondsNotReached', 'pods became ready but not for minReadySeconds');
  }
  const missing = newGroup.replicas - newGroup.activeCount;
  if (missing > 0) note('PodsNotCreated', `${missing} new pod(s) could not be created or scheduled`);
  const top = [...counts].sort((a, b) => b[1].n - a[1].n)[0];
  if (!top) return { reason: 'ProgressDeadlineExceeded', message: 'the new pods made no progress' };
  return { reason: top[0], message: `${top[1].n} of ${newGroup.replicas} new pod(s): ${top[1].detail}` };
}

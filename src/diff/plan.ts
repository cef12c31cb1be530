// Assembling a Plan from its computed parts (object changes, scheduler dry-run placement,
// prunes), and counting what it does. Pure: the caller ran the diff and the scheduler.
import type { HostPlacement, ObjectChange, Plan } from '../model/plan.js';

export interface PlanInput {
  app: string;
  fromCommit?: string;
  toCommit: string;
  changes: ObjectChange[];
  /** Live pods per workload, keyed `Kind/namespace/name` (objectKey): replace-pods counts. */
  currentPods: Record<string, number>;
  /** Pods per host now, and after the plan (scheduler dry run). */
  placementBefore: Record<string, number>;
  placementAfter: Record<string, number>;
  unschedulable: Plan['unschedulable'];
  prunes: Plan['prunes'];
  /** Per changing Deployment: the rollout the simulation recorded (absent: none). */
  rollouts?: Plan['rollouts'];
  warnings: string[];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Hosts in name order; a host missing on one side has 0 pods there. */
export function placementOf(before: Record<string, number>, after: Record<string, number>): HostPlacement[] {
  const hosts = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byName);
  return hosts.map((host) => ({ host, before: before[host] ?? 0, after: after[host] ?? 0 }));
}

export function assemblePlan(input: PlanInput): Plan {
  const changes = input.changes.map((c) => {
    if (c.change !== 'replace-pods') return c;
    const live = input.currentPods[`${c.kind}/${c.namespace}/${c.name}`] ?? 0;
    return { ...c, replacePods: live };
  });
  const plan: Plan = {
    app: input.app,
    toCommit: input.toCommit,
    alerts: [],
    changes,
    placement: placementOf(input.placementBefore, input.placementAfter),
    unschedulable: [...input.unschedulable],
    prunes: [...input.prunes],
    rollouts: [...(input.rollouts ?? [])],
    warnings: [...input.warnings],
  };
  if (input.fromCommit !== undefined) plan.fromCommit = input.fromCommit;
  return plan;
}

export interface PlanSummary {
  create: number;
  updateInPlace: number;
  replace: number;
  /** Pods replaced, over all replace-pods changes. */
  replacePods: number;
  delete: number;
  unchanged: number;
}

export function summarizePlan(changes: readonly ObjectChange[]): PlanSummary {
  const s: PlanSummary = { create: 0, updateInPlace: 0, replace: 0, replacePods: 0, delete: 0, unchanged: 0 };
  for (const c of changes) {
    if (c.change === 'create') s.create++;
    else if (c.change === 'update-in-place') s.updateInPlace++;
    else if (c.change === 'replace-pods') {
      s.replace++;
      s.replacePods += c.replacePods ?? 0;
    } else if (c.change === 'delete') s.delete++;
    else s.unchanged++;
  }
  return s;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "3 to create, 1 to update in place, 1 to replace (3 pods), 1 to delete", or "No changes". */
export function formatPlanSummary(s: PlanSummary): string {
  const parts: string[] = [];
  if (s.create) parts.push(`${s.create} to create`);
  if (s.updateInPlace) parts.push(`${s.updateInPlace} to update in place`);
  if (s.replace) parts.push(`${s.replace} to replace (${plural(s.replacePods, 'pod')})`);
  if (s.delete) parts.push(`${s.delete} to delete`);
  return parts.length > 0 ? parts.join(', ') : 'No changes';
}

/** Whether applying the plan would change anything: an object created, updated, replaced or
 *  deleted, or a pod pruned (`skiff plan --exit-code` answers 2 then, 0 otherwise). */
export function planHasChanges(plan: Pick<Plan, 'changes' | 'prunes'>): boolean {
  return plan.prunes.length > 0 || plan.changes.some((c) => c.change !== 'unchanged');
}

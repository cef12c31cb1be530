// What a reviewer must see before anything else in a plan: the revision the daemon would refuse
// (the empty-commit guard), one that removes every workload, pods that would not be scheduled,
// and Services left without endpoints. Pure: the plan and both object sets in, sentences out.

import { serviceSelectorMatches } from '../manifest/label-selector.js';
import type { KubeObject, Labels, Service } from '../model/k8s.js';
import type { Plan } from '../model/plan.js';

export interface PlanAlertInput {
  plan: Pick<Plan, 'unschedulable' | 'prunes'>;
  liveObjects: readonly KubeObject[];
  nextObjects: readonly KubeObject[];
  /** The daemon's empty-commit guard (app-tracker.ts): what it refuses unless allowEmpty. */
  emptyGuard: { allowEmpty: boolean; appPathFound: boolean; path: string };
}

export function planAlerts(input: PlanAlertInput): string[] {
  return [
    ...guardAlerts(input),
    ...everythingGoes(input),
    ...unschedulableAlerts(input.plan.unschedulable),
    ...serviceAlerts(input.liveObjects, input.nextObjects),
  ];
}

function guardAlerts({ emptyGuard: g, nextObjects }: PlanAlertInput): string[] {
  if (g.allowEmpty) return [];
  const path = g.path || '.';
  if (!g.appPathFound)
    return [
      `the daemon would refuse this revision: the app's path "${path}" does not exist in it (set syncPolicy.allowEmpty to allow)`,
    ];
  if (nextObjects.length === 0)
    return [
      `the daemon would refuse this revision: it has no objects under "${path}", which would prune the app to nothing (set syncPolicy.allowEmpty to allow)`,
    ];
  return [];
}

const isWorkload = (o: { kind: string }) => o.kind === 'Deployment' || o.kind === 'Pod';

/** Every live workload gone and none in its place: the whole app stops. */
function everythingGoes({ liveObjects, nextObjects, plan }: PlanAlertInput): string[] {
  const live = liveObjects.filter(isWorkload).length;
  if (live === 0 || nextObjects.some(isWorkload)) return [];
  const pods = plan.prunes.reduce((n, p) => n + p.pods, 0);
  const what = nextObjects.length === 0 ? 'every object of the app' : 'every workload of the app';
  return [
    `this revision deletes ${what} (${live} workload${live === 1 ? '' : 's'}${pods > 0 ? `, ${pods} pod${pods === 1 ? '' : 's'} removed` : ''})`,
  ];
}

function unschedulableAlerts(pods: Plan['unschedulable']): string[] {
  const byOwner = new Map<string, { count: number; reason: string }>();
  for (const u of pods) {
    const o = byOwner.get(u.owner) ?? { count: 0, reason: u.reason };
    o.count++;
    byOwner.set(u.owner, o);
  }
  return [...byOwner].map(
    ([owner, o]) =>
      `${o.count} pod${o.count === 1 ? '' : 's'} of ${owner} would not be scheduled: ${o.reason}`,
  );
}

/** The pod label sets a revision's workloads carry, per namespace. */
function podLabels(objects: readonly KubeObject[]): Map<string, Labels[]> {
  const out = new Map<string, Labels[]>();
  for (const o of objects) {
    const labels =
      o.kind === 'Deployment'
        ? o.spec.template.metadata.labels
        : o.kind === 'Pod'
          ? o.metadata.labels
          : undefined;
    if (!labels) continue;
    const list = out.get(o.metadata.namespace) ?? [];
    list.push(labels);
    out.set(o.metadata.namespace, list);
  }
  return out;
}

const selects = (s: Service, labels: Map<string, Labels[]>) =>
  (labels.get(s.metadata.namespace) ?? []).some((l) => serviceSelectorMatches(s.spec.selector, l));

/** A Service whose selector matches no pod template of the revision has no endpoints; worse
 *  when it had some before (a renamed label breaks traffic silently on Kubernetes too). */
function serviceAlerts(liveObjects: readonly KubeObject[], nextObjects: readonly KubeObject[]): string[] {
  const next = podLabels(nextObjects);
  const live = podLabels(liveObjects);
  const liveServices = new Map(
    liveObjects
      .filter((o): o is Service => o.kind === 'Service')
      .map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]),
  );
  const out: string[] = [];
  for (const s of nextObjects) {
    if (s.kind !== 'Service' || Object.keys(s.spec.selector).length === 0 || selects(s, next)) continue;
    const selector = Object.entries(s.spec.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const before = liveServices.get(`${s.metadata.namespace}/${s.metadata.name}`);
    const had = before !== undefined && selects(before, live);
    out.push(
      `service/${s.metadata.name} selects ${selector}, which no pod template of this revision carries: it ${had ? 'would lose all its endpoints (it has some now)' : 'would have no endpoints'}`,
    );
  }
  return out;
}

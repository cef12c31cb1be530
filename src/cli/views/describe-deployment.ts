// `skiff describe deployment/NAME`: kubectl describe's layout for a Deployment
// (describe.go DeploymentDescriber), where ReplicaSets become skiff's revisions (template
// hashes): the current one and the older ones that still have pods. Pure.
import { formatLabelSelector } from '../../diff/format-selector.js';
import type { Deployment } from '../../model/k8s.js';
import type { DeploymentView, EventView, PodView } from '../../model/views.js';
import { formatRfc1123Z } from './age.js';
import { writeContainers, writeVolumes } from './describe-containers.js';
import { eventsFor, writeEvents } from './events.js';
import { DescribeWriter, orNone, writeLabelsMultiline } from './table.js';

export interface DescribeDeploymentOptions {
  now: number;
  /** The Deployment as admitted (defaulted): strategy and pod template. */
  manifest?: Deployment;
}

function revisionCounts(dep: DeploymentView, pods: readonly PodView[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pods) {
    if (p.owner.kind !== 'Deployment' || p.owner.name !== dep.name || p.namespace !== dep.namespace) continue;
    counts.set(p.templateHash, (counts.get(p.templateHash) ?? 0) + 1);
  }
  return counts;
}

function writeManifest(w: DescribeWriter, d: Deployment, now: number): void {
  const s = d.spec;
  w.line(0, 'StrategyType:', s.strategy.type);
  w.line(0, 'MinReadySeconds:', String(s.minReadySeconds));
  if (s.strategy.type === 'RollingUpdate') {
    const ru = s.strategy.rollingUpdate;
    w.line(0, 'RollingUpdateStrategy:', `${ru.maxUnavailable} max unavailable, ${ru.maxSurge} max surge`);
  }
  if (s.paused) w.line(0, 'Paused:', 'true');
  w.write(0, 'Pod Template:\n');
  writeLabelsMultiline(w, '  Labels', s.template.metadata.labels);
  if (s.template.spec.initContainers?.length)
    writeContainers(w, '  ', s.template.spec.initContainers, [], now, 'Init Containers');
  writeContainers(w, '  ', s.template.spec.containers, [], now);
  writeVolumes(w, '  ', s.template.spec.volumes);
}

/** `pods` and `events` may hold others': the Deployment's own are picked out. */
export function describeDeployment(
  dep: DeploymentView,
  pods: readonly PodView[],
  events: readonly EventView[],
  opts: DescribeDeploymentOptions,
): string {
  const w = new DescribeWriter();
  const m = opts.manifest;
  w.line(0, 'Name:', dep.name);
  w.line(0, 'Namespace:', dep.namespace);
  if (dep.createdAt !== undefined) w.line(0, 'CreationTimestamp:', formatRfc1123Z(dep.createdAt));
  if (m) writeLabelsMultiline(w, 'Labels', m.metadata.labels);
  w.line(0, 'Selector:', dep.selector ?? (m ? formatLabelSelector(m.spec.selector) : '<none>'));
  const counts = revisionCounts(dep, pods);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const unavailable = Math.max(0, dep.replicas - dep.availableReplicas);
  w.line(
    0,
    'Replicas:',
    `${dep.replicas} desired | ${dep.updatedReplicas} updated | ${total} total | ${dep.availableReplicas} available | ${unavailable} unavailable`,
  );
  if (dep.replicasOwnedBy) w.line(0, 'Replicas Owned By:', dep.replicasOwnedBy);
  w.line(0, 'App:', dep.app);
  if (m) writeManifest(w, m, opts.now);
  if (dep.conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.line(1, 'Type', 'Status', 'Reason');
    w.line(1, '----', '------', '------');
    for (const c of dep.conditions) w.line(1, `${c.type} `, c.status, c.reason);
  }
  const old = [...counts.entries()].filter(([hash]) => hash !== dep.templateHash);
  w.line(0, 'OldRevisions:', orNone(old.map(([hash, n]) => `${hash} (${n} pods)`).join(', ')));
  const current = counts.get(dep.templateHash) ?? 0;
  w.line(0, 'NewRevision:', `${orNone(dep.templateHash)} (${current}/${dep.replicas} replicas created)`);
  writeEvents(w, eventsFor(events, dep.namespace, `deployment/${dep.name}`), opts.now);
  return w.toString();
}

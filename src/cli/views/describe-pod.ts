// `skiff describe pod/NAME`: kubectl describe's layout for a pod (describe.go describePod),
// with what skiff adds: the revision (template hash), the commit it came from, the scheduler's
// reason when Pending, and each container's last probe failure. Pure.

import { shortSha } from '../../diff/format-value.js';
import type { PodSpec } from '../../model/k8s.js';
import type { ObservedHost } from '../../model/observed.js';
import type { EventView, PodView } from '../../model/views.js';
import { formatRfc1123Z } from './age.js';
import { writeContainers, writeScheduling, writeVolumes } from './describe-containers.js';
import { eventsFor, writeEvents } from './events.js';
import { DescribeWriter, orNone, writeLabelsMultiline } from './table.js';

export interface DescribeOptions {
  now: number;
  /** For the Node line's address (`h1/10.213.0.11`), as kubectl prints node/hostIP. */
  hosts?: readonly Pick<ObservedHost, 'name' | 'address'>[];
  /** The pod's spec as written (ports, env references, probes, volumes); without it only the
   *  observed containers are described. */
  spec?: PodSpec;
}

/** kubectl's Conditions block for pods: Type and Status, each cell followed by a space. */
function writePodConditions(w: DescribeWriter, pod: PodView): void {
  if (pod.conditions.length === 0) return;
  w.write(0, 'Conditions:\n');
  w.line(1, 'Type', 'Status');
  for (const c of pod.conditions) w.line(1, `${c.type} `, `${c.status} `);
}

/** The pod's events, with kube-scheduler's FailedScheduling for a pod it could not place, as
 *  kubectl shows it under the pod. skiff records that event on the pod's owner (once per owner
 *  and pass: an unplaced pod's name is not kept), so it is taken from there, or made from the
 *  PodScheduled condition when the owner's is not at hand. */
function podEvents(pod: PodView, events: readonly EventView[], now: number): EventView[] {
  const own = eventsFor(events, pod.namespace, `pod/${pod.name}`);
  const scheduled = pod.conditions.find((c) => c.type === 'PodScheduled');
  const message = pod.pendingReason;
  if (scheduled?.status !== 'False' || !message || own.some((e) => e.reason === 'FailedScheduling'))
    return own;
  const object = `pod/${pod.name}`;
  const owner = eventsFor(events, pod.namespace, `${pod.owner.kind.toLowerCase()}/${pod.owner.name}`).filter(
    (e) => e.reason === 'FailedScheduling' && e.message === message,
  );
  if (owner.length > 0) return [...own, ...owner.map((e) => ({ ...e, object }))];
  const at = scheduled.lastTransitionTime ?? now;
  const made: EventView = {
    type: 'Warning',
    reason: 'FailedScheduling',
    object,
    namespace: pod.namespace,
    message,
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
  };
  return [...own, made];
}

/** `events` may hold any events: those about this pod are picked out. */
export function describePod(pod: PodView, events: readonly EventView[], opts: DescribeOptions): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', pod.name);
  w.line(0, 'Namespace:', pod.namespace);
  const address = opts.hosts?.find((h) => h.name === pod.host)?.address;
  w.line(0, 'Node:', pod.host ? (address ? `${pod.host}/${address}` : pod.host) : '<none>');
  if (pod.createdAt !== undefined) w.line(0, 'Start Time:', formatRfc1123Z(pod.createdAt));
  writeLabelsMultiline(w, 'Labels', pod.labels);
  // kubectl prints Terminating instead of the phase once deletion started.
  w.line(0, 'Status:', pod.status === 'Terminating' ? 'Terminating' : pod.phase);
  if (pod.pendingReason) w.line(0, 'Message:', pod.pendingReason);
  w.line(0, 'IP:', orNone(pod.ip));
  if (pod.owner.kind === 'Deployment') w.line(0, 'Controlled By:', `Deployment/${pod.owner.name}`);
  w.line(0, 'App:', pod.app);
  w.line(0, 'Revision:', orNone(pod.templateHash));
  w.line(0, 'Commit:', shortSha(pod.commit));
  if (opts.spec?.initContainers?.length || pod.initContainers?.length)
    writeContainers(w, '', opts.spec?.initContainers, pod.initContainers ?? [], opts.now, 'Init Containers');
  writeContainers(w, '', opts.spec?.containers, pod.containers, opts.now);
  writePodConditions(w, pod);
  if (opts.spec) {
    writeVolumes(w, '', opts.spec.volumes);
    writeScheduling(w, opts.spec);
  }
  writeEvents(w, podEvents(pod, events, opts.now), opts.now);
  return w.toString();
}

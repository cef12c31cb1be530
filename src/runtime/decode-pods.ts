// Rebuilding pods from Docker containers: the inverse of the labels written by pod-spec.ts.
// Pure: values in, values out. The live state must be recoverable from Docker alone, so this
// is the only place that decides what a group of containers means.
// Invariants: only containers labelled skiff.io/managed=true count; a container whose labels
// are incomplete or malformed is ignored (skiff never claims what it cannot prove it owns);
// of several containers for one pod container (restarts), the highest restart count is current.
import { isDeepStrictEqual } from 'node:util';
import { parseGpuDevices } from '../controllers/scheduler-devices.js';
import type { Labels, PodSpec } from '../model/k8s.js';
import { APP_ROLE, deletionDeadlineOf, INFRA_ROLE, INIT_ROLE, LABELS } from '../model/labels.js';
import type { ContainerState, ObservedContainer, ObservedPod } from '../model/observed.js';
import { SpecInterner } from './spec-interner.js';

/** The parts of Docker's container list entry (GET /containers/json) that observe reads. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  Created: number;
  State: string;
  Status: string;
  Labels: Record<string, string>;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> };
}

/** What only an inspect tells: exit code and times (cached by the caller per id and state). */
export interface ContainerDetails {
  exitCode: number;
  startedAt?: number;
  finishedAt?: number;
}

/** Inspect results by container id (a Map, or a read-through view of the caller's cache). */
export type ContainerDetailsLookup = Pick<ReadonlyMap<string, ContainerDetails>, 'get'>;

const STATES: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

export function decodeState(s: string): ContainerState {
  return (STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'dead';
}

/** Docker reports "never" as year 1; anything before 1971 means absent. */
export function decodeDockerTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) && t > 31_536_000_000 ? t : undefined;
}

/** Exit code from a list entry's Status ("Exited (137) 5 seconds ago"), when not inspected. */
export function exitCodeFromStatus(status: string): number {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : 0;
}

/** A JSON label's value, shared by every pod whose label has the same text (frozen). */
function internLabel<T>(specs: SpecInterner, s: string | undefined): T | undefined {
  return s === undefined ? undefined : specs.intern<T>(s);
}

function nonNegativeInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}

interface Identity {
  namespace: string;
  pod: string;
  role: string;
  container: string;
}

function identityOf(labels: Labels): Identity | undefined {
  if (labels[LABELS.managed] !== 'true') return undefined;
  const namespace = labels[LABELS.namespace];
  const pod = labels[LABELS.pod];
  const role = labels[LABELS.role];
  const container = labels[LABELS.container];
  if (!namespace || !pod || container === undefined) return undefined;
  if (role !== INFRA_ROLE && role !== APP_ROLE && role !== INIT_ROLE) return undefined;
  if (role !== INFRA_ROLE && container === '') return undefined;
  return { namespace, pod, role, container };
}

function ipOf(c: ContainerSummary): string | undefined {
  for (const n of Object.values(c.NetworkSettings?.Networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return undefined;
}

function publishedPortsOf(c: ContainerSummary): ObservedPod['publishedPorts'] {
  const seen = new Set<string>();
  const out: ObservedPod['publishedPorts'] = [];
  for (const p of c.Ports ?? []) {
    if (!p.PublicPort) continue;
    const protocol = p.Type.toLowerCase() === 'udp' ? 'UDP' : 'TCP';
    // Docker lists a binding once per address family (0.0.0.0 and ::): keep one.
    const key = `${p.PrivatePort}/${protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ containerPort: p.PrivatePort, protocol, hostPort: p.PublicPort });
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol));
}

function observedContainer(
  c: ContainerSummary,
  id: Identity,
  details: ContainerDetails | undefined,
  specs: SpecInterner,
): ObservedContainer {
  const state = decodeState(c.State);
  return {
    id: c.Id,
    name: specs.text(id.container),
    image: specs.text(c.Image),
    state,
    exitCode: details?.exitCode ?? exitCodeFromStatus(c.Status),
    startedAt: details?.startedAt,
    finishedAt: details?.finishedAt,
    restartCount: nonNegativeInt(c.Labels[LABELS.restartCount]) ?? 0,
    labels: containerOwnLabels(c.Labels),
  };
}

/** Of a container's Docker labels, the ones only it carries and the core reads (why it is held
 *  back): the pod-level ones are decoded into the pod once, not kept per container (about 15
 *  strings each, re-read every pass). */
export function containerOwnLabels(labels: Labels): Labels {
  if (labels[LABELS.waitingReason] === undefined && labels[LABELS.waitingMessage] === undefined) return NONE;
  const own: Labels = {};
  for (const k of [LABELS.waitingReason, LABELS.waitingMessage])
    if (labels[k] !== undefined) own[k] = labels[k];
  return own;
}

/** One frozen empty object for every container with no labels of its own and every pod with no
 *  probe result yet (nothing writes into either; pods are copied where they change): not two
 *  empty objects per pod, about 2 MB at 15,000 pods. */
const NONE: Readonly<Record<string, never>> = Object.freeze({});

/** The current container (highest restart count) of each pod container of one role, in the
 *  spec's order (unknown names last, by name). */
function currentContainers(
  members: readonly ContainerSummary[],
  role: string,
  id: Identity,
  specOrder: readonly { name: string }[] | undefined,
  details: ContainerDetailsLookup,
  specs: SpecInterner,
): ObservedContainer[] {
  const current = new Map<string, ContainerSummary>();
  for (const c of members) {
    if (c.Labels[LABELS.role] !== role) continue;
    const name = c.Labels[LABELS.container]!;
    const prev = current.get(name);
    const restarts = nonNegativeInt(c.Labels[LABELS.restartCount]) ?? 0;
    if (!prev || restarts > (nonNegativeInt(prev.Labels[LABELS.restartCount]) ?? 0)) current.set(name, c);
  }
  const order = new Map((specOrder ?? []).map((c, i) => [c.name, i]));
  const out = [...current.values()]
    .map((c) =>
      observedContainer(c, { ...id, container: c.Labels[LABELS.container]! }, details.get(c.Id), specs),
    )
    .sort((a, b) => (order.get(a.name) ?? 1e9) - (order.get(b.name) ?? 1e9) || a.name.localeCompare(b.name));
  return out;
}

/**
 * Group one host's skiff containers into pods. `details` holds inspect results by container id
 * (missing entries fall back to what the list entry tells). Output is sorted by namespace/name.
 * Pods whose spec labels are the same text share one frozen spec from `specs` (the runtime
 * passes one interner across hosts and passes; by default the call's pods share among them).
 * With `cache` (one per host, kept across observations), a pod that decodes to what it was
 * last time is the same frozen object as last time.
 */
export function decodePods(
  host: string,
  containers: readonly ContainerSummary[],
  details: ContainerDetailsLookup = new Map(),
  specs: SpecInterner = new SpecInterner(),
  cache?: DecodedPodCache,
): ObservedPod[] {
  const groups = new Map<string, { id: Identity; members: ContainerSummary[] }>();
  for (const c of containers) {
    const id = identityOf(c.Labels ?? {});
    if (!id) continue;
    const key = `${id.namespace}/${id.pod}`;
    const g = groups.get(key);
    if (g) g.members.push(c);
    else groups.set(key, { id, members: [c] });
  }
  const pods: ObservedPod[] = [];
  const seen = new Map<string, ObservedPod>();
  for (const [key, { id, members }] of groups) {
    const fresh = decodeGroup(host, id, members, details, specs);
    if (!fresh) continue;
    const last = cache?.get(key);
    const pod = last && isDeepStrictEqual(last, fresh) ? last : fresh;
    seen.set(key, pod);
    pods.push(pod);
  }
  if (cache) {
    cache.clear();
    for (const [k, v] of seen) cache.set(k, v);
  }
  return pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** The pods decoded at a host's last list, by `namespace/name`. A pod decoded again equal to
 *  its entry is handed on as that same object: what the core memoizes per pod object (views,
 *  readiness) holds across lists. Compared whole, not by a digest of its containers kept
 *  beside it: lists are rare (the engine's events say when), and a digest per pod was about
 *  5 MB at 15,000 pods. */
export type DecodedPodCache = Map<string, ObservedPod>;

/** One pod from its containers (undefined: not a pod skiff owns), frozen: it may be handed to
 *  several passes, so no one may change it (and the core memoizes views of it). Only the pod
 *  object: freezing every nested object costs V8 about a hidden class each (9 MB at 15,000
 *  pods); nothing changes a container in place (pods are copied where they change). */
function decodeGroup(
  host: string,
  id: Identity,
  members: ContainerSummary[],
  details: ContainerDetailsLookup,
  specs: SpecInterner,
): ObservedPod | undefined {
  const infra = members.find((c) => c.Labels[LABELS.role] === INFRA_ROLE);
  // Pod-level facts are written on every container; prefer the infra container's copy.
  const source = infra ?? members[0]!;
  const l = source.Labels;
  const ownerKind = l[LABELS.ownerKind];
  if (ownerKind !== 'Deployment' && ownerKind !== 'Pod') return undefined;
  const spec = internLabel<PodSpec>(
    specs,
    members.find((c) => c.Labels[LABELS.podSpec])?.Labels[LABELS.podSpec],
  );
  const containersOut = currentContainers(members, APP_ROLE, id, spec?.containers, details, specs);
  const initOut = currentContainers(members, INIT_ROLE, id, spec?.initContainers, details, specs);
  const deadline = infra ? deletionDeadlineOf(infra.Names[0] ?? '') : undefined;
  return Object.freeze<ObservedPod>({
    host,
    name: id.pod,
    namespace: specs.text(id.namespace),
    app: specs.text(l[LABELS.app] ?? ''),
    ownerKind,
    ownerName: specs.text(l[LABELS.ownerName] ?? id.pod),
    templateHash: specs.text(l[LABELS.templateHash] ?? ''),
    commit: specs.text(l[LABELS.commit] ?? ''),
    labels: internLabel<Labels>(specs, l[LABELS.podLabels]) ?? {},
    spec,
    createdAt: nonNegativeInt(l[LABELS.createdAt]) ?? source.Created * 1000,
    ip: infra ? ipOf(infra) : undefined,
    publishedPorts: infra ? publishedPortsOf(infra) : [],
    infra: infra ? { id: infra.Id, state: decodeState(infra.State) } : undefined,
    ...(initOut.length > 0 ? { initContainers: initOut } : {}),
    containers: containersOut,
    probes: NONE,
    ...(deadline === undefined ? {} : { terminating: true, deletionDeadline: deadline }),
    ...gpuDevicesOf(l),
  });
}

/** The GPU indices the pod holds, from the label every container of it carries. */
function gpuDevicesOf(l: Labels): Pick<ObservedPod, 'gpuDevices'> {
  const devices = parseGpuDevices(l[LABELS.gpuDevices]);
  return devices ? { gpuDevices: devices } : {};
}

// What the steps of one reconcile pass share: the actions, events and views being collected,
// the pods waiting for a host, and the small helpers every step uses to ask for a pod or a
// deletion. Pure.

import type { BackoffEntry } from '../controllers/backoff.js';
import type { RandomSource } from '../controllers/pod-name.js';
import { generatePodName } from '../controllers/pod-name.js';
import { podRequests } from '../controllers/pod-requests.js';
import type { SchedulingPod } from '../controllers/scheduler.js';
import { POD_TEMPLATE_HASH } from '../controllers/scheduler.js';
import type { ConfigIndex } from '../manifest/config-refs.js';
import type { Action } from '../model/actions.js';
import type { PersistentVolumeClaim, Pod } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { DrainView, PodView } from '../model/views.js';
import { podClaims } from './claims.js';
import type { AppDesired, PassEvent, PassInput } from './pass-types.js';
import type { PodBudget } from './pod-budget.js';

export const podKey = (p: { host: string; namespace: string; name: string }) =>
  `${p.host}/${p.namespace}/${p.name}`;
export const ownerKey = (app: string, kind: string, ns: string, name: string) =>
  `${app}|${kind}|${ns}|${name}`;

/** A pod an owner asked for this pass, waiting for the scheduler. */
export interface Creation {
  ctx: AppContext;
  pod: SchedulingPod;
  hash: string;
  labels: Record<string, string>;
  /** The template's annotations (the downward API reads them). */
  annotations?: Record<string, string>;
  reason: string;
}

/** What every step of the pass appends to. */
export interface PassCollector {
  /** The observation with the pass's inputs applied. */
  input: PassInput;
  actions: Action[];
  events: PassEvent[];
  podViews: PodView[];
  creations: Creation[];
  /** Requests per pod spec: a Deployment's replicas share one spec, parsed once per pass. */
  requestsBySpec: Map<Pod['spec'], SchedulingPod['requests']>;
  backoff: Record<string, BackoffEntry>;
  /** Pods this pass may still plan (what the inventory could ever hold). */
  podBudget: PodBudget;
  /** Since when each Ready host's Service rules have been failing (next pass's memory). */
  rulesFailingSince: Record<string, number>;
  /** Deletions the controllers asked for that this pass holds back (`namespace/name`). */
  postponedDeletions: Set<string>;
  /** Hosts being drained and what remains on them (reconcile/drain.ts). */
  drains: DrainView[];
  /** Evictions held back this pass: pod key -> why (the next pass's memory). */
  blockedEvictions: Record<string, string>;
  requeueIn: (ms: number | undefined) => void;
}

/** The collector plus the app being reconciled. */
export interface AppContext extends PassCollector {
  app: AppDesired;
  config: ConfigIndex;
  /** The app's PersistentVolumeClaims by `namespace/name`. */
  claims: ReadonlyMap<string, PersistentVolumeClaim>;
}

export function deletePodAction(pod: ObservedPod, reason: string): Action {
  return {
    type: 'deletePod',
    pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
    gracePeriodSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30,
    reason,
  };
}

/** Queue one new pod for the scheduler. */
export function requestPod(
  ctx: AppContext,
  name: string,
  namespace: string,
  owner: { kind: 'Deployment' | 'Pod'; name: string },
  hash: string,
  template: { labels: Record<string, string>; annotations?: Record<string, string>; spec: Pod['spec'] },
  reason: string,
): void {
  const spec = template.spec;
  let requests = ctx.requestsBySpec.get(spec);
  if (!requests) {
    requests = podRequests(spec);
    ctx.requestsBySpec.set(spec, requests);
  }
  const hostPorts = spec.containers.flatMap((c) =>
    c.ports.filter((p) => p.hostPort !== undefined).map((p) => ({ port: p.hostPort!, protocol: p.protocol })),
  );
  const claims = podClaims(spec, namespace, ctx.claims);
  ctx.creations.push({
    ctx,
    pod: {
      name,
      namespace,
      owner,
      spec,
      requests,
      hostPorts,
      // As the ReplicaSet controller labels its pods: matchLabelKeys [pod-template-hash] spreads
      // one revision's pods among themselves.
      labels: { ...template.labels, [POD_TEMPLATE_HASH]: hash },
      templateHash: hash,
      ...(claims ? { claims } : {}),
    },
    hash,
    labels: template.labels,
    ...(template.annotations ? { annotations: template.annotations } : {}),
    reason,
  });
}

/** 36^5 suffixes make a collision rare; a random source that collides 64 times in a row is
 *  broken (a constant in a test), and looping on it would hang the pass. */
const NAME_ATTEMPTS = 64;

export function uniqueName(base: string, hash: string, random: RandomSource, taken: ObservedPod[]): string {
  for (let i = 0; i < NAME_ATTEMPTS; i++) {
    const name = generatePodName(base, hash, random);
    if (!taken.some((p) => p.name === name)) return name;
  }
  throw new Error(`no free pod name for ${base} after ${NAME_ATTEMPTS} draws: the random source repeats`);
}

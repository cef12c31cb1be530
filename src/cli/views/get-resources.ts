// What `skiff get KIND [NAME] [-n NS|-A] [-l SELECTOR]` selects from the read models, and the
// three ways to show it: kubectl's table, the Kubernetes-shaped objects (kube-objects.ts), and
// skiff's own view objects (`-o skiff-json`). Pure: views and a selection in, values out.

import { matchesRequirement } from '../../controllers/scheduler-predicates.js';
import type { StringRequirement } from '../../manifest/label-selector-string.js';
import type { Labels } from '../../model/k8s.js';
import type { ClusterView, EventView, HpaView } from '../../model/views.js';
import { renderClaims } from './claims.js';
import { renderConfigMaps, renderSecrets } from './configs.js';
import { renderDeployments } from './deployments.js';
import { renderEvents } from './events.js';
import { renderHpaTable } from './hpa.js';
import {
  type KubeObject,
  kubeClaim,
  kubeConfig,
  kubeDeployments,
  kubeEndpoints,
  kubeHpa,
  kubePods,
  kubeService,
} from './kube-objects.js';
import { rfc3339 } from './kube-pod.js';
import { byNamespaceAndName, type GetOptions, renderPods } from './pods.js';
import { renderEndpoints, renderServices } from './services.js';

export type GetKind =
  | 'pods'
  | 'deployments'
  | 'services'
  | 'endpoints'
  | 'configmaps'
  | 'secrets'
  | 'pvc'
  | 'events'
  | 'hpa';

/** What the command read: the cluster view, and the events or HPAs when those were asked. */
export interface GetSource {
  view?: Pick<
    ClusterView,
    'pods' | 'deployments' | 'services' | 'endpoints' | 'configs' | 'claims' | 'hosts'
  >;
  events?: readonly EventView[];
  hpas?: readonly HpaView[];
}

export interface GetSelection {
  /** Absent: every namespace (`-A`). */
  namespace?: string;
  name?: string;
  selector: readonly StringRequirement[];
}

/** The selected objects of one kind; `key` identifies an object across polls (`-w`). */
export interface GetResources<T = unknown> {
  items: { key: string; value: T }[];
  /** kubectl's table of some of the items (all by default). */
  table(values: readonly T[], opts: GetOptions): string;
  kube(values: readonly T[]): KubeObject[];
}

interface Named {
  namespace: string;
  name: string;
}

function pick<T extends Named>(
  all: readonly T[],
  sel: GetSelection,
  labels: (x: T) => Labels,
  table: GetResources<T>['table'],
  kube: GetResources<T>['kube'],
): GetResources<T> {
  const chosen = byNamespaceAndName(all).filter(
    (x) =>
      (sel.namespace === undefined || x.namespace === sel.namespace) &&
      (sel.name === undefined || x.name === sel.name) &&
      selectorMatches(sel.selector, labels(x)),
  );
  return { items: chosen.map((value) => ({ key: `${value.namespace}/${value.name}`, value })), table, kube };
}

const none = (): Labels => ({});

/** Requirement.Matches, every requirement (ANDed): `=`/`!=` are `in`/`notin` of one value, and
 *  the rest (exists, gt/lt on integers) match as a node selector's requirements do. */
export function selectorMatches(reqs: readonly StringRequirement[], labels: Labels): boolean {
  const op = (o: StringRequirement['operator']) => (o === 'Equals' ? 'In' : o === 'NotEquals' ? 'NotIn' : o);
  return reqs.every((r) =>
    matchesRequirement({ key: r.key, operator: op(r.operator), values: r.values }, labels),
  );
}

/** core/v1 Event; skiff's events have no name of their own (they are records in its history). */
function kubeEvent(e: EventView): KubeObject {
  const [kind = '', name = ''] = e.object.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { namespace: e.namespace },
    involvedObject: { kind: kind.charAt(0).toUpperCase() + kind.slice(1), name, namespace: e.namespace },
    type: e.type,
    reason: e.reason,
    message: e.message,
    count: Math.max(1, e.count),
    firstTimestamp: rfc3339(e.firstTimestamp),
    lastTimestamp: rfc3339(e.lastTimestamp),
  };
}

function pickEvents(events: readonly EventView[], sel: GetSelection): GetResources<EventView> {
  const chosen = events.filter((e) => sel.namespace === undefined || e.namespace === sel.namespace);
  return {
    items: chosen.map((value) => ({ key: `${value.namespace}/${value.object}/${value.reason}`, value })),
    table: (xs, o) => renderEvents(xs, o),
    kube: (xs) => xs.map(kubeEvent),
  };
}

/** Select `kind` from what was read. */
export function selectResources(kind: GetKind, src: GetSource, sel: GetSelection): GetResources {
  const v = src.view ?? { pods: [], deployments: [], services: [], endpoints: [], configs: [], hosts: [] };
  switch (kind) {
    case 'pods':
      return pick(
        v.pods,
        sel,
        (p) => p.labels,
        renderPods,
        (xs) => kubePods(v, [...xs]),
      ) as GetResources;
    case 'deployments':
      return pick(
        v.deployments,
        sel,
        (d) => d.labels ?? {},
        (xs, o) => renderDeployments(xs, { ...o, pods: v.pods }),
        (xs) => kubeDeployments(v, xs),
      ) as GetResources;
    case 'services':
      return pick(v.services, sel, none, renderServices, (xs) => xs.map(kubeService)) as GetResources;
    case 'endpoints':
      return pick(v.endpoints, sel, none, renderEndpoints, (xs) => xs.map(kubeEndpoints)) as GetResources;
    case 'pvc':
      return pick(
        v.claims ?? [],
        sel,
        (c) => c.labels,
        renderClaims,
        (xs) => xs.map(kubeClaim),
      ) as GetResources;
    case 'configmaps':
    case 'secrets': {
      const k = kind === 'configmaps' ? 'ConfigMap' : 'Secret';
      const render = kind === 'configmaps' ? renderConfigMaps : renderSecrets;
      const configs = v.configs.filter((c) => c.kind === k);
      return pick(configs, sel, none, render, (xs) => xs.map(kubeConfig)) as GetResources;
    }
    case 'hpa':
      return pick(src.hpas ?? [], sel, none, renderHpaTable, (xs) => xs.map(kubeHpa)) as GetResources;
    case 'events':
      return pickEvents(src.events ?? [], sel) as GetResources;
  }
}

// Checks of a pod spec, shared by Pods and Deployment templates (ValidatePodSpec upstream):
// volumes, containers, hostname, node selector, tolerations, node affinity, inter-pod
// (anti-)affinity, topology spread, in that order.
// Unique names (containers, volumes, mounts, ports) are list-map keys: list-maps.ts.
// Pure.
import type { PodSpec } from '../../model/k8s.js';
import { isDns1123Label, isQualifiedName, isValidLabelValue } from '../name-rules.js';
import type { Collector, P } from './collector.js';
import { checkContainer } from './container.js';
import { checkQuantity } from './fields.js';
import { checkInitContainers } from './init-containers.js';
import { checkInterPodAffinity } from './pod-affinity.js';
import { checkPodSecurityContext } from './security-context.js';
import { checkTopologySpread } from './topology-spread.js';
import { checkKeyItems, checkOtherVolumeSources, otherVolumeSourceCount } from './volume-sources.js';

type Volume = PodSpec['volumes'][number];
type NodeSelectorTerm = NonNullable<
  NonNullable<
    NonNullable<PodSpec['affinity']>['nodeAffinity']
  >['requiredDuringSchedulingIgnoredDuringExecution']
>['nodeSelectorTerms'][number];
type NodeSelectorRequirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/** One volume source of a known type; `raw` is the volume as written. */
function checkVolumeSource(c: Collector, v: Volume, raw: Record<string, unknown> | undefined, at: P): void {
  const sources =
    (v.configMap ? 1 : 0) + (v.secret ? 1 : 0) + (v.emptyDir ? 1 : 0) + otherVolumeSourceCount(v);
  const rawSourceCount = Object.keys(raw ?? {}).filter((k) => k !== 'name').length;
  if (sources === 0 && rawSourceCount === 0) c.error(at, 'semantic.volume', 'must specify a volume type');
  if (sources > 1) c.error(at, 'semantic.volume', 'may not specify more than 1 volume type');
  if (v.configMap && v.configMap.name === '')
    c.error([...at, 'configMap', 'name'], 'semantic.volume', 'configMap.name is required');
  if (v.secret && v.secret.secretName === '')
    c.error([...at, 'secret', 'secretName'], 'semantic.volume', 'secret.secretName is required');
  if (v.configMap?.items) checkKeyItems(c, v.configMap.items, [...at, 'configMap', 'items']);
  if (v.secret?.items) checkKeyItems(c, v.secret.items, [...at, 'secret', 'items']);
  if (v.emptyDir?.sizeLimit !== undefined)
    checkQuantity(c, v.emptyDir.sizeLimit, [...at, 'emptyDir', 'sizeLimit']);
  checkOtherVolumeSources(c, v, at);
}

/** Returns the volume names, which container mounts must use. */
function checkVolumes(c: Collector, spec: PodSpec, raw: Record<string, unknown>, path: P): Set<string> {
  const volumes = new Set<string>();
  const rawVolumes = (raw.volumes ?? []) as Record<string, unknown>[];
  spec.volumes.forEach((v, i) => {
    const at = [...path, 'volumes', i];
    for (const e of isDns1123Label(v.name))
      c.error([...at, 'name'], 'semantic.volume', `invalid volume name "${v.name}": ${e}`);
    volumes.add(v.name);
    checkVolumeSource(c, v, rawVolumes[i], at);
  });
  return volumes;
}

function checkContainers(
  c: Collector,
  spec: PodSpec,
  raw: Record<string, unknown>,
  path: P,
  volumes: ReadonlySet<string>,
): void {
  const rawInit = (raw.initContainers ?? []) as Record<string, unknown>[];
  checkInitContainers(c, spec.initContainers ?? [], rawInit, path, volumes);
  const rawContainers = raw.containers as Record<string, unknown>[];
  spec.containers.forEach((ctr, i) => {
    const at = [...path, 'containers', i];
    checkContainer(c, ctr, rawContainers[i]!, at, volumes);
  });
}

function checkHostnameAndNodeSelector(c: Collector, spec: PodSpec, path: P): void {
  if (spec.hostname !== undefined)
    for (const e of isDns1123Label(spec.hostname))
      c.error([...path, 'hostname'], 'semantic.name', `invalid hostname "${spec.hostname}": ${e}`);
  for (const [k, v] of Object.entries(spec.nodeSelector)) {
    for (const e of isQualifiedName(k))
      c.error([...path, 'nodeSelector', k], 'semantic.label', `invalid node selector key "${k}": ${e}`);
    for (const e of isValidLabelValue(v))
      c.error([...path, 'nodeSelector', k], 'semantic.label', `invalid node selector value "${v}": ${e}`);
  }
}

function checkTolerations(c: Collector, spec: PodSpec, path: P): void {
  spec.tolerations.forEach((t, i) => {
    const at = [...path, 'tolerations', i];
    if (t.operator === 'Exists' && t.value)
      c.error([...at, 'operator'], 'semantic.toleration', "value must be empty when `operator` is 'Exists'");
    if (!t.key && t.operator !== 'Exists')
      c.error(
        [...at, 'operator'],
        'semantic.toleration',
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      );
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      c.error(
        [...at, 'effect'],
        'semantic.toleration',
        "effect must be 'NoExecute' when `tolerationSeconds` is set",
      );
  });
}

/** ValidateNodeSelectorRequirement: the values each operator needs. */
function checkNodeSelectorRequirement(c: Collector, e: NodeSelectorRequirement, where: P): void {
  const n = e.values?.length ?? 0;
  if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0)
    c.error(
      [...where, 'values'],
      'semantic.affinity',
      "must be specified when `operator` is 'In' or 'NotIn'",
    );
  if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0)
    c.error(
      [...where, 'values'],
      'semantic.affinity',
      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    );
  if ((e.operator === 'Gt' || e.operator === 'Lt') && (n !== 1 || !/^-?[0-9]+$/.test(e.values![0]!)))
    c.error(
      [...where, 'values'],
      'semantic.affinity',
      "must be specified single integer value when `operator` is 'Lt' or 'Gt'",
    );
}

/** The required terms, then the preferred ones, each expression in order. */
function checkNodeAffinity(c: Collector, spec: PodSpec, path: P): void {
  const nodeAffinity = spec.affinity?.nodeAffinity;
  const affinityAt = [...path, 'affinity', 'nodeAffinity'];
  const required = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const preferred = nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const terms: [P, NodeSelectorRequirement[]][] = [
    ...required.map((t, i): [P, NodeSelectorRequirement[]] => [
      [...affinityAt, 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms', i],
      t.matchExpressions ?? [],
    ]),
    ...preferred.map((t, i): [P, NodeSelectorRequirement[]] => [
      [...affinityAt, 'preferredDuringSchedulingIgnoredDuringExecution', i, 'preference'],
      t.preference.matchExpressions ?? [],
    ]),
  ];
  for (const [at, exprs] of terms)
    exprs.forEach((e, j) => {
      checkNodeSelectorRequirement(c, e, [...at, 'matchExpressions', j]);
    });
}

/** `raw` is the pod spec as written (for volume types and env sources defaulting drops). */
export function checkPodSpec(c: Collector, spec: PodSpec, raw: Record<string, unknown>, path: P): void {
  const volumes = checkVolumes(c, spec, raw, path);
  checkContainers(c, spec, raw, path, volumes);
  checkPodSecurityContext(c, spec, path);
  checkHostnameAndNodeSelector(c, spec, path);
  checkTolerations(c, spec, path);
  checkNodeAffinity(c, spec, path);
  checkInterPodAffinity(c, spec, path);
  checkTopologySpread(c, spec, path);
  checkServiceAccountToken(c, raw, path);
}

/** A hardened manifest's `automountServiceAccountToken: false` is what skiff does anyway (no
 *  API server issues tokens, none is mounted); only `true` asks for something skiff ignores. */
function checkServiceAccountToken(c: Collector, raw: Record<string, unknown>, path: P): void {
  if (raw.automountServiceAccountToken !== true) return;
  c.warn(
    [...path, 'automountServiceAccountToken'],
    'unsupported.field',
    'automountServiceAccountToken: true is ignored by skiff: no API server issues tokens, so none is mounted',
  );
}

// A pod spec's references to ConfigMaps and Secrets, found in one walk (podConfigRefs), and
// the three uses built on it: the bundle's reference checks (validate-document.ts), which
// keys a workload reads and through which door (the plan's "why it rolls"), and which
// objects a template references plus a digest of their content (the template hash: a change
// in referenced config yields a new hash, so the workload rolls, a deliberate improvement on
// Kubernetes, where env from a changed ConfigMap goes stale). Pure.
import type { ConfigMap, Container, PodSpec, Secret, Volume } from '../model/k8s.js';
import { canonicalJson } from '../model/stable-hash.js';
import type { PathSegment } from './parse.js';

export type ConfigKind = 'ConfigMap' | 'Secret';

/** How the referenced data reaches the container. */
export type ConfigDoor = 'env' | 'envFrom' | 'volume';

/** One reference of a pod spec to a ConfigMap or Secret (same namespace, as Kubernetes
 *  resolves). */
export interface PodConfigRef {
  kind: ConfigKind;
  name: string;
  door: ConfigDoor;
  optional: boolean;
  /** Where the name is written, relative to the pod spec. */
  path: PathSegment[];
  /** env: the one key the variable reads (written beside the name). */
  key?: string;
  /** volume with `items`: the keys it projects, each with where it is written. */
  items?: { key: string; path: PathSegment[] }[];
}

/** A container's references: envFrom entries, then env vars, in the order written. */
type ContainerList = 'containers' | 'initContainers';

function containerConfigRefs(c: Container, list: ContainerList, i: number, refs: PodConfigRef[]): void {
  c.envFrom.forEach((e, j) => {
    const at = [list, i, 'envFrom', j];
    for (const [kind, field, ref] of [
      ['ConfigMap', 'configMapRef', e.configMapRef],
      ['Secret', 'secretRef', e.secretRef],
    ] as const)
      if (ref)
        refs.push({
          kind,
          name: ref.name,
          door: 'envFrom',
          optional: ref.optional === true,
          path: [...at, field, 'name'],
        });
  });
  c.env.forEach((e, j) => {
    const at = [list, i, 'env', j, 'valueFrom'];
    for (const [kind, field, ref] of [
      ['ConfigMap', 'configMapKeyRef', e.valueFrom?.configMapKeyRef],
      ['Secret', 'secretKeyRef', e.valueFrom?.secretKeyRef],
    ] as const)
      if (ref)
        refs.push({
          kind,
          name: ref.name,
          door: 'env',
          optional: ref.optional === true,
          path: [...at, field, 'name'],
          key: ref.key,
        });
  });
}

interface KeySource {
  name: string;
  items?: { key: string }[];
  optional?: boolean;
}

function keySourceRef(kind: ConfigKind, src: KeySource, at: PathSegment[], nameField: string): PodConfigRef {
  const items = src.items;
  return {
    kind,
    name: src.name,
    door: 'volume',
    optional: src.optional === true,
    path: [...at, nameField],
    ...(items ? { items: items.map((it, j) => ({ key: it.key, path: [...at, 'items', j, 'key'] })) } : {}),
  };
}

/** A volume's references: its configMap or secret (validation rejects both), or each
 *  configMap/secret source of a projected volume. */
function volumeConfigRefs(v: Volume, i: number): PodConfigRef[] {
  const at = ['volumes', i];
  if (v.configMap) return [keySourceRef('ConfigMap', v.configMap, [...at, 'configMap'], 'name')];
  if (v.secret)
    return [
      keySourceRef('Secret', { ...v.secret, name: v.secret.secretName }, [...at, 'secret'], 'secretName'),
    ];
  const refs: PodConfigRef[] = [];
  v.projected?.sources.forEach((s, j) => {
    const where = [...at, 'projected', 'sources', j];
    if (s.configMap) refs.push(keySourceRef('ConfigMap', s.configMap, [...where, 'configMap'], 'name'));
    if (s.secret) refs.push(keySourceRef('Secret', s.secret, [...where, 'secret'], 'name'));
  });
  return refs;
}

/** Every reference, container by container, then volume by volume. */
export function podConfigRefs(spec: PodSpec): PodConfigRef[] {
  const refs: PodConfigRef[] = [];
  (spec.initContainers ?? []).forEach((c, i) => {
    containerConfigRefs(c, 'initContainers', i, refs);
  });
  spec.containers.forEach((c, i) => {
    containerConfigRefs(c, 'containers', i, refs);
  });
  spec.volumes.forEach((v, i) => {
    refs.push(...volumeConfigRefs(v, i));
  });
  return refs;
}

/** The keys a reference reads: one by name (env, a volume's items), or 'all' (envFrom and
 *  a volume without items put every key of the object in the container). */
export function keysRead(ref: PodConfigRef): string[] | 'all' {
  if (ref.key !== undefined) return [ref.key];
  return ref.items ? ref.items.map((it) => it.key) : 'all';
}

// --- Reads by key, for the plan: a workload rolls when a key it reads changes.

/** `ConfigMap/app-config` -> the keys read, or 'all'. */
export type ConfigReads = Map<string, Set<string> | 'all'>;

export function configId(kind: ConfigKind, name: string): string {
  return `${kind}/${name}`;
}

function addRead(reads: ConfigReads, id: string, keys: string[] | 'all'): void {
  const prev = reads.get(id);
  if (prev === 'all') return;
  if (keys === 'all') {
    reads.set(id, 'all');
    return;
  }
  const set = prev ?? new Set<string>();
  for (const k of keys) set.add(k);
  reads.set(id, set);
}

/** Every ConfigMap/Secret key the pod spec reads. */
export function configReadsOf(spec: PodSpec): ConfigReads {
  const reads: ConfigReads = new Map();
  for (const r of podConfigRefs(spec)) addRead(reads, configId(r.kind, r.name), keysRead(r));
  return reads;
}

// --- Referenced objects and their content, for the template hash.

export interface ConfigRefs {
  configMaps: string[];
  secrets: string[];
}

/** The names referenced, per kind, sorted (the hash must not depend on the order written). */
export function configRefsOf(spec: PodSpec): ConfigRefs {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const r of podConfigRefs(spec)) (r.kind === 'ConfigMap' ? configMaps : secrets).add(r.name);
  return { configMaps: [...configMaps].sort(), secrets: [...secrets].sort() };
}

export interface ConfigIndex {
  configMaps: Map<string, ConfigMap>; // key: namespace/name
  secrets: Map<string, Secret>;
}

export function indexConfig(configMaps: ConfigMap[], secrets: Secret[]): ConfigIndex {
  return {
    configMaps: new Map(configMaps.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c])),
    secrets: new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s])),
  };
}

/** The referenced ConfigMaps and Secrets as found in `namespace`, in `refs`' order
 *  (undefined: missing). */
export interface ReferencedConfig {
  configMaps: (ConfigMap | undefined)[];
  secrets: (Secret | undefined)[];
}

export function referencedConfig(refs: ConfigRefs, namespace: string, config: ConfigIndex): ReferencedConfig {
  return {
    configMaps: refs.configMaps.map((n) => config.configMaps.get(`${namespace}/${n}`)),
    secrets: refs.secrets.map((n) => config.secrets.get(`${namespace}/${n}`)),
  };
}

/** Canonical text of the referenced config's content (missing ones included as null), fed
 *  into the template hash. Secret values go into a hash input only, never into output. */
export function referencedConfigDigestInput(refs: ConfigRefs, found: ReferencedConfig): string {
  const cms = refs.configMaps.map((n, i) => {
    const cm = found.configMaps[i];
    return [n, cm ? { d: cm.data, b: cm.binaryData } : null];
  });
  const ss = refs.secrets.map((n, i) => [n, found.secrets[i]?.data ?? null]);
  return canonicalJson({ cms, ss });
}

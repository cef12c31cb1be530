// The revision identity of a pod template: the template itself plus the content of every
// ConfigMap and Secret it references. Same inputs, same hash, on any machine. Pure.

import { encodeTemplateHash } from '../controllers/pod-name.js';
import {
  type ConfigIndex,
  type ConfigRefs,
  configRefsOf,
  type ReferencedConfig,
  referencedConfig,
  referencedConfigDigestInput,
} from '../manifest/config-refs.js';
import type { PodTemplateSpec } from '../model/k8s.js';
import { sameItems } from '../model/same-items.js';
import { canonicalJson, fnv1a32 } from '../model/stable-hash.js';

/** What a template's hash needs that depends on the template alone, and the last hash. */
interface TemplateMemo {
  /** FNV-1a of the template's canonical JSON: the hash continues from it over the config. */
  templateSeed: number;
  refs: ConfigRefs;
  /** The config objects last found and the hash with them (the namespace is not hashed). */
  last?: { found: ReferencedConfig; hash: string };
}

/** Desired templates are immutable and the same objects from pass to pass while their commit
 *  is: an idle pass over 5,000 Deployments serialized every template and the ConfigMaps it
 *  reads again (about 120 MB of garbage a pass), for the same answer. */
const memo = new WeakMap<PodTemplateSpec, TemplateMemo>();

export function templateHash(template: PodTemplateSpec, namespace: string, config: ConfigIndex): string {
  let m = memo.get(template);
  if (!m) {
    m = { templateSeed: fnv1a32(canonicalJson(template)), refs: configRefsOf(template.spec) };
    memo.set(template, m);
  }
  const found = referencedConfig(m.refs, namespace, config);
  if (m.last && sameObjects(m.last.found, found)) return m.last.hash;
  // FNV-1a runs over text in order: seeding it with the template's hash is hashing the two
  // texts joined, as before the memo (running pods' hashes must not change).
  const hash = encodeTemplateHash(fnv1a32(referencedConfigDigestInput(m.refs, found), m.templateSeed));
  m.last = { found, hash };
  return hash;
}

function sameObjects(a: ReferencedConfig, b: ReferencedConfig): boolean {
  return sameItems(a.configMaps, b.configMaps) && sameItems(a.secrets, b.secrets);
}

// The revision identity of a pod template: the template itself plus the content of every
// ConfigMap and Secret it references. Same inputs, same hash, on any machine. Pure.

import { encodeTemplateHash } from '../controllers/pod-name.js';
import {
  type ConfigIndex,
  type ConfigRefs,
  configRefsOf,
  referencedConfigDigestInput,
} from '../manifest/config-refs.js';
import type { PodTemplateSpec } from '../model/k8s.js';
import { canonicalJson, fnv1a32 } from '../model/stable-hash.js';

/** What a template's hash needs that depends on the template alone, and the last hash. */
interface TemplateMemo {
  /** FNV-1a of the template's canonical JSON: the hash continues from it over the config. */
  templateSeed: number;
  refs: ConfigRefs;
  last?: { namespace: string; config: readonly unknown[]; hash: string };
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
  const read = referencedObjects(m.refs, namespace, config);
  if (m.last && m.last.namespace === namespace && sameObjects(m.last.config, read)) return m.last.hash;
  // FNV-1a runs over text in order: seeding it with the template's hash is hashing the two
  // texts joined, as before the memo (running pods' hashes must not change).
  const hash = encodeTemplateHash(
    fnv1a32(referencedConfigDigestInput(m.refs, namespace, config), m.templateSeed),
  );
  m.last = { namespace, config: read, hash };
  return hash;
}

/** The ConfigMaps and Secrets the template reads, as found (undefined when missing). */
function referencedObjects(refs: ConfigRefs, namespace: string, config: ConfigIndex): unknown[] {
  const out: unknown[] = [];
  for (const n of refs.configMaps) out.push(config.configMaps.get(`${namespace}/${n}`));
  for (const n of refs.secrets) out.push(config.secrets.get(`${namespace}/${n}`));
  return out;
}

function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// The revision identity of a pod template: the template itself plus the content of every
// ConfigMap and Secret it references. Same inputs, same hash, on any machine. Pure.

import { encodeTemplateHash } from '../controllers/pod-name.js';
import { type ConfigIndex, configRefsOf, referencedConfigDigestInput } from '../manifest/config-refs.js';
import type { PodTemplateSpec } from '../model/k8s.js';
import { canonicalJson, fnv1a32 } from '../model/stable-hash.js';

export function templateHash(template: PodTemplateSpec, namespace: string, config: ConfigIndex): string {
  const refs = configRefsOf(template.spec);
  const input = canonicalJson(template) + referencedConfigDigestInput(refs, namespace, config);
  return encodeTemplateHash(fnv1a32(input));
}

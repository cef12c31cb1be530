// Which ConfigMaps and Secrets a pod template references, and a digest of their content.
// A change in referenced config yields a new template hash, so the workload rolls (a
// deliberate improvement on Kubernetes, where env from a changed ConfigMap goes stale).
// Pure.
import type { ConfigMap, PodSpec, Secret } from '../model/k8s.js';
import { canonicalJson } from '../model/stable-hash.js';

export interface ConfigRefs {
  configMaps: string[];
  secrets: string[];
}

export function configRefsOf(spec: PodSpec): ConfigRefs {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const c of spec.containers) {
    for (const ef of c.envFrom) {
      if (ef.configMapRef) configMaps.add(ef.configMapRef.name);
      if (ef.secretRef) secrets.add(ef.secretRef.name);
    }
    for (const e of c.env) {
      if (e.valueFrom?.configMapKeyRef) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  for (const v of spec.volumes) {
    if (v.configMap) configMaps.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
  }
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

/** Canonical text of the referenced config's content (missing ones included as null), fed
 *  into the template hash. Secret values go into a hash input only, never into output. */
export function referencedConfigDigestInput(
  refs: ConfigRefs,
  namespace: string,
  config: ConfigIndex,
): string {
  const cms = refs.configMaps.map((n) => {
    const cm = config.configMaps.get(`${namespace}/${n}`);
    return [n, cm ? { d: cm.data, b: cm.binaryData } : null];
  });
  const ss = refs.secrets.map((n) => {
    const s = config.secrets.get(`${namespace}/${n}`);
    return [n, s ? s.data : null];
  });
  return canonicalJson({ cms, ss });
}

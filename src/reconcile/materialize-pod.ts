// Turns a pod template plus the commit's ConfigMaps/Secrets into a DesiredPod: env resolved
// in Kubernetes' order (envFrom first, then env, later entries win), volume files laid out,
// limits converted for Docker. Runs after scheduling because fieldRefs like spec.nodeName
// need the host. Pure: problems are returned as values (the kubelet's
// CreateContainerConfigError), never thrown.

import { podRequests } from '../controllers/pod-requests.js';
import type { ConfigIndex } from '../manifest/config-refs.js';
import type { DesiredContainer, DesiredEnvVar, DesiredFile, DesiredPod } from '../model/desired.js';
import type { Container, KeyToPath, Labels, PodSpec, Volume } from '../model/k8s.js';
import { decodeBase64Utf8, encodeUtf8Base64 } from './base64.js';
import { containerLimits } from './container-limits.js';

export interface MaterializeInput {
  app: string;
  commit: string;
  name: string;
  namespace: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  templateHash: string;
  labels: Labels;
  spec: PodSpec;
  host: { name: string; address: string };
  config: ConfigIndex;
  /** Kubernetes' service link variables (FOO_SERVICE_HOST...) for Services that exist now. */
  serviceEnv: DesiredEnvVar[];
  extraHosts: { hostname: string; ip: string }[];
}

export interface MaterializeResult {
  pod: DesiredPod;
  /** Non-empty means the pod cannot start: CreateContainerConfigError with these messages. */
  problems: string[];
}

// Environment variable names Kubernetes accepts from envFrom (IsEnvVarName): others are skipped.
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function materializePod(input: MaterializeInput): MaterializeResult {
  const problems: string[] = [];
  const initContainers = (input.spec.initContainers ?? []).map((c) =>
    materializeContainer(c, input, problems),
  );
  const containers = input.spec.containers.map((c) => materializeContainer(c, input, problems));
  const hostPorts = [...(input.spec.initContainers ?? []), ...input.spec.containers].flatMap((c) =>
    c.ports.filter((p) => p.hostPort !== undefined).map((p) => ({ port: p.hostPort!, protocol: p.protocol })),
  );
  const pod: DesiredPod = {
    name: input.name,
    namespace: input.namespace,
    app: input.app,
    owner: input.owner,
    templateHash: input.templateHash,
    commit: input.commit,
    labels: input.labels,
    spec: input.spec,
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    requests: podRequests(input.spec),
    hostPorts,
    extraHosts: input.extraHosts,
  };
  return { pod, problems };
}

function materializeContainer(c: Container, input: MaterializeInput, problems: string[]): DesiredContainer {
  return {
    name: c.name,
    image: c.image,
    pullPolicy: c.imagePullPolicy,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env: resolveEnv(c, input, problems),
    ports: c.ports,
    limits: containerLimits(c),
    files: resolveVolumeFiles(c, input, problems),
    emptyDirs: c.volumeMounts
      .filter((m) => input.spec.volumes.find((v) => v.name === m.name)?.emptyDir)
      .map((m) => ({ name: m.name, path: m.mountPath })),
  };
}

function resolveEnv(c: Container, input: MaterializeInput, problems: string[]): DesiredEnvVar[] {
  const env = new Map<string, DesiredEnvVar>();
  const set = (name: string, value: string, secret: boolean) => {
    env.delete(name); // later definitions win and move to the end, as in the kubelet's list
    env.set(name, { name, value, secret });
  };
  for (const s of input.serviceEnv) set(s.name, s.value, false);
  const ns = input.namespace;
  for (const from of c.envFrom) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = input.config.configMaps.get(`${ns}/${from.configMapRef.name}`);
      if (!cm) {
        if (!from.configMapRef.optional) problems.push(`configmap "${from.configMapRef.name}" not found`);
        continue;
      }
      for (const [k, v] of Object.entries(cm.data)) if (ENV_NAME.test(prefix + k)) set(prefix + k, v, false);
    }
    if (from.secretRef) {
      const s = input.config.secrets.get(`${ns}/${from.secretRef.name}`);
      if (!s) {
        if (!from.secretRef.optional) problems.push(`secret "${from.secretRef.name}" not found`);
        continue;
      }
      for (const [k, v] of Object.entries(s.data)) {
        if (ENV_NAME.test(prefix + k)) set(prefix + k, decodeBase64Utf8(v), true);
      }
    }
  }
  for (const e of c.env) {
    if (e.value !== undefined || !e.valueFrom) {
      set(e.name, expandDependentVars(e.value ?? '', env), false);
      continue;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const value = input.config.configMaps.get(`${ns}/${ref.name}`)?.data[ref.key];
      if (value !== undefined) set(e.name, value, false);
      else if (!ref.optional) problems.push(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const b64 = input.config.secrets.get(`${ns}/${ref.name}`)?.data[ref.key];
      if (b64 !== undefined) set(e.name, decodeBase64Utf8(b64), true);
      else if (!ref.optional) problems.push(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    } else if (vf.fieldRef) {
      const value = resolveFieldRef(vf.fieldRef.fieldPath, input);
      if (value !== undefined) set(e.name, value, false);
      else problems.push(`unsupported fieldRef ${vf.fieldRef.fieldPath}`);
    }
  }
  return [...env.values()];
}

/** Kubernetes expands $(VAR) references to variables defined earlier; $$ escapes. */
function expandDependentVars(value: string, env: Map<string, DesiredEnvVar>): string {
  return value.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = name ? env.get(name) : undefined;
    return v ? v.value : m;
  });
}

function resolveFieldRef(path: string, input: MaterializeInput): string | undefined {
  switch (path) {
    case 'metadata.name':
      return input.name;
    case 'metadata.namespace':
      return input.namespace;
    case 'spec.nodeName':
      return input.host.name;
    case 'status.hostIP':
      return input.host.address;
    case 'spec.serviceAccountName':
      return 'default';
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return input.labels[label[1]!] ?? '';
  return undefined;
}

function resolveVolumeFiles(c: Container, input: MaterializeInput, problems: string[]): DesiredFile[] {
  const files: DesiredFile[] = [];
  for (const mount of c.volumeMounts) {
    const vol = input.spec.volumes.find((v) => v.name === mount.name);
    if (!vol) continue;
    const source = volumeSource(vol, input);
    if (!source) continue;
    if (source.missing) {
      if (!source.optional) problems.push(`${source.kind} "${source.name}" not found`);
      continue;
    }
    const items: KeyToPath[] = source.items ?? Object.keys(source.entries).map((k) => ({ key: k, path: k }));
    for (const item of items) {
      const content = source.entries[item.key];
      if (content === undefined) {
        if (!source.optional) problems.push(`couldn't find key ${item.key} in ${source.kind} ${source.name}`);
        continue;
      }
      const path = `${mount.mountPath.replace(/\/+$/, '')}/${item.path}`;
      if (mount.subPath !== undefined && mount.subPath !== item.path) continue;
      files.push({
        path: mount.subPath !== undefined ? mount.mountPath : path,
        contentBase64: content,
        mode: item.mode ?? source.defaultMode,
        secret: source.kind === 'Secret',
      });
    }
  }
  return files;
}

interface VolumeSource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  missing: boolean;
  optional: boolean;
  items?: KeyToPath[];
  defaultMode: number;
  /** key -> base64 content */
  entries: Record<string, string>;
}

function volumeSource(vol: Volume, input: MaterializeInput): VolumeSource | undefined {
  const ns = input.namespace;
  if (vol.configMap) {
    const cm = input.config.configMaps.get(`${ns}/${vol.configMap.name}`);
    const entries: Record<string, string> = {};
    if (cm) {
      for (const [k, v] of Object.entries(cm.data)) entries[k] = encodeUtf8Base64(v);
      Object.assign(entries, cm.binaryData);
    }
    return {
      kind: 'ConfigMap',
      name: vol.configMap.name,
      missing: !cm,
      optional: vol.configMap.optional ?? false,
      items: vol.configMap.items,
      defaultMode: vol.configMap.defaultMode,
      entries,
    };
  }
  if (vol.secret) {
    const s = input.config.secrets.get(`${ns}/${vol.secret.secretName}`);
    return {
      kind: 'Secret',
      name: vol.secret.secretName,
      missing: !s,
      optional: vol.secret.optional ?? false,
      items: vol.secret.items,
      defaultMode: vol.secret.defaultMode,
      entries: s ? { ...s.data } : {},
    };
  }
  return undefined;
}

// Turns a pod template plus the commit's ConfigMaps/Secrets into a DesiredPod: env resolved
// in Kubernetes' order (envFrom first, then env, later entries win), volume files laid out,
// limits converted for Docker. Runs after scheduling because fieldRefs like spec.nodeName
// and resourceFieldRefs of unset limits (the host's capacity) need the host. Pure: problems are returned as values (the kubelet's
// CreateContainerConfigError), never thrown.

import { podRequests } from '../controllers/pod-requests.js';
import { effectiveSecurity, needsImageUser, verifyRunAsNonRoot } from '../controllers/security-context.js';
import type { ConfigIndex } from '../manifest/config-refs.js';
import type { DesiredClaimVolume, DesiredContainer, DesiredEnvVar, DesiredPod } from '../model/desired.js';
import type { Container, Labels, PersistentVolumeClaim, PodSpec } from '../model/k8s.js';
import { claimVolumeName } from '../model/labels.js';
import { decodeBase64Utf8 } from './base64.js';
import { containerLimits } from './container-limits.js';
import {
  type DownwardPod,
  type DownwardValue,
  fieldRefValue,
  podUid,
  resourceFieldValue,
} from './downward-api.js';
import { containerVolumes, type VolumeContext } from './volume-files.js';

export interface MaterializeInput {
  app: string;
  commit: string;
  name: string;
  namespace: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  templateHash: string;
  labels: Labels;
  /** The template's (or Pod's) annotations, for the downward API. */
  annotations?: Labels;
  spec: PodSpec;
  /** capacity: what a resourceFieldRef of an unset limit reads (the node's allocatable upstream). */
  host: { name: string; address: string; capacity?: { cpuMilli: number; memoryBytes: number } };
  config: ConfigIndex;
  /** Kubernetes' service link variables (FOO_SERVICE_HOST...) for Services that exist now. */
  serviceEnv: DesiredEnvVar[];
  extraHosts: { hostname: string; ip: string }[];
  /** The app's PersistentVolumeClaims by `namespace/name`, for the volumes' labels. */
  claims?: ReadonlyMap<string, PersistentVolumeClaim>;
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
  const ctx: VolumeContext = {
    namespace: input.namespace,
    config: input.config,
    pod: downwardPod(input),
    volumes: input.spec.volumes,
  };
  const initSpecs = input.spec.initContainers ?? [];
  const initContainers = initSpecs.map((c) => materializeContainer(c, input, ctx, problems));
  const containers = input.spec.containers.map((c) => materializeContainer(c, input, ctx, problems));
  for (const c of [...initSpecs, ...input.spec.containers]) {
    // runAsNonRoot against an explicit runAsUser is decided here; against the image's own
    // user, by the runtime once the image is on the host (it shows the same way).
    const security = effectiveSecurity(input.spec, c);
    const refused = needsImageUser(security) ? undefined : verifyRunAsNonRoot(input, c.name, security, '');
    if (refused) problems.push(refused);
  }
  const hostPorts = [...initSpecs, ...input.spec.containers].flatMap((c) =>
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
  const claimVolumes = desiredClaimVolumes(input, problems);
  if (claimVolumes.length > 0) pod.claimVolumes = claimVolumes;
  return { pod, problems };
}

/** Each claim the pod mounts, with what its volume's labels record. */
function desiredClaimVolumes(input: MaterializeInput, problems: string[]): DesiredClaimVolume[] {
  const out: DesiredClaimVolume[] = [];
  for (const v of input.spec.volumes) {
    const name = v.persistentVolumeClaim?.claimName;
    if (!name || out.some((c) => c.claim === name)) continue;
    const pvc = input.claims?.get(`${input.namespace}/${name}`);
    if (!pvc) {
      problems.push(`persistentvolumeclaim "${name}" not found`);
      continue;
    }
    out.push({
      volume: claimVolumeName(input.namespace, name),
      claim: name,
      namespace: input.namespace,
      app: input.app,
      storage: pvc.spec.storage,
      accessModes: pvc.spec.accessModes,
    });
  }
  return out;
}

function downwardPod(input: MaterializeInput): DownwardPod {
  return {
    name: input.name,
    namespace: input.namespace,
    uid: podUid(input.app, input.namespace, input.name),
    labels: input.labels,
    annotations: input.annotations ?? {},
    host: input.host,
    // resourceFieldRef's containerName may name an init container (kubelet findContainerInPod).
    containers: [...input.spec.containers, ...(input.spec.initContainers ?? [])],
  };
}

function materializeContainer(
  c: Container,
  input: MaterializeInput,
  ctx: VolumeContext,
  problems: string[],
): DesiredContainer {
  const env = resolveEnv(c, input, ctx.pod, problems);
  const volumes = containerVolumes(c, env, ctx, problems);
  return {
    name: c.name,
    image: c.image,
    pullPolicy: c.imagePullPolicy,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env,
    ports: c.ports,
    limits: containerLimits(c),
    files: volumes.files,
    emptyDirs: volumes.emptyDirs,
    ...(volumes.hostPaths.length > 0 ? { hostPaths: volumes.hostPaths } : {}),
    ...(volumes.claims.length > 0 ? { claims: volumes.claims } : {}),
  };
}

function resolveEnv(
  c: Container,
  input: MaterializeInput,
  pod: DownwardPod,
  problems: string[],
): DesiredEnvVar[] {
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
      const x = expandDependentVars(e.value ?? '', env);
      set(e.name, x.value, false);
      if (x.podFields) env.set(e.name, { ...env.get(e.name)!, podField: 'expand' });
      continue;
    }
    const v = valueFrom(e.valueFrom, c.name, input, pod);
    if (!v) continue;
    if ('problem' in v) problems.push(v.problem);
    else {
      env.delete(e.name); // as set(): the later definition wins and moves to the end
      env.set(e.name, { name: e.name, ...v });
    }
  }
  return [...env.values()];
}

/** One env valueFrom: a value, the pod field the runtime fills, a problem, or nothing (an
 *  optional key that is absent). */
function valueFrom(
  vf: NonNullable<Container['env'][number]['valueFrom']>,
  container: string,
  input: MaterializeInput,
  pod: DownwardPod,
): Omit<DesiredEnvVar, 'name'> | { problem: string } | undefined {
  const ns = input.namespace;
  if (vf.configMapKeyRef) {
    const ref = vf.configMapKeyRef;
    const value = input.config.configMaps.get(`${ns}/${ref.name}`)?.data[ref.key];
    if (value !== undefined) return { value, secret: false };
    return ref.optional
      ? undefined
      : { problem: `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` };
  }
  if (vf.secretKeyRef) {
    const ref = vf.secretKeyRef;
    const b64 = input.config.secrets.get(`${ns}/${ref.name}`)?.data[ref.key];
    if (b64 !== undefined) return { value: decodeBase64Utf8(b64), secret: true };
    return ref.optional ? undefined : { problem: `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` };
  }
  const v: DownwardValue = vf.fieldRef
    ? fieldRefValue(vf.fieldRef.fieldPath, pod)
    : resourceFieldValue(vf.resourceFieldRef!, pod, container);
  if ('problem' in v) return v;
  if ('value' in v) return { value: v.value, secret: false };
  return { value: '', secret: false, podField: v.podField };
}

/** Kubernetes expands $(VAR) references to variables defined earlier; $$ escapes. */
function expandDependentVars(
  value: string,
  env: Map<string, DesiredEnvVar>,
): { value: string; podFields: boolean } {
  let podFields = false;
  const out = value.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = name ? env.get(name) : undefined;
    // A pod IP is known at start only: the runtime expands the reference then.
    if (v?.podField && v.podField !== 'expand') podFields = true;
    return v && !(v.podField && v.podField !== 'expand') ? v.value : m;
  });
  return { value: out, podFields };
}

// A container's volume mounts as skiff lays them out: configMap, secret, downwardAPI and
// projected volumes become files (content, mode) bound one by one; emptyDir and hostPath
// mounts become folders. Modes as the kubelet sets them: an item's mode, else the volume's
// defaultMode (0644 by default). subPathExpr expands $(VAR) from the container's env, as the
// kubelet does. Pure: a missing object or key is a problem (CreateContainerConfigError).
import type { ConfigIndex } from '../manifest/config-refs.js';
import { parseQuantity } from '../manifest/quantity.js';
import type {
  DesiredClaimMount,
  DesiredEmptyDir,
  DesiredEnvVar,
  DesiredFile,
  DesiredHostPath,
} from '../model/desired.js';
import type { Container, DownwardAPIFile, KeyToPath, Volume, VolumeMount } from '../model/k8s.js';
import { claimVolumeName } from '../model/labels.js';
import { encodeUtf8Base64 } from './base64.js';
import { type DownwardPod, fieldRefValue, resourceFieldValue } from './downward-api.js';

export interface VolumeContext {
  namespace: string;
  config: ConfigIndex;
  pod: DownwardPod;
  volumes: readonly Volume[];
}

/** One file of a volume, before it is placed under a mount. */
interface VolumeFile {
  path: string;
  contentBase64: string;
  mode: number;
  secret: boolean;
}

interface KeySource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  items?: KeyToPath[];
  optional?: boolean;
}

function keySourceFiles(
  ctx: VolumeContext,
  s: KeySource,
  defaultMode: number,
  problems: string[],
): VolumeFile[] {
  const key = `${ctx.namespace}/${s.name}`;
  let entries: Record<string, string> | undefined;
  if (s.kind === 'ConfigMap') {
    const cm = ctx.config.configMaps.get(key);
    if (cm) {
      entries = {};
      for (const [k, v] of Object.entries(cm.data)) entries[k] = encodeUtf8Base64(v);
      Object.assign(entries, cm.binaryData);
    }
  } else entries = ctx.config.secrets.get(key)?.data;
  if (!entries) {
    if (!s.optional) problems.push(`${s.kind} "${s.name}" not found`);
    return [];
  }
  const items: KeyToPath[] = s.items ?? Object.keys(entries).map((k) => ({ key: k, path: k }));
  const files: VolumeFile[] = [];
  for (const item of items) {
    const content = entries[item.key];
    if (content === undefined) {
      if (!s.optional) problems.push(`couldn't find key ${item.key} in ${s.kind} ${s.name}`);
      continue;
    }
    files.push({
      path: item.path,
      contentBase64: content,
      mode: item.mode ?? defaultMode,
      secret: s.kind === 'Secret',
    });
  }
  return files;
}

function downwardFiles(
  ctx: VolumeContext,
  items: readonly DownwardAPIFile[],
  defaultMode: number,
  problems: string[],
): VolumeFile[] {
  const files: VolumeFile[] = [];
  for (const item of items) {
    const v = item.fieldRef
      ? fieldRefValue(item.fieldRef.fieldPath, ctx.pod)
      : resourceFieldValue(item.resourceFieldRef!, ctx.pod);
    if ('problem' in v) problems.push(v.problem);
    else if ('value' in v)
      files.push({
        path: item.path,
        contentBase64: encodeUtf8Base64(v.value),
        mode: item.mode ?? defaultMode,
        secret: false,
      });
  }
  return files;
}

/** The files of a file-backed volume; undefined for emptyDir and hostPath. */
export function volumeFiles(ctx: VolumeContext, vol: Volume, problems: string[]): VolumeFile[] | undefined {
  if (vol.configMap)
    return keySourceFiles(ctx, { kind: 'ConfigMap', ...vol.configMap }, vol.configMap.defaultMode, problems);
  if (vol.secret)
    return keySourceFiles(
      ctx,
      { kind: 'Secret', ...vol.secret, name: vol.secret.secretName },
      vol.secret.defaultMode,
      problems,
    );
  if (vol.downwardAPI)
    return downwardFiles(ctx, vol.downwardAPI.items, vol.downwardAPI.defaultMode, problems);
  if (!vol.projected) return undefined;
  const mode = vol.projected.defaultMode;
  return vol.projected.sources.flatMap((s) => [
    ...(s.configMap ? keySourceFiles(ctx, { kind: 'ConfigMap', ...s.configMap }, mode, problems) : []),
    ...(s.secret ? keySourceFiles(ctx, { kind: 'Secret', ...s.secret }, mode, problems) : []),
    ...(s.downwardAPI ? downwardFiles(ctx, s.downwardAPI.items, mode, problems) : []),
  ]);
}

/** The kubelet expands subPathExpr with the container's env ($(VAR); unknown stays as written). */
function subPathOf(m: VolumeMount, env: readonly DesiredEnvVar[], problems: string[]): string | undefined {
  if (!m.subPathExpr) return m.subPath || undefined;
  return m.subPathExpr.replace(/\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (all, n: string) => {
    const v = env.find((e) => e.name === n);
    if (v?.podField)
      problems.push(
        `subPathExpr of ${m.mountPath} uses $(${n}), the pod IP, which skiff knows only once the pod runs`,
      );
    return v?.value ?? all;
  });
}

export interface ContainerVolumes {
  files: DesiredFile[];
  emptyDirs: DesiredEmptyDir[];
  hostPaths: DesiredHostPath[];
  claims: DesiredClaimMount[];
}

/** Every mount of a container, in the order written. */
export function containerVolumes(
  c: Container,
  env: readonly DesiredEnvVar[],
  ctx: VolumeContext,
  problems: string[],
): ContainerVolumes {
  const out: ContainerVolumes = { files: [], emptyDirs: [], hostPaths: [], claims: [] };
  for (const m of c.volumeMounts) {
    const vol = ctx.volumes.find((v) => v.name === m.name);
    if (!vol) continue;
    const subPath = subPathOf(m, env, problems);
    const readOnly = m.readOnly ? { readOnly: true } : {};
    if (vol.emptyDir) {
      const memory = vol.emptyDir.medium === 'Memory';
      if (memory && subPath)
        problems.push(`subPath on emptyDir "${vol.name}" with medium Memory is not supported by skiff`);
      const size =
        vol.emptyDir.sizeLimit === undefined
          ? undefined
          : Number(parseQuantity(vol.emptyDir.sizeLimit).value());
      out.emptyDirs.push({
        name: vol.name,
        path: m.mountPath,
        ...(subPath ? { subPath } : {}),
        ...readOnly,
        ...(memory ? { memory: size === undefined ? {} : { sizeBytes: size } } : {}),
      });
      continue;
    }
    if (vol.hostPath) {
      const base = vol.hostPath.path.replace(/\/+$/, '') || '/';
      out.hostPaths.push({
        volume: vol.name,
        hostPath: subPath ? `${base === '/' ? '' : base}/${subPath}` : base,
        volumePath: vol.hostPath.path,
        type: vol.hostPath.type,
        path: m.mountPath,
        ...readOnly,
      });
      continue;
    }
    if (vol.persistentVolumeClaim) {
      const claim = vol.persistentVolumeClaim.claimName;
      out.claims.push({
        claim,
        volume: claimVolumeName(ctx.namespace, claim),
        path: m.mountPath,
        ...(subPath ? { subPath } : {}),
        ...(m.readOnly || vol.persistentVolumeClaim.readOnly ? { readOnly: true } : {}),
      });
      continue;
    }
    const files = volumeFiles(ctx, vol, problems) ?? [];
    const root = m.mountPath.replace(/\/+$/, '');
    for (const f of files) {
      // With a subPath, the one file at that path is mounted at mountPath itself.
      if (subPath !== undefined && subPath !== f.path) continue;
      out.files.push({ ...f, path: subPath !== undefined ? m.mountPath : `${root}/${f.path}` });
    }
  }
  return out;
}

// Checks of a container's environment: env (names, valueFrom sources, key references,
// downward-API field paths) and envFrom (ValidateEnv, ValidateEnvFrom upstream). Pure.
import type { Container } from '../../model/k8s.js';
import { isConfigMapKey, isEnvVarName, isQualifiedName } from '../name-rules.js';
import type { Collector, P } from './collector.js';
import { checkResourceFieldSelector } from './volume-sources.js';

type EnvVar = Container['env'][number];
type EnvVarSource = NonNullable<EnvVar['valueFrom']>;

/** The downward-API fields skiff can fill in for a pod (validEnvDownwardAPIFieldPathExpressions). */
const ENV_FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);
const SUBSCRIPTED_FIELD_PATH = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

/** Exactly one source, and no `value` beside it; `rawFrom` is valueFrom as written. */
function checkValueFromSources(c: Collector, e: EnvVar, rawFrom: object, at: P): void {
  const valueFrom = e.valueFrom!;
  if (e.value !== undefined && e.value !== '')
    c.error([...at, 'valueFrom'], 'semantic.env', 'valueFrom may not be specified when `value` is not empty');
  const sources = Object.keys(valueFrom);
  if (sources.length === 0 && Object.keys(rawFrom).length === 0)
    c.error(
      [...at, 'valueFrom'],
      'semantic.env',
      'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    );
  if (sources.length > 1)
    c.error([...at, 'valueFrom'], 'semantic.env', 'may not have more than one field specified at a time');
}

function checkKeyRefs(c: Collector, valueFrom: EnvVarSource, at: P): void {
  for (const ref of [valueFrom.configMapKeyRef, valueFrom.secretKeyRef]) {
    if (!ref) continue;
    const which = ref === valueFrom.configMapKeyRef ? 'configMapKeyRef' : 'secretKeyRef';
    if (ref.name === '')
      c.error([...at, 'valueFrom', which, 'name'], 'semantic.env', 'name must not be empty');
    for (const m of isConfigMapKey(ref.key))
      c.error([...at, 'valueFrom', which, 'key'], 'semantic.env', `invalid key "${ref.key}": ${m}`);
  }
}

function checkFieldRef(c: Collector, valueFrom: EnvVarSource, at: P): void {
  const fp = valueFrom.fieldRef?.fieldPath;
  if (fp === undefined || ENV_FIELD_PATHS.has(fp)) return;
  const where = [...at, 'valueFrom', 'fieldRef', 'fieldPath'];
  const m = SUBSCRIPTED_FIELD_PATH.exec(fp);
  if (!m) c.error(where, 'semantic.env', `unsupported fieldPath "${fp}"`);
  else for (const x of isQualifiedName(m[2]!)) c.error(where, 'semantic.env', `invalid key in "${fp}": ${x}`);
}

/** `raw` is the container as written (valueFrom: {} defaults away but is still an error). */
export function checkEnv(c: Collector, ctr: Container, raw: Record<string, unknown>, path: P): void {
  ctr.env.forEach((e, i) => {
    const at = [...path, 'env', i];
    for (const m of isEnvVarName(e.name))
      c.error([...at, 'name'], 'semantic.env', `invalid environment variable name "${e.name}": ${m}`);
    if (!e.valueFrom) return;
    const rawFrom = ((raw.env as unknown[])[i] as { valueFrom?: object }).valueFrom ?? {};
    checkValueFromSources(c, e, rawFrom, at);
    checkKeyRefs(c, e.valueFrom, at);
    checkFieldRef(c, e.valueFrom, at);
    if (e.valueFrom.resourceFieldRef)
      checkResourceFieldSelector(
        c,
        e.valueFrom.resourceFieldRef,
        [...at, 'valueFrom', 'resourceFieldRef'],
        false,
      );
  });
}

export function checkEnvFrom(c: Collector, ctr: Container, path: P): void {
  ctr.envFrom.forEach((e, i) => {
    const at = [...path, 'envFrom', i];
    const n = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (n === 0) c.error(at, 'semantic.env', 'must specify one of: `configMapRef` or `secretRef`');
    if (n > 1) c.error(at, 'semantic.env', 'may not have more than one field specified at a time');
    if (e.prefix)
      for (const m of isEnvVarName(e.prefix))
        c.error([...at, 'prefix'], 'semantic.env', `invalid prefix "${e.prefix}": ${m}`);
    if (e.configMapRef?.name === '' || e.secretRef?.name === '')
      c.error(at, 'semantic.env', 'name must not be empty');
  });
}

// Semantic checks of one object beyond its schema, following Kubernetes' own validation
// (pkg/apis/core/validation, pkg/apis/apps/validation, pkg/apis/autoscaling/validation)
// plus skiff's limits. Input: the defaulted object and its raw value (for fields that
// defaulting normalises). Output: findings with field paths. Pure; never quotes a Secret
// value.
import type { Severity } from '../model/diagnostics.js';
import type {
  Container,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  LabelSelector,
  Labels,
  PodSpec,
  Probe,
  Secret,
  Service,
} from '../model/k8s.js';
import { intOrPercentValue, isValidPercent, resolveFenceposts } from './int-or-percent.js';
import { LabelSelectorError, labelSelectorMatches, labelSelectorRequirements } from './label-selector.js';
import {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isReservedKey,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from './name-rules.js';
import type { PathSegment } from './parse.js';
import { tryParseQuantity } from './quantity.js';

export interface Finding {
  path: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
}

/** skiff programs node ports in Kubernetes' default range. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
const MAX_DATA_BYTES = 1024 * 1024; // ConfigMap/Secret size limit (etcd value limit)
const MAX_ANNOTATION_BYTES = 256 * 1024;

class Collector {
  readonly findings: Finding[] = [];
  error(path: PathSegment[], code: string, message: string): void {
    this.findings.push({ path, severity: 'error', code, message });
  }
  warn(path: PathSegment[], code: string, message: string): void {
    this.findings.push({ path, severity: 'warning', code, message });
  }
}

type P = PathSegment[];

function checkLabels(c: Collector, labels: Labels, path: P, what: 'label' | 'annotation'): void {
  let size = 0;
  for (const [k, v] of Object.entries(labels)) {
    const at = [...path, k];
    if (isReservedKey(k)) {
      c.error(
        at,
        'semantic.reserved-label',
        `${what} key "${k}" uses skiff's reserved prefix "skiff.io/": only skiff sets these, so ownership cannot be spoofed from Git`,
      );
      continue;
    }
    for (const e of isQualifiedName(k)) c.error(at, `semantic.${what}`, `invalid ${what} key "${k}": ${e}`);
    if (what === 'label')
      for (const e of isValidLabelValue(v)) c.error(at, 'semantic.label', `invalid label value "${v}": ${e}`);
    size += k.length + v.length;
  }
  if (what === 'annotation' && size > MAX_ANNOTATION_BYTES)
    c.error(
      path,
      'semantic.annotation',
      `annotations total ${size} bytes, over the limit of ${MAX_ANNOTATION_BYTES}`,
    );
}

function checkSelector(c: Collector, selector: LabelSelector, path: P): boolean {
  let ok = true;
  for (const k of Object.keys(selector.matchLabels ?? {}))
    if (isReservedKey(k)) {
      c.error(
        [...path, 'matchLabels', k],
        'semantic.reserved-label',
        `selector key "${k}" uses skiff's reserved prefix "skiff.io/"`,
      );
      ok = false;
    }
  (selector.matchExpressions ?? []).forEach((e, i) => {
    if (isReservedKey(e.key)) {
      c.error(
        [...path, 'matchExpressions', i, 'key'],
        'semantic.reserved-label',
        `selector key "${e.key}" uses skiff's reserved prefix "skiff.io/"`,
      );
      ok = false;
    }
  });
  try {
    labelSelectorRequirements(selector);
  } catch (err) {
    if (!(err instanceof LabelSelectorError)) throw err;
    const sub = err.path
      .split(/\.|\[|\]/)
      .filter((s) => s.length > 0)
      .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
    c.error([...path, ...sub], 'semantic.selector', err.message);
    ok = false;
  }
  return ok;
}

function checkName(c: Collector, obj: KubeObject): void {
  const { name, namespace } = obj.metadata;
  const rule = obj.kind === 'Service' ? isDns1035Label : isDns1123Subdomain;
  for (const e of rule(name)) c.error(['metadata', 'name'], 'semantic.name', `invalid name "${name}": ${e}`);
  for (const e of isDns1123Label(namespace))
    c.error(['metadata', 'namespace'], 'semantic.name', `invalid namespace "${namespace}": ${e}`);
  checkLabels(c, obj.metadata.labels, ['metadata', 'labels'], 'label');
  checkLabels(c, obj.metadata.annotations, ['metadata', 'annotations'], 'annotation');
}

function checkQuantity(c: Collector, v: string, path: P, nonNegative = true): boolean {
  const q = tryParseQuantity(v);
  if (!q) {
    c.error(path, 'semantic.quantity', `"${v}" is not a valid quantity`);
    return false;
  }
  if (nonNegative && q.sign() < 0) {
    c.error(path, 'semantic.quantity', `"${v}" must be greater than or equal to 0`);
    return false;
  }
  return true;
}

const SUPPORTED_RESOURCES = new Set(['cpu', 'memory']);

function checkResources(
  c: Collector,
  ctr: Container,
  raw: Record<string, unknown> | undefined,
  path: P,
): void {
  const written = (raw?.resources ?? {}) as { requests?: object; limits?: object };
  const valid: Record<'requests' | 'limits', Set<string>> = { requests: new Set(), limits: new Set() };
  for (const part of ['requests', 'limits'] as const) {
    for (const [name, value] of Object.entries(written[part] ?? {})) {
      const at = [...path, 'resources', part, name];
      if (name === 'ephemeral-storage') {
        c.warn(
          at,
          'unsupported.resource',
          `resource "${name}" is ignored by skiff: Docker hosts do not limit ephemeral storage per container`,
        );
        continue;
      }
      if (!SUPPORTED_RESOURCES.has(name)) {
        c.error(
          at,
          'unsupported.resource',
          `resource "${name}" is not supported by skiff (only cpu and memory are scheduled and limited)`,
        );
        continue;
      }
      if (checkQuantity(c, typeof value === 'number' ? String(value) : (value as string), at))
        valid[part].add(name);
    }
  }
  for (const name of valid.requests) {
    if (!valid.limits.has(name)) continue;
    const req = tryParseQuantity(ctr.resources.requests[name]!)!;
    const lim = tryParseQuantity(ctr.resources.limits[name]!)!;
    if (req.cmp(lim) > 0)
      c.error(
        [...path, 'resources', 'requests', name],
        'semantic.resources',
        `request ${req} must be less than or equal to ${name} limit of ${lim}`,
      );
  }
}

function portRef(c: Collector, port: number | string, ctr: Container, path: P, code: string): void {
  if (typeof port === 'number') {
    for (const e of isValidPortNum(port)) c.error(path, code, `port ${port}: ${e}`);
    return;
  }
  const errs = isValidPortName(port);
  for (const e of errs) c.error(path, code, `port name "${port}": ${e}`);
  if (errs.length === 0 && !ctr.ports.some((p) => p.name === port))
    c.error(path, code, `port "${port}" is not the name of any port of container "${ctr.name}"`);
}

function checkHandler(
  c: Collector,
  h: Probe | NonNullable<Container['lifecycle']>['preStop'],
  ctr: Container,
  path: P,
  what: string,
): void {
  if (!h) return;
  const set = [h.httpGet ? 'httpGet' : '', h.tcpSocket ? 'tcpSocket' : '', h.exec ? 'exec' : ''].filter(
    Boolean,
  );
  if (set.length === 0)
    c.error(path, 'semantic.probe', `${what} must specify a handler type (httpGet, tcpSocket or exec)`);
  if (set.length > 1)
    c.error([...path, set[1]!], 'semantic.probe', `${what} may not specify more than 1 handler type`);
  if (h.httpGet) portRef(c, h.httpGet.port, ctr, [...path, 'httpGet', 'port'], 'semantic.probe-port');
  if (h.tcpSocket) portRef(c, h.tcpSocket.port, ctr, [...path, 'tcpSocket', 'port'], 'semantic.probe-port');
  if (h.exec && h.exec.command.length === 0)
    c.error([...path, 'exec', 'command'], 'semantic.probe', 'exec.command must not be empty');
}

function checkProbe(
  c: Collector,
  p: Probe | undefined,
  ctr: Container,
  path: P,
  kind: 'liveness' | 'readiness' | 'startup',
): void {
  if (!p) return;
  checkHandler(c, p, ctr, path, `${kind}Probe`);
  if (kind !== 'readiness' && p.successThreshold !== 1)
    c.error([...path, 'successThreshold'], 'semantic.probe', `must be 1 for ${kind} probes`);
  if (kind === 'readiness' && p.terminationGracePeriodSeconds !== undefined)
    c.error(
      [...path, 'terminationGracePeriodSeconds'],
      'semantic.probe',
      'must not be set for readinessProbes',
    );
}

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

function checkContainer(
  c: Collector,
  ctr: Container,
  raw: Record<string, unknown>,
  path: P,
  volumes: Set<string>,
): void {
  for (const e of isDns1123Label(ctr.name))
    c.error([...path, 'name'], 'semantic.name', `invalid container name "${ctr.name}": ${e}`);
  if (ctr.image.trim() === '')
    c.error([...path, 'image'], 'semantic.image', `container "${ctr.name}" needs an image`);
  else if (ctr.image !== ctr.image.trim())
    c.error([...path, 'image'], 'semantic.image', 'image must not have leading or trailing whitespace');
  else if (/\s/.test(ctr.image) || !/^[a-z0-9]/i.test(ctr.image))
    c.error([...path, 'image'], 'semantic.image', `"${ctr.image}" is not a valid image reference`);
  const portNames = new Set<string>();
  ctr.ports.forEach((p, i) => {
    const at = [...path, 'ports', i];
    for (const e of isValidPortNum(p.containerPort))
      c.error([...at, 'containerPort'], 'semantic.port', `containerPort ${p.containerPort}: ${e}`);
    if (p.hostPort !== undefined)
      for (const e of isValidPortNum(p.hostPort))
        c.error([...at, 'hostPort'], 'semantic.port', `hostPort ${p.hostPort}: ${e}`);
    checkProtocol(c, p.protocol, [...at, 'protocol']);
    if (p.name !== undefined) {
      for (const e of isValidPortName(p.name))
        c.error([...at, 'name'], 'semantic.port-name', `invalid port name "${p.name}": ${e}`);
      if (portNames.has(p.name))
        c.error(
          [...at, 'name'],
          'semantic.duplicate-port-name',
          `duplicate port name "${p.name}" in container "${ctr.name}"`,
        );
      portNames.add(p.name);
    }
  });
  ctr.env.forEach((e, i) => {
    const at = [...path, 'env', i];
    for (const m of isEnvVarName(e.name))
      c.error([...at, 'name'], 'semantic.env', `invalid environment variable name "${e.name}": ${m}`);
    if (!e.valueFrom) return;
    if (e.value !== undefined && e.value !== '')
      c.error(
        [...at, 'valueFrom'],
        'semantic.env',
        'valueFrom may not be specified when `value` is not empty',
      );
    const sources = Object.keys(e.valueFrom);
    const rawFrom = ((raw.env as unknown[])[i] as { valueFrom?: object }).valueFrom ?? {};
    if (sources.length === 0 && Object.keys(rawFrom).length === 0)
      c.error(
        [...at, 'valueFrom'],
        'semantic.env',
        'must specify one of: `fieldRef`, `configMapKeyRef` or `secretKeyRef`',
      );
    if (sources.length > 1)
      c.error([...at, 'valueFrom'], 'semantic.env', 'may not have more than one field specified at a time');
    for (const ref of [e.valueFrom.configMapKeyRef, e.valueFrom.secretKeyRef]) {
      if (!ref) continue;
      const which = ref === e.valueFrom.configMapKeyRef ? 'configMapKeyRef' : 'secretKeyRef';
      if (ref.name === '')
        c.error([...at, 'valueFrom', which, 'name'], 'semantic.env', 'name must not be empty');
      for (const m of isConfigMapKey(ref.key))
        c.error([...at, 'valueFrom', which, 'key'], 'semantic.env', `invalid key "${ref.key}": ${m}`);
    }
    const fp = e.valueFrom.fieldRef?.fieldPath;
    if (fp !== undefined && !ENV_FIELD_PATHS.has(fp)) {
      const m = SUBSCRIPTED_FIELD_PATH.exec(fp);
      if (!m)
        c.error(
          [...at, 'valueFrom', 'fieldRef', 'fieldPath'],
          'semantic.env',
          `unsupported fieldPath "${fp}"`,
        );
      else
        for (const x of isQualifiedName(m[2]!))
          c.error(
            [...at, 'valueFrom', 'fieldRef', 'fieldPath'],
            'semantic.env',
            `invalid key in "${fp}": ${x}`,
          );
    }
  });
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
  checkResources(c, ctr, raw, path);
  checkProbe(c, ctr.livenessProbe, ctr, [...path, 'livenessProbe'], 'liveness');
  checkProbe(c, ctr.readinessProbe, ctr, [...path, 'readinessProbe'], 'readiness');
  checkProbe(c, ctr.startupProbe, ctr, [...path, 'startupProbe'], 'startup');
  if (ctr.lifecycle?.preStop)
    checkHandler(c, ctr.lifecycle.preStop, ctr, [...path, 'lifecycle', 'preStop'], 'preStop');
  if (ctr.lifecycle?.postStart)
    checkHandler(c, ctr.lifecycle.postStart, ctr, [...path, 'lifecycle', 'postStart'], 'postStart');
  const mountPaths = new Set<string>();
  ctr.volumeMounts.forEach((m, i) => {
    const at = [...path, 'volumeMounts', i];
    if (!volumes.has(m.name))
      c.error(
        [...at, 'name'],
        'semantic.volume-mount',
        `volume "${m.name}" is not defined in the pod's volumes`,
      );
    if (!m.mountPath.startsWith('/'))
      c.error(
        [...at, 'mountPath'],
        'semantic.volume-mount',
        `mountPath "${m.mountPath}" must be an absolute path`,
      );
    if (mountPaths.has(m.mountPath))
      c.error([...at, 'mountPath'], 'semantic.volume-mount', `mountPath "${m.mountPath}" must be unique`);
    mountPaths.add(m.mountPath);
    if (m.subPath !== undefined) checkRelativePath(c, m.subPath, [...at, 'subPath']);
  });
}

function checkProtocol(c: Collector, protocol: string, path: P): void {
  if (protocol === 'TCP' || protocol === 'UDP') return;
  if (protocol === 'SCTP')
    c.error(path, 'unsupported.value', 'protocol SCTP is not supported by skiff (TCP and UDP are)');
  else c.error(path, 'schema.enum', `unsupported value "${protocol}": must be one of "TCP", "UDP", "SCTP"`);
}

function checkRelativePath(c: Collector, p: string, path: P): void {
  if (p.startsWith('/')) c.error(path, 'semantic.volume', `"${p}" must be a relative path`);
  if (p.split('/').includes('..')) c.error(path, 'semantic.volume', `"${p}" must not contain '..'`);
}

function checkPodSpec(c: Collector, spec: PodSpec, raw: Record<string, unknown>, path: P): void {
  const volumes = new Set<string>();
  const rawVolumes = (raw.volumes ?? []) as Record<string, unknown>[];
  spec.volumes.forEach((v, i) => {
    const at = [...path, 'volumes', i];
    for (const e of isDns1123Label(v.name))
      c.error([...at, 'name'], 'semantic.volume', `invalid volume name "${v.name}": ${e}`);
    if (volumes.has(v.name)) c.error([...at, 'name'], 'semantic.volume', `duplicate volume name "${v.name}"`);
    volumes.add(v.name);
    const sources = (v.configMap ? 1 : 0) + (v.secret ? 1 : 0) + (v.emptyDir ? 1 : 0);
    const rawSourceCount = Object.keys(rawVolumes[i] ?? {}).filter((k) => k !== 'name').length;
    if (sources === 0 && rawSourceCount === 0)
      c.error(at, 'semantic.volume', 'must specify a volume type (configMap, secret or emptyDir)');
    if (sources > 1) c.error(at, 'semantic.volume', 'may not specify more than 1 volume type');
    if (v.configMap && v.configMap.name === '')
      c.error([...at, 'configMap', 'name'], 'semantic.volume', 'configMap.name is required');
    if (v.secret && v.secret.secretName === '')
      c.error([...at, 'secret', 'secretName'], 'semantic.volume', 'secret.secretName is required');
    const items = v.configMap?.items ?? v.secret?.items ?? [];
    items.forEach((it, j) => {
      const where = [...at, v.configMap ? 'configMap' : 'secret', 'items', j];
      for (const e of isConfigMapKey(it.key))
        c.error([...where, 'key'], 'semantic.volume', `invalid key "${it.key}": ${e}`);
      checkRelativePath(c, it.path, [...where, 'path']);
    });
    if (v.emptyDir?.sizeLimit !== undefined)
      checkQuantity(c, v.emptyDir.sizeLimit, [...at, 'emptyDir', 'sizeLimit']);
  });
  const names = new Set<string>();
  const rawContainers = raw.containers as Record<string, unknown>[];
  spec.containers.forEach((ctr, i) => {
    const at = [...path, 'containers', i];
    if (names.has(ctr.name))
      c.error([...at, 'name'], 'semantic.duplicate-container', `duplicate container name "${ctr.name}"`);
    names.add(ctr.name);
    checkContainer(c, ctr, rawContainers[i]!, at, volumes);
  });
  if (spec.hostname !== undefined)
    for (const e of isDns1123Label(spec.hostname))
      c.error([...path, 'hostname'], 'semantic.name', `invalid hostname "${spec.hostname}": ${e}`);
  for (const [k, v] of Object.entries(spec.nodeSelector)) {
    for (const e of isQualifiedName(k))
      c.error([...path, 'nodeSelector', k], 'semantic.label', `invalid node selector key "${k}": ${e}`);
    for (const e of isValidLabelValue(v))
      c.error([...path, 'nodeSelector', k], 'semantic.label', `invalid node selector value "${v}": ${e}`);
  }
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
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const preferred = spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const exprAt: [P, NonNullable<(typeof terms)[number]['matchExpressions']>][] = [
    ...terms.map((t, i): [P, NonNullable<typeof t.matchExpressions>] => [
      [
        ...path,
        'affinity',
        'nodeAffinity',
        'requiredDuringSchedulingIgnoredDuringExecution',
        'nodeSelectorTerms',
        i,
      ],
      t.matchExpressions ?? [],
    ]),
    ...preferred.map((t, i): [P, NonNullable<typeof t.preference.matchExpressions>] => [
      [
        ...path,
        'affinity',
        'nodeAffinity',
        'preferredDuringSchedulingIgnoredDuringExecution',
        i,
        'preference',
      ],
      t.preference.matchExpressions ?? [],
    ]),
  ];
  for (const [at, exprs] of exprAt)
    exprs.forEach((e, j) => {
      const where = [...at, 'matchExpressions', j];
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
    });
}

function checkDeployment(c: Collector, d: Deployment, raw: Record<string, unknown>): void {
  const spec = d.spec;
  const rawSpec = raw.spec as Record<string, unknown>;
  const rawTemplate = rawSpec.template as Record<string, unknown>;
  checkLabels(c, spec.template.metadata.labels, ['spec', 'template', 'metadata', 'labels'], 'label');
  checkLabels(
    c,
    spec.template.metadata.annotations,
    ['spec', 'template', 'metadata', 'annotations'],
    'annotation',
  );
  const sel = spec.selector;
  if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
    c.error(
      ['spec', 'selector'],
      'semantic.selector-missing',
      'empty selector is invalid for deployment: set spec.selector.matchLabels',
    );
  } else if (
    checkSelector(c, sel, ['spec', 'selector']) &&
    !labelSelectorMatches(sel, spec.template.metadata.labels)
  ) {
    c.error(
      ['spec', 'template', 'metadata', 'labels'],
      'semantic.selector-mismatch',
      '`selector` does not match template `labels`: every pod of this Deployment would be invisible to it',
    );
  }
  if (spec.template.spec.restartPolicy !== 'Always')
    c.error(
      ['spec', 'template', 'spec', 'restartPolicy'],
      'semantic.restart-policy',
      `unsupported value "${spec.template.spec.restartPolicy}": a Deployment's pods must use restartPolicy "Always"`,
    );
  checkPodSpec(c, spec.template.spec, rawTemplate.spec as Record<string, unknown>, [
    'spec',
    'template',
    'spec',
  ]);
  const rawStrategy = (rawSpec.strategy ?? {}) as Record<string, unknown>;
  if (spec.strategy.type === 'Recreate') {
    if (rawStrategy.rollingUpdate !== undefined)
      c.error(
        ['spec', 'strategy', 'rollingUpdate'],
        'semantic.strategy',
        "may not be specified when strategy `type` is 'Recreate'",
      );
    return;
  }
  const { maxSurge, maxUnavailable } = spec.strategy.rollingUpdate;
  let valid = true;
  for (const [name, v] of [
    ['maxSurge', maxSurge],
    ['maxUnavailable', maxUnavailable],
  ] as const) {
    const at = ['spec', 'strategy', 'rollingUpdate', name];
    if (typeof v === 'string' && !isValidPercent(v)) {
      c.error(
        at,
        'semantic.strategy',
        `"${v}": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')`,
      );
      valid = false;
    } else if (intOrPercentValue(v) < 0) {
      c.error(at, 'semantic.strategy', 'must be greater than or equal to 0');
      valid = false;
    }
  }
  if (!valid) return;
  // ValidateRollingUpdateDeployment: the written values may not both be zero...
  if (intOrPercentValue(maxSurge) === 0 && intOrPercentValue(maxUnavailable) === 0)
    c.error(
      ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
      'semantic.strategy',
      'may not be 0 when `maxSurge` is 0',
    );
  else if (typeof maxUnavailable === 'string' && intOrPercentValue(maxUnavailable) > 100)
    c.error(
      ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
      'semantic.strategy',
      'must not be greater than 100%',
    );
  else {
    // ...and if rounding (surge up, unavailable down) makes both zero at this replica count,
    // the controller uses maxUnavailable = 1 (ResolveFenceposts): say so, it surprises.
    const surge =
      typeof maxSurge === 'number'
        ? maxSurge
        : Math.ceil((intOrPercentValue(maxSurge) * spec.replicas) / 100);
    const unavailable =
      typeof maxUnavailable === 'number'
        ? maxUnavailable
        : Math.floor((intOrPercentValue(maxUnavailable) * spec.replicas) / 100);
    if (surge === 0 && unavailable === 0 && spec.replicas > 0) {
      const resolved = resolveFenceposts(maxSurge, maxUnavailable, spec.replicas);
      c.warn(
        ['spec', 'strategy', 'rollingUpdate'],
        'semantic.strategy-rounding',
        `maxSurge ${maxSurge} and maxUnavailable ${maxUnavailable} both round to 0 at ${spec.replicas} replicas; as Kubernetes does, skiff will use maxUnavailable ${resolved.maxUnavailable}`,
      );
    }
  }
}

function checkService(c: Collector, s: Service, raw: Record<string, unknown>): void {
  const spec = s.spec;
  const rawPorts = ((raw.spec as Record<string, unknown>).ports ?? []) as Record<string, unknown>[];
  for (const k of Object.keys(spec.selector)) {
    const at = ['spec', 'selector', k];
    if (isReservedKey(k))
      c.error(at, 'semantic.reserved-label', `selector key "${k}" uses skiff's reserved prefix "skiff.io/"`);
    else
      for (const e of isQualifiedName(k)) c.error(at, 'semantic.label', `invalid selector key "${k}": ${e}`);
    for (const e of isValidLabelValue(spec.selector[k]!))
      c.error(at, 'semantic.label', `invalid selector value "${spec.selector[k]}": ${e}`);
  }
  if (spec.type === 'ExternalName') {
    if (!spec.externalName)
      c.error(['spec', 'externalName'], 'semantic.service', 'externalName is required for type ExternalName');
    else
      for (const e of isDns1123Subdomain(spec.externalName.replace(/\.$/, '')))
        c.error(
          ['spec', 'externalName'],
          'semantic.service',
          `invalid externalName "${spec.externalName}": ${e}`,
        );
    if (spec.clusterIP)
      c.error(['spec', 'clusterIP'], 'semantic.service', 'must be empty for ExternalName services');
  } else {
    if (spec.externalName !== undefined)
      c.warn(['spec', 'externalName'], 'unsupported.field', `externalName is ignored for type ${spec.type}`);
    if (spec.ports.length === 0 && spec.clusterIP !== 'None')
      c.error(['spec', 'ports'], 'semantic.service', 'at least one port is required');
    if (
      spec.clusterIP !== undefined &&
      spec.clusterIP !== '' &&
      spec.clusterIP !== 'None' &&
      !isIPv4(spec.clusterIP)
    )
      c.error(
        ['spec', 'clusterIP'],
        'semantic.service',
        `clusterIP "${spec.clusterIP}" must be "None", empty, or an IPv4 address`,
      );
    if (spec.clusterIP === 'None' && spec.type !== 'ClusterIP')
      c.error(['spec', 'clusterIP'], 'semantic.service', `may not be "None" for ${spec.type} services`);
  }
  const names = new Set<string>();
  const portProto = new Set<string>();
  spec.ports.forEach((p, i) => {
    const at = ['spec', 'ports', i];
    if (spec.ports.length > 1 && !p.name)
      c.error(
        [...at, 'name'],
        'semantic.service-port',
        'name is required when a Service has more than one port',
      );
    if (p.name) {
      for (const e of isDns1123Label(p.name))
        c.error([...at, 'name'], 'semantic.service-port', `invalid port name "${p.name}": ${e}`);
      if (names.has(p.name))
        c.error([...at, 'name'], 'semantic.service-port', `duplicate port name "${p.name}"`);
      names.add(p.name);
    }
    for (const e of isValidPortNum(p.port))
      c.error([...at, 'port'], 'semantic.service-port', `port ${p.port}: ${e}`);
    checkProtocol(c, p.protocol, [...at, 'protocol']);
    const key = `${p.port}/${p.protocol}`;
    if (portProto.has(key)) c.error([...at, 'port'], 'semantic.service-port', `duplicate port ${key}`);
    portProto.add(key);
    const rawTarget = rawPorts[i]?.targetPort;
    if (typeof p.targetPort === 'number') {
      for (const e of isValidPortNum(p.targetPort))
        c.error([...at, 'targetPort'], 'semantic.service-port', `targetPort ${p.targetPort}: ${e}`);
    } else if (rawTarget !== undefined) {
      for (const e of isValidPortName(p.targetPort))
        c.error(
          [...at, 'targetPort'],
          'semantic.service-port',
          `invalid targetPort name "${p.targetPort}": ${e}`,
        );
    }
    if (p.nodePort !== undefined) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName')
        c.error([...at, 'nodePort'], 'semantic.node-port', `may not be used when \`type\` is '${spec.type}'`);
      else if (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max)
        c.error(
          [...at, 'nodePort'],
          'semantic.node-port',
          `nodePort ${p.nodePort} is outside the range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
        );
    }
  });
  const nodePorts = new Map<number, number>();
  spec.ports.forEach((p, i) => {
    if (p.nodePort === undefined) return;
    if (nodePorts.has(p.nodePort) && spec.ports[nodePorts.get(p.nodePort)!]!.protocol === p.protocol)
      c.error(
        ['spec', 'ports', i, 'nodePort'],
        'semantic.node-port',
        `nodePort ${p.nodePort} is used twice in this Service`,
      );
    nodePorts.set(p.nodePort, i);
  });
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's base64.StdEncoding (what the API server decodes `data` with) skips \r and \n. */
export function isBase64(v: string): boolean {
  return BASE64.test(v.includes('\n') || v.includes('\r') ? v.replace(/[\r\n]/g, '') : v);
}

function base64Size(v: string): number {
  const s = v.replace(/[\r\n]/g, '');
  return Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

const TEXT_ENCODER = new TextEncoder();

function checkDataKeys(c: Collector, keys: string[], field: string): void {
  for (const k of keys)
    for (const e of isConfigMapKey(k)) c.error([field, k], 'semantic.config-key', `invalid key "${k}": ${e}`);
}

function checkConfigMap(
  c: Collector,
  data: Record<string, string>,
  binaryData: Record<string, string>,
): void {
  checkDataKeys(c, Object.keys(data), 'data');
  checkDataKeys(c, Object.keys(binaryData), 'binaryData');
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += k.length + TEXT_ENCODER.encode(v).length;
  for (const [k, v] of Object.entries(binaryData)) {
    if (Object.hasOwn(data, k))
      c.error(['binaryData', k], 'semantic.config-key', `key "${k}" is in both data and binaryData`);
    if (!isBase64(v))
      c.error(['binaryData', k], 'semantic.base64', `binaryData key "${k}" is not valid base64`);
    else size += k.length + base64Size(v);
  }
  if (size > MAX_DATA_BYTES)
    c.error([], 'semantic.too-large', `data is ${size} bytes, over the ${MAX_DATA_BYTES} byte limit`);
}

const SECRET_TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function checkSecret(c: Collector, s: Secret, raw: Record<string, unknown>): void {
  const written = (raw.data ?? {}) as Record<string, string>;
  const stringData = (raw.stringData ?? {}) as Record<string, string>;
  checkDataKeys(c, Object.keys(written), 'data');
  checkDataKeys(c, Object.keys(stringData), 'stringData');
  let size = 0;
  for (const [k, v] of Object.entries(written)) {
    if (Object.hasOwn(stringData, k)) continue; // stringData wins, as on the API server
    if (!isBase64(v))
      c.error(
        ['data', k],
        'semantic.base64',
        `data key "${k}" is not valid base64 (use stringData for plain text)`,
      );
    else size += k.length + base64Size(v);
  }
  for (const [k, v] of Object.entries(stringData)) size += k.length + TEXT_ENCODER.encode(v).length;
  if (size > MAX_DATA_BYTES)
    c.error([], 'semantic.too-large', `data is ${size} bytes, over the ${MAX_DATA_BYTES} byte limit`);
  for (const key of SECRET_TYPE_KEYS[s.type] ?? [])
    if (!Object.hasOwn(s.data, key))
      c.error(['data'], 'semantic.secret-type', `a Secret of type ${s.type} needs the key "${key}"`);
  if (s.type === 'kubernetes.io/service-account-token')
    c.error(
      ['type'],
      'unsupported.value',
      'service account token Secrets are filled by the Kubernetes API server; skiff has none',
    );
}

const METRIC_TYPES = new Set(['Resource', 'Pods', 'Object', 'External', 'ContainerResource']);

function checkHpa(c: Collector, h: HorizontalPodAutoscaler, raw: Record<string, unknown>): void {
  const spec = h.spec;
  const ref = spec.scaleTargetRef;
  if (ref.kind !== 'Deployment')
    c.error(
      ['spec', 'scaleTargetRef', 'kind'],
      'unsupported.scale-target',
      `skiff scales Deployments only, not ${ref.kind}`,
    );
  else if (ref.apiVersion !== '' && ref.apiVersion !== 'apps/v1')
    c.error(
      ['spec', 'scaleTargetRef', 'apiVersion'],
      'unsupported.scale-target',
      `Deployment apiVersion must be apps/v1, got "${ref.apiVersion}"`,
    );
  if (ref.name === '') c.error(['spec', 'scaleTargetRef', 'name'], 'semantic.hpa', 'name is required');
  if (spec.maxReplicas < spec.minReplicas)
    c.error(
      ['spec', 'maxReplicas'],
      'semantic.hpa',
      `must be greater than or equal to \`minReplicas\` (${spec.minReplicas})`,
    );
  if (h.apiVersion === 'autoscaling/v1') return;
  const rawMetrics = ((raw.spec as Record<string, unknown>).metrics ?? []) as Record<string, unknown>[];
  rawMetrics.forEach((m, i) => {
    const at = ['spec', 'metrics', i];
    const type = m.type as string;
    if (!METRIC_TYPES.has(type)) {
      c.error(
        [...at, 'type'],
        'schema.enum',
        `unsupported metric type "${type}": must be one of Resource, Pods, Object, External, ContainerResource`,
      );
      return;
    }
    if (type !== 'Resource') {
      c.error(
        [...at, 'type'],
        'unsupported.metric',
        `${type} metrics are not collected by skiff; use Resource (cpu or memory)`,
      );
      return;
    }
    const res = m.resource as
      | {
          name: string;
          target: {
            type: string;
            averageUtilization?: number;
            averageValue?: string | number;
            value?: unknown;
          };
        }
      | undefined;
    if (!res) {
      c.error(at, 'semantic.hpa', 'must populate information for the given metric source (resource)');
      return;
    }
    if (res.name !== 'cpu' && res.name !== 'memory')
      c.error(
        [...at, 'resource', 'name'],
        'unsupported.metric',
        `resource metric "${res.name}" is not collected by skiff (cpu and memory are)`,
      );
    const t = res.target;
    const tAt = [...at, 'resource', 'target'];
    if (t.type === 'Value')
      c.error(
        [...tAt, 'type'],
        'semantic.hpa',
        'must be either Utilization or AverageValue for resource metrics',
      );
    if (t.type === 'Utilization' && t.averageUtilization === undefined)
      c.error(tAt, 'semantic.hpa', 'averageUtilization is required when target type is Utilization');
    if (t.type === 'AverageValue') {
      if (t.averageValue === undefined)
        c.error(tAt, 'semantic.hpa', 'averageValue is required when target type is AverageValue');
      else {
        const text = String(t.averageValue);
        if (checkQuantity(c, text, [...tAt, 'averageValue']) && tryParseQuantity(text)!.sign() <= 0)
          c.error([...tAt, 'averageValue'], 'semantic.hpa', 'must be positive');
      }
    }
  });
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const r = spec.behavior?.[dir];
    if (r?.tolerance !== undefined) checkQuantity(c, r.tolerance, ['spec', 'behavior', dir, 'tolerance']);
  }
}

/** Every per-object check; `raw` is the document's value as written. */
export function checkObject(obj: KubeObject, raw: Record<string, unknown>): Finding[] {
  const c = new Collector();
  checkName(c, obj);
  switch (obj.kind) {
    case 'Pod':
      checkPodSpec(c, obj.spec, raw.spec as Record<string, unknown>, ['spec']);
      break;
    case 'Deployment':
      checkDeployment(c, obj, raw);
      break;
    case 'Service':
      checkService(c, obj, raw);
      break;
    case 'ConfigMap':
      checkConfigMap(c, obj.data, obj.binaryData);
      break;
    case 'Secret':
      checkSecret(c, obj, raw);
      break;
    case 'HorizontalPodAutoscaler':
      checkHpa(c, obj, raw);
      break;
  }
  return c.findings;
}

// Checks of object metadata shared by every kind: name, namespace, labels, annotations,
// and label selectors (ValidateObjectMeta, ValidateLabels, ValidateLabelSelector upstream).
// Pure.
import type { KubeObject, LabelSelector, Labels } from '../../model/k8s.js';
import { LabelSelectorError, labelSelectorRequirements } from '../label-selector.js';
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isReservedKey,
  isValidLabelValue,
} from '../name-rules.js';
import type { Collector, P } from './collector.js';

const MAX_ANNOTATION_BYTES = 256 * 1024;

export function checkLabels(c: Collector, labels: Labels, path: P, what: 'label' | 'annotation'): void {
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

/** False when the selector has an error (then matching it against labels means nothing). */
export function checkSelector(c: Collector, selector: LabelSelector, path: P): boolean {
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

/** Every kind: its name (a DNS-1035 label for a Service), namespace, labels, annotations. */
export function checkObjectMeta(c: Collector, obj: KubeObject): void {
  const { name, namespace } = obj.metadata;
  const rule = obj.kind === 'Service' ? isDns1035Label : isDns1123Subdomain;
  for (const e of rule(name)) c.error(['metadata', 'name'], 'semantic.name', `invalid name "${name}": ${e}`);
  for (const e of isDns1123Label(namespace))
    c.error(['metadata', 'namespace'], 'semantic.name', `invalid namespace "${namespace}": ${e}`);
  checkLabels(c, obj.metadata.labels, ['metadata', 'labels'], 'label');
  checkLabels(c, obj.metadata.annotations, ['metadata', 'annotations'], 'annotation');
}

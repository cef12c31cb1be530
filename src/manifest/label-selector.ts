// Label selectors as Kubernetes evaluates them: metav1.LabelSelector (matchLabels +
// matchExpressions) converted to requirements as LabelSelectorAsSelector does
// (apimachinery/pkg/apis/meta/v1/helpers.go) and matched as labels.Requirement.Matches
// (apimachinery/pkg/labels/selector.go). Pure.
import type { LabelSelector, Labels } from '../model/k8s.js';
import { isQualifiedName, isValidLabelValue } from './name-rules.js';

/** A malformed selector (upstream returns these from NewRequirement). */
export class LabelSelectorError extends Error {
  readonly code = 'selector.invalid';
  constructor(
    message: string,
    /** Field path inside the selector, e.g. `matchExpressions[0].values`. */
    readonly path: string,
  ) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals';
export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

function newRequirement(key: string, op: Operator, values: string[], path: string): Requirement {
  for (const e of isQualifiedName(key))
    throw new LabelSelectorError(`key: Invalid value: "${key}": ${e}`, `${path}.key`);
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        throw new LabelSelectorError(
          "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
          `${path}.values`,
        );
      break;
    case 'Equals':
      if (values.length !== 1)
        throw new LabelSelectorError(
          "values: Invalid value: exactly one value is required for '=' operator",
          `${path}.values`,
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0)
        throw new LabelSelectorError(
          'values: Invalid value: values set must be empty for exists and does not exist',
          `${path}.values`,
        );
      break;
  }
  values.forEach((v, i) => {
    for (const e of isValidLabelValue(v))
      throw new LabelSelectorError(`values[${i}]: Invalid value: "${v}": ${e}`, `${path}.values[${i}]`);
  });
  return { key, operator: op, values };
}

/** LabelSelectorAsSelector: the requirements of a selector, or a LabelSelectorError.
 *  An empty selector has no requirements (matches everything). */
export function labelSelectorRequirements(selector: LabelSelector): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    reqs.push(newRequirement(k, 'Equals', [v], `matchLabels[${k}]`));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const op = expr.operator as string;
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist')
      throw new LabelSelectorError(
        `"${op}" is not a valid label selector operator`,
        `matchExpressions[${i}].operator`,
      );
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])], `matchExpressions[${i}]`));
  });
  return reqs;
}

/** Every requirement matches `labels` (requirements from labelSelectorRequirements). */
export function requirementsMatch(reqs: readonly Requirement[], labels: Labels): boolean {
  for (const r of reqs) if (!requirementMatches(r, labels)) return false;
  return true;
}

function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'Equals':
    case 'In':
      return has && r.values.includes(labels[r.key]!);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Does `selector` (a metav1.LabelSelector) select an object with `labels`? Throws
 *  LabelSelectorError for a malformed selector, as upstream refuses to evaluate it.
 *  `null`/`undefined` selects nothing; `{}` selects everything (upstream semantics). */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  if (selector === null || selector === undefined) return false;
  return labelSelectorRequirements(selector).every((r) => requirementMatches(r, labels));
}

/** labels.SelectorFromSet(set).Matches(labels): every pair of `set` present in `labels`;
 *  an empty set matches everything. */
export function labelsMatchSet(set: Labels, labels: Labels): boolean {
  for (const k in set) if (!Object.hasOwn(labels, k) || labels[k] !== set[k]) return false;
  return true;
}

/** A Service's plain map selector: as the endpoints controller treats it, a Service with
 *  no (or an empty) selector selects no Pods at all; otherwise SelectorFromSet semantics. */
export function serviceSelectorMatches(selector: Labels, labels: Labels): boolean {
  if (Object.keys(selector).length === 0) return false;
  return labelsMatchSet(selector, labels);
}

// Checks of a Deployment (ValidateDeploymentSpec and ValidateRollingUpdateDeployment in
// pkg/apis/apps/validation upstream): template metadata, selector against template labels,
// restart policy, the pod spec, then the strategy and its fenceposts. Pure.
import type { Deployment, IntOrPercent } from '../../model/k8s.js';
import {
  intOrPercentValue,
  isValidPercent,
  resolveFenceposts,
  scaledValueFromIntOrPercent,
} from '../int-or-percent.js';
import { labelSelectorMatches } from '../label-selector.js';
import type { Collector } from './collector.js';
import { checkLabels, checkSelector } from './metadata.js';
import { checkPodSpec } from './pod-spec.js';

type DeploymentSpec = Deployment['spec'];

const ROLLING_UPDATE = ['spec', 'strategy', 'rollingUpdate'] as const;

function checkTemplateMetadata(c: Collector, spec: DeploymentSpec): void {
  checkLabels(c, spec.template.metadata.labels, ['spec', 'template', 'metadata', 'labels'], 'label');
  checkLabels(
    c,
    spec.template.metadata.annotations,
    ['spec', 'template', 'metadata', 'annotations'],
    'annotation',
  );
}

/** A selector is required, and must select the template's own pods. */
function checkDeploymentSelector(c: Collector, spec: DeploymentSpec): void {
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
}

function checkRestartPolicy(c: Collector, spec: DeploymentSpec): void {
  if (spec.template.spec.restartPolicy !== 'Always')
    c.error(
      ['spec', 'template', 'spec', 'restartPolicy'],
      'semantic.restart-policy',
      `unsupported value "${spec.template.spec.restartPolicy}": a Deployment's pods must use restartPolicy "Always"`,
    );
}

/** Each of maxSurge and maxUnavailable is a valid, non-negative count or percent. */
function checkRollingUpdateValues(
  c: Collector,
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
): boolean {
  let valid = true;
  for (const [name, v] of [
    ['maxSurge', maxSurge],
    ['maxUnavailable', maxUnavailable],
  ] as const) {
    const at = [...ROLLING_UPDATE, name];
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
  return valid;
}

/** ValidateRollingUpdateDeployment: the written values may not both be zero, nor
 *  maxUnavailable over 100%... */
function checkFenceposts(
  c: Collector,
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  replicas: number,
): void {
  if (intOrPercentValue(maxSurge) === 0 && intOrPercentValue(maxUnavailable) === 0)
    c.error([...ROLLING_UPDATE, 'maxUnavailable'], 'semantic.strategy', 'may not be 0 when `maxSurge` is 0');
  else if (typeof maxUnavailable === 'string' && intOrPercentValue(maxUnavailable) > 100)
    c.error([...ROLLING_UPDATE, 'maxUnavailable'], 'semantic.strategy', 'must not be greater than 100%');
  else warnFencepostRounding(c, maxSurge, maxUnavailable, replicas);
}

/** ...and if rounding (surge up, unavailable down) makes both zero at this replica count,
 *  the controller uses maxUnavailable = 1 (ResolveFenceposts): say so, it surprises. */
function warnFencepostRounding(
  c: Collector,
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  replicas: number,
): void {
  // The same rounding the controller uses (surge up, unavailable down).
  const surge = scaledValueFromIntOrPercent(maxSurge, replicas, true);
  const unavailable = scaledValueFromIntOrPercent(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0 && replicas > 0) {
    const resolved = resolveFenceposts(maxSurge, maxUnavailable, replicas);
    c.warn(
      [...ROLLING_UPDATE],
      'semantic.strategy-rounding',
      `maxSurge ${maxSurge} and maxUnavailable ${maxUnavailable} both round to 0 at ${replicas} replicas; as Kubernetes does, skiff will use maxUnavailable ${resolved.maxUnavailable}`,
    );
  }
}

/** `rawSpec` is the spec as written: rollingUpdate defaults in even under Recreate. */
function checkStrategy(c: Collector, spec: DeploymentSpec, rawSpec: Record<string, unknown>): void {
  const rawStrategy = (rawSpec.strategy ?? {}) as Record<string, unknown>;
  if (spec.strategy.type === 'Recreate') {
    if (rawStrategy.rollingUpdate !== undefined)
      c.error(
        [...ROLLING_UPDATE],
        'semantic.strategy',
        "may not be specified when strategy `type` is 'Recreate'",
      );
    return;
  }
  const { maxSurge, maxUnavailable } = spec.strategy.rollingUpdate;
  if (checkRollingUpdateValues(c, maxSurge, maxUnavailable))
    checkFenceposts(c, maxSurge, maxUnavailable, spec.replicas);
}

export function checkDeployment(c: Collector, d: Deployment, raw: Record<string, unknown>): void {
  const spec = d.spec;
  const rawSpec = raw.spec as Record<string, unknown>;
  const rawTemplate = rawSpec.template as Record<string, unknown>;
  checkTemplateMetadata(c, spec);
  checkDeploymentSelector(c, spec);
  checkRestartPolicy(c, spec);
  checkPodSpec(c, spec.template.spec, rawTemplate.spec as Record<string, unknown>, [
    'spec',
    'template',
    'spec',
  ]);
  checkStrategy(c, spec, rawSpec);
}

// Checks of a policy/v1 PodDisruptionBudget (ValidatePodDisruptionBudgetSpec in
// pkg/apis/policy/validation upstream): minAvailable and maxUnavailable not both set, each a
// non-negative count or a percent of at most 100%, a valid selector. Neither set is accepted,
// as upstream does (the budget then allows every disruption). Pure.
import type { IntOrPercent, PodDisruptionBudget } from '../../model/k8s.js';
import { intOrPercentValue, isValidPercent } from '../int-or-percent.js';
import type { Collector } from './collector.js';
import { checkSelector } from './metadata.js';

/** ValidatePositiveIntOrPercent, then IsNotMoreThan100Percent. */
function checkBudgetValue(c: Collector, v: IntOrPercent, field: 'minAvailable' | 'maxUnavailable'): void {
  const at = ['spec', field];
  if (typeof v === 'string' && !isValidPercent(v))
    c.error(
      at,
      'semantic.pdb',
      `"${v}": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')`,
    );
  else if (intOrPercentValue(v) < 0) c.error(at, 'semantic.pdb', 'must be greater than or equal to 0');
  else if (typeof v === 'string' && intOrPercentValue(v) > 100)
    c.error(at, 'semantic.pdb', 'must not be greater than 100%');
}

export function checkPodDisruptionBudget(c: Collector, pdb: PodDisruptionBudget): void {
  const { minAvailable, maxUnavailable, selector } = pdb.spec;
  if (minAvailable !== undefined && maxUnavailable !== undefined)
    c.error(['spec'], 'semantic.pdb', 'minAvailable and maxUnavailable cannot be both set');
  if (minAvailable !== undefined) checkBudgetValue(c, minAvailable, 'minAvailable');
  if (maxUnavailable !== undefined) checkBudgetValue(c, maxUnavailable, 'maxUnavailable');
  if (selector) checkSelector(c, selector, ['spec', 'selector']);
}

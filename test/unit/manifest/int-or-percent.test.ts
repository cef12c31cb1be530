// The rollout fenceposts: one definition of maxSurge/maxUnavailable rounding and of the percent
// syntax, shared by the Deployment controller and the manifest checks.
import { describe, expect, it } from 'vitest';
import {
  isValidPercent,
  resolveFenceposts,
  scaledValueFromIntOrPercent,
} from '../../../src/manifest/int-or-percent.js';
import type { IntOrPercent } from '../../../src/model/k8s.js';

describe('resolveFenceposts (ResolveFenceposts)', () => {
  it.each([
    { replicas: 10, surge: '25%', unavail: '25%', want: { maxSurge: 3, maxUnavailable: 2 } },
    { replicas: 4, surge: '25%', unavail: '25%', want: { maxSurge: 1, maxUnavailable: 1 } },
    { replicas: 1, surge: '25%', unavail: '25%', want: { maxSurge: 1, maxUnavailable: 0 } },
    { replicas: 3, surge: '25%', unavail: '25%', want: { maxSurge: 1, maxUnavailable: 0 } },
    { replicas: 5, surge: '50%', unavail: '50%', want: { maxSurge: 3, maxUnavailable: 2 } },
    { replicas: 2, surge: '0%', unavail: '1%', want: { maxSurge: 0, maxUnavailable: 1 } },
    { replicas: 1, surge: '1%', unavail: '25%', want: { maxSurge: 1, maxUnavailable: 0 } },
    { replicas: 3, surge: 0, unavail: 0, want: { maxSurge: 0, maxUnavailable: 1 } },
    { replicas: 0, surge: '25%', unavail: '25%', want: { maxSurge: 0, maxUnavailable: 1 } },
    { replicas: 10, surge: 2, unavail: 3, want: { maxSurge: 2, maxUnavailable: 3 } },
    { replicas: 10, surge: '100%', unavail: '0%', want: { maxSurge: 10, maxUnavailable: 0 } },
    { replicas: 7, surge: '33%', unavail: '33%', want: { maxSurge: 3, maxUnavailable: 2 } },
  ])('$replicas replicas, surge $surge, unavailable $unavail', ({ replicas, surge, unavail, want }) => {
    expect(resolveFenceposts(surge as IntOrPercent, unavail as IntOrPercent, replicas)).toEqual(want);
  });

  it('rejects a string that is not a percentage (validation must have caught it)', () => {
    expect(() => scaledValueFromIntOrPercent('3', 10, true)).toThrow(/not a percentage/);
  });
});

describe('percent syntax (IsValidPercent, ^[0-9]+%$)', () => {
  it.each([
    { value: '0%', valid: true, scaled: 0 },
    { value: '25%', valid: true, scaled: 3 },
    { value: '100%', valid: true, scaled: 10 },
    { value: '007%', valid: true, scaled: 1 },
    { value: '-5%', valid: false, error: /invalid value "-5%"/ },
    { value: '+5%', valid: false, error: /invalid value "\+5%"/ },
    { value: '5.5%', valid: false, error: /invalid value "5.5%"/ },
    { value: '%', valid: false, error: /invalid value "%"/ },
    { value: ' 5%', valid: false, error: /invalid value " 5%"/ },
    { value: '5% ', valid: false, error: /not a percentage/ },
    { value: '5', valid: false, error: /not a percentage/ },
    { value: '', valid: false, error: /not a percentage/ },
  ])('$value: valid $valid', ({ value, valid, scaled, error }) => {
    expect(isValidPercent(value)).toBe(valid);
    if (valid) expect(scaledValueFromIntOrPercent(value, 10, true)).toBe(scaled);
    else {
      expect(() => scaledValueFromIntOrPercent(value, 10, true)).toThrow(error);
      expect(() => resolveFenceposts(value, 1, 10)).toThrow(/^invalid value for IntOrString: /);
    }
  });
});

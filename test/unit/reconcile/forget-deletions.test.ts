// A deletion that did not start leaves the Deployment controller's memory: the next pass must
// see that pod live, not terminating (else the rollout replaces a pod that still runs).
import { describe, expect, it } from 'vitest';
import type { DeploymentMemory } from '../../../src/controllers/deployment.js';
import { forgetDeletions } from '../../../src/reconcile/forget-deletions.js';

const memory = (names: string[]): DeploymentMemory => ({
  revisions: {},
  terminating: Object.fromEntries(names.map((n) => [n, { since: 1, gracePeriodSeconds: 30 }])),
});

describe('forgetDeletions', () => {
  it('drops only the named pods, in their own namespace, and keeps untouched memories as they are', () => {
    const before = {
      'Deployment/shop/web': memory(['web-a', 'web-b']),
      'Deployment/other/web': memory(['web-a']),
    };
    const after = forgetDeletions(before, new Set(['shop/web-a']));
    expect(Object.keys(after['Deployment/shop/web']!.terminating)).toEqual(['web-b']);
    expect(after['Deployment/other/web']).toBe(before['Deployment/other/web']);
    expect(forgetDeletions(before, new Set())).toBe(before);
  });
});

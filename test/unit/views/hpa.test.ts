// The text of `get hpa` and `describe hpa`, laid out as kubectl lays it out.
import { describe, expect, it } from 'vitest';
import { describeHpa, renderHpaTable } from '../../../src/cli/views/hpa.js';
import type { HpaView } from '../../../src/model/views.js';

const NOW = 1_700_000_000_000;

const hpa: HpaView = {
  namespace: 'default',
  name: 'web-hpa',
  app: 'shop',
  reference: 'Deployment/web',
  targets: 'cpu: 45%/70%',
  metrics: [{ name: 'cpu', current: '45%', target: '70%' }],
  minReplicas: 2,
  maxReplicas: 10,
  currentReplicas: 7,
  desiredReplicas: 7,
  conditions: [
    {
      type: 'AbleToScale',
      status: 'True',
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    },
  ],
  createdAt: NOW - 3 * 60_000,
  decisions: [
    {
      at: NOW - 60_000,
      lastAt: NOW - 15_000,
      count: 4,
      currentReplicas: 7,
      desiredReplicas: 7,
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    },
    {
      at: NOW - 120_000,
      lastAt: NOW - 120_000,
      count: 1,
      currentReplicas: 3,
      desiredReplicas: 7,
      reason: 'SucceededRescale',
      message: 'New size: 7; reason: cpu resource utilization (percentage of request) above target',
    },
  ],
};

describe('get hpa', () => {
  it.each([
    {
      all: false,
      text:
        'NAME      REFERENCE        TARGETS        MINPODS   MAXPODS   REPLICAS   AGE\n' +
        'web-hpa   Deployment/web   cpu: 45%/70%   2         10        7          3m\n',
    },
    {
      all: true,
      text:
        'NAMESPACE   NAME      REFERENCE        TARGETS        MINPODS   MAXPODS   REPLICAS   AGE\n' +
        'default     web-hpa   Deployment/web   cpu: 45%/70%   2         10        7          3m\n',
    },
  ])('kubectl columns (all namespaces: $all)', ({ all, text }) => {
    expect(renderHpaTable([hpa], { now: NOW, allNamespaces: all })).toBe(text);
  });

  it('says so when there is none', () => {
    expect(renderHpaTable([], { now: NOW })).toBe('No resources found.\n');
  });
});

describe('describe hpa', () => {
  it('shows metrics, bounds, conditions and the decisions with their reasons', () => {
    const text = describeHpa(hpa, [], { now: NOW });
    expect(text).toContain('Reference:');
    expect(text).toMatch(/resource cpu on pods {2}\(as a percentage of request\): +45% \/ 70%/);
    expect(text).toMatch(/Deployment pods: +7 current \/ 7 desired/);
    expect(text).toMatch(/AbleToScale +True +ScaleDownStabilized/);
    expect(text).toMatch(/15s \(x4 over 60s\) +7 -> 7 +ScaleDownStabilized/);
    expect(text).toMatch(/2m +3 -> 7 +SucceededRescale +New size: 7; reason: cpu resource utilization/);
    expect(text.trimEnd().endsWith('Events:  <none>')).toBe(true);
  });
});

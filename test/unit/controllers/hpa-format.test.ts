// TARGETS as kubectl prints it (printers.go formatHPAMetrics) and quantities as
// Quantity.String() prints them.
import { describe, expect, it } from 'vitest';
import type { HpaMetricStatus } from '../../../src/controllers/hpa.js';
import { formatHpaTargets, metricValues } from '../../../src/controllers/hpa-format.js';
import {
  approximateFloat,
  canonicalQuantity,
  formatQuantity,
  milliQuantity,
  milliValue,
  parseQuantity,
} from '../../../src/controllers/hpa-quantity.js';
import type { MetricSpec } from '../../../src/model/k8s.js';

const cpu70: MetricSpec = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
};
const mem200: MetricSpec = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '200Mi' } },
};
const cpuStatus: HpaMetricStatus = {
  type: 'Resource',
  name: 'cpu',
  currentAverageUtilization: 45,
  currentAverageValueMilli: 450,
  currentAverageValue: '450m',
};
const memStatus: HpaMetricStatus = {
  type: 'Resource',
  name: 'memory',
  currentAverageValueMilli: 100 * 1024 * 1024 * 1000,
  currentAverageValue: '100Mi',
};

describe('formatHpaTargets', () => {
  it.each([
    { name: 'utilization', metrics: [cpu70], statuses: [cpuStatus], out: 'cpu: 45%/70%' },
    { name: 'no status yet', metrics: [cpu70], statuses: [], out: 'cpu: <unknown>/70%' },
    { name: 'failed metric', metrics: [cpu70], statuses: [null], out: 'cpu: <unknown>/70%' },
    {
      name: 'two metrics',
      metrics: [cpu70, mem200],
      statuses: [cpuStatus, memStatus],
      out: 'cpu: 45%/70%, memory: 100Mi/200Mi',
    },
    {
      name: 'more than two',
      metrics: [cpu70, mem200, cpu70, mem200],
      statuses: [cpuStatus, memStatus],
      out: 'cpu: 45%/70%, memory: 100Mi/200Mi + 2 more...',
    },
    { name: 'no metrics', metrics: [], statuses: [], out: '<none>' },
    {
      name: 'target printed canonically',
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1024Mi' } },
        },
      ] as MetricSpec[],
      statuses: [],
      out: 'memory: <unknown>/1Gi',
    },
  ])('$name -> $out', ({ metrics, statuses, out }) => {
    expect(formatHpaTargets(statuses, { metrics })).toBe(out);
  });
});

describe('quantities', () => {
  it.each([
    ['200Mi', '200Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5', '500m'],
    ['1000', '1k'],
    ['1500m', '1500m'],
    ['1e3', '1e3'],
    ['512', '512'],
    ['0', '0'],
  ])('%s prints as %s', (input, out) => {
    expect(canonicalQuantity(input)).toBe(out);
  });

  it.each([
    [104857600000, 'BinarySI', '100Mi'],
    [104857600500, 'BinarySI', '104857600500m'],
    [512000, 'BinarySI', '512'],
    [250, 'DecimalSI', '250m'],
    [1000, 'DecimalSI', '1'],
    [2500000, 'DecimalSI', '2500'],
  ] as const)('NewMilliQuantity(%d, %s) prints as %s', (milli, format, out) => {
    expect(formatQuantity(milliQuantity(milli, format))).toBe(out);
  });

  it('takes MilliValue rounding up and the approximate float as upstream', () => {
    expect(milliValue(parseQuantity('1.0001m')!)).toBe(2);
    expect(milliValue(parseQuantity('200Mi')!)).toBe(200 * 1024 * 1024 * 1000);
    expect(approximateFloat(parseQuantity('0.05')!)).toBe(0.05);
    expect(parseQuantity('ten')).toBeUndefined();
  });
});

describe('metricValues (the numbers the history samples for the utilization chart)', () => {
  const MI = 1024 * 1024 * 1000;
  it.each([
    {
      name: 'utilization: percent of requests, target in percent',
      metrics: [cpu70],
      statuses: [cpuStatus],
      out: [{ name: 'cpu', unit: 'percent', current: 45, target: 70 }],
    },
    {
      name: 'average value: milli-units, target parsed as a quantity',
      metrics: [mem200],
      statuses: [memStatus],
      out: [{ name: 'memory', unit: 'milli', current: 100 * MI, target: 200 * MI }],
    },
    {
      name: 'no status yet: null, aligned with spec.metrics',
      metrics: [cpu70, mem200],
      statuses: [null, undefined],
      out: [
        { name: 'cpu', unit: 'percent', current: null, target: 70 },
        { name: 'memory', unit: 'milli', current: null, target: 200 * MI },
      ],
    },
  ])('$name', ({ metrics, statuses, out }) => {
    expect(metricValues(statuses, { metrics })).toEqual(out);
  });
});

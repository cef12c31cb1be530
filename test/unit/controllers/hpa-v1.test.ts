// autoscaling/v1 -> v2 as the API server converts it (pkg/apis/autoscaling/v1/conversion.go).
import { describe, expect, it } from 'vitest';
import { convertHpaV1ToV2, hpaRoundTripAnnotations } from '../../../src/controllers/hpa-v1.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (averageUtilization: number) => ({
  type: 'Resource' as const,
  resource: { name: 'cpu' as const, target: { type: 'Utilization' as const, averageUtilization } },
});

describe('convertHpaV1ToV2', () => {
  it('turns targetCPUUtilizationPercentage into a cpu Utilization metric', () => {
    const r = convertHpaV1ToV2({
      scaleTargetRef: ref,
      minReplicas: 2,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 70,
    });
    expect(r).toEqual({
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, metrics: [cpu(70)] },
      annotations: {},
      warnings: [],
    });
    expect(r.spec.behavior).toBeUndefined();
  });

  it('defaults minReplicas to 1 and the metric to cpu 80%', () => {
    const r = convertHpaV1ToV2({ scaleTargetRef: ref, maxReplicas: 5 });
    expect(r.spec.minReplicas).toBe(1);
    expect(r.spec.metrics).toEqual([cpu(80)]);
  });

  it('puts the metrics annotation before the cpu target, converting v1 resource metrics', () => {
    const annotations = {
      [hpaRoundTripAnnotations.metrics]: JSON.stringify([
        { type: 'Resource', resource: { name: 'memory', targetAverageValue: '200Mi' } },
        { type: 'Resource', resource: { name: 'memory', targetAverageUtilization: 60 } },
      ]),
      team: 'web',
    };
    const r = convertHpaV1ToV2(
      { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      annotations,
    );
    expect(r.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '200Mi' } },
      },
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 60 } },
      },
      cpu(50),
    ]);
    expect(r.annotations).toEqual({ team: 'web' });
  });

  it('reads behavior from its annotation, with Go field names matched case-insensitively', () => {
    const annotations = {
      [hpaRoundTripAnnotations.behavior]: JSON.stringify({
        ScaleUp: {
          StabilizationWindowSeconds: 30,
          SelectPolicy: 'Min',
          Policies: [{ Type: 'Pods', Value: 2, PeriodSeconds: 60 }],
        },
        scaleDown: { stabilizationWindowSeconds: 600, tolerance: '0.05' },
      }),
    };
    const r = convertHpaV1ToV2(
      { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      annotations,
    );
    expect(r.spec.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 30,
        selectPolicy: 'Min',
        policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
      },
      scaleDown: { stabilizationWindowSeconds: 600, tolerance: '0.05' },
    });
    expect(r.annotations).toEqual({});
  });

  it.each([
    { name: 'an empty behavior', value: '{}' },
    { name: 'invalid JSON', value: '{not json' },
  ])('leaves behavior absent for $name, as upstream ignores it', ({ value }) => {
    const r = convertHpaV1ToV2(
      { scaleTargetRef: ref, maxReplicas: 5 },
      { [hpaRoundTripAnnotations.behavior]: value },
    );
    expect(r.spec.behavior).toBeUndefined();
    expect(r.annotations).toEqual({});
  });

  it('drops every round-trip annotation and reports metric types skiff does not support', () => {
    const annotations = {
      [hpaRoundTripAnnotations.metrics]: JSON.stringify([
        { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      ]),
      [hpaRoundTripAnnotations.conditions]: '[]',
      [hpaRoundTripAnnotations.currentMetrics]: '[]',
      [hpaRoundTripAnnotations.scaleUpTolerance]: '0.1',
      [hpaRoundTripAnnotations.scaleDownTolerance]: '0.1',
    };
    const r = convertHpaV1ToV2(
      { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
      annotations,
    );
    expect(r.spec.metrics).toEqual([cpu(60)]);
    expect(r.annotations).toEqual({});
    expect(r.warnings).toEqual(['metric of type "Pods" is not supported by skiff and is ignored']);
  });
});

// Properties of the HPA core over generated inputs (fast-check): the decision stays within the
// bounds, never scales on broken metrics, and the fast status formatter agrees with the exact one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideReplicas, emptyHpaMemory, type HpaPod } from '../../../src/controllers/hpa.js';
import { formatMilliQuantity, formatQuantity, milliQuantity } from '../../../src/controllers/hpa-quantity.js';
import type { HorizontalPodAutoscalerSpec } from '../../../src/model/k8s.js';

const T0 = Date.UTC(2025, 0, 1);

describe('HPA properties', () => {
  it('keeps desiredReplicas within [min, max] whenever the current count is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (minReplicas, extra, loads, target, withBehavior) => {
          const maxReplicas = minReplicas + extra;
          const current = Math.min(maxReplicas, Math.max(minReplicas, loads.length));
          const spec: HorizontalPodAutoscalerSpec = {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
            minReplicas,
            maxReplicas,
            metrics: [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
              },
            ],
            ...(withBehavior ? { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } : {}),
          };
          const pods: HpaPod[] = loads.map((_, i) => ({
            name: `p${i}`,
            phase: 'Running',
            startTime: T0 - 3_600_000,
            readyCondition: { ready: i % 5 !== 4, lastTransitionTime: T0 - 3_600_000 },
            requests: { cpuMilli: 500 },
          }));
          const metrics = loads
            .filter((_, i) => i % 7 !== 6)
            .map((cpuMilli, i) => ({
              namespace: 'default',
              pod: `p${i}`,
              cpuMilli,
              memoryBytes: 0,
              timestamp: T0,
              windowMs: 15_000,
              containers: 1,
            }));
          const d = decideReplicas({
            hpa: { spec },
            currentReplicas: current,
            pods,
            metrics,
            memory: emptyHpaMemory(),
            now: T0,
          });
          expect(d.desiredReplicas).toBeGreaterThanOrEqual(minReplicas);
          expect(d.desiredReplicas).toBeLessThanOrEqual(maxReplicas);
          expect(d.scale).toBe(d.desiredReplicas !== current);
          if (d.reason === 'MetricsUnavailable') expect(d.desiredReplicas).toBe(current);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('formats status quantities exactly like Quantity.String()', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.integer({ min: 0, max: 2 ** 20 }).map((n) => n * 1024 * 1000),
        ),
        fc.constantFrom('DecimalSI' as const, 'BinarySI' as const),
        (milli, format) => {
          expect(formatMilliQuantity(milli, format)).toBe(formatQuantity(milliQuantity(milli, format)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

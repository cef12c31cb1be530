// Properties over generated inputs: a revision diffed with itself changes nothing, and no
// Secret value, in clear or base64, reaches any rendering whatever the keys and values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  renderObjectDiffText,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanText,
} from '../../../src/cli/views/plan.js';
import { diffObjectSets } from '../../../src/diff/object-diff.js';
import { assemblePlan } from '../../../src/diff/plan.js';
import { configMap, container, deployment, secret } from './fixtures.js';

const key = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/);
// A marker that cannot occur in a path, a hash or a fixture, so a hit is a real leak.
const value = fc.string({ minLength: 1, maxLength: 30 }).map((s) => `LEAK~${s}~`);
const secretData = fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 });

describe('diff properties', () => {
  it('no Secret value reaches any rendering', () => {
    fc.assert(
      fc.property(secretData, secretData, fc.boolean(), (before, after, referenced) => {
        const toB64 = (d: Record<string, string>) =>
          Object.fromEntries(
            Object.entries(d).map(([k, v]) => [k, btoa(String.fromCharCode(...new TextEncoder().encode(v)))]),
          );
        const web = deployment('web', {
          containers: [container({ envFrom: referenced ? [{ secretRef: { name: 's' } }] : [] })],
        });
        const { changes, warnings } = diffObjectSets(
          [secret('s', toB64(before)), web],
          [secret('s', toB64(after)), web],
        );
        const plan = assemblePlan({
          app: 'demo',
          toCommit: 'c'.repeat(40),
          changes,
          currentPods: { 'Deployment/default/web': 3 },
          placementBefore: {},
          placementAfter: {},
          unschedulable: [],
          prunes: [],
          warnings,
        });
        const outputs = [
          renderPlanText(plan),
          renderPlanMarkdown(plan),
          renderPlanJson(plan),
          renderObjectDiffText(changes),
        ];
        const encoded = [...Object.values(toB64(before)), ...Object.values(toB64(after))];
        for (const out of outputs) {
          expect(out).not.toContain('LEAK~');
          for (const e of encoded) expect(out).not.toContain(e);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a revision diffed with itself is unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.string()), fc.integer({ min: 0, max: 50 }), (data, replicas) => {
        const objects = [configMap('c', data), deployment('web', { replicas }), secret('s', data)];
        const { changes, warnings } = diffObjectSets(objects, structuredClone(objects));
        expect(changes.every((c) => c.change === 'unchanged' && c.fields.length === 0)).toBe(true);
        expect(warnings).toEqual([]);
      }),
    );
  });
});

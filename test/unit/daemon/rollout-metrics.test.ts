// Rollout durations for the metrics: a rollout starts with a new template (or when first seen
// Progressing) and ends the first pass it is Complete or Failed, once.
import { describe, expect, it } from 'vitest';
import { type RolloutMemory, trackRollouts } from '../../../src/daemon/rollout-metrics.js';
import type { DeploymentView } from '../../../src/model/views.js';

const dep = (templateHash: string, phase: DeploymentView['phase']): DeploymentView => ({
  namespace: 'default',
  name: 'web',
  app: 'shop',
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
  templateHash,
  images: ['web:1'],
  phase,
  conditions: [],
});

/** Runs the passes in order (one per second) and returns what each finished. */
function run(passes: [string, DeploymentView['phase']][]): string[][] {
  let memory: RolloutMemory = {};
  return passes.map(([hash, phase], i) => {
    const r = trackRollouts(memory, [dep(hash, phase)], 1_000_000 + i * 1000);
    memory = r.memory;
    return r.finished.map((f) => `${f.app} ${f.result} ${f.seconds}s`);
  });
}

describe('trackRollouts', () => {
  it.each([
    [
      'first seen Complete: nothing to time',
      [
        ['a', 'Complete'],
        ['a', 'Complete'],
      ],
      [[], []],
    ],
    [
      'first seen Progressing: timed from then',
      [
        ['a', 'Progressing'],
        ['a', 'Progressing'],
        ['a', 'Complete'],
      ],
      [[], [], ['shop complete 2s']],
    ],
    [
      'a new template, then Complete',
      [
        ['a', 'Complete'],
        ['b', 'Progressing'],
        ['b', 'Complete'],
        ['b', 'Complete'],
      ],
      [[], [], ['shop complete 1s'], []],
    ],
    [
      'a new template that fails, then a restore',
      [
        ['a', 'Complete'],
        ['b', 'Progressing'],
        ['b', 'Failed'],
        ['b', 'Failed'],
        ['a', 'Progressing'],
        ['a', 'Complete'],
      ],
      [[], [], ['shop failed 1s'], [], [], ['shop complete 1s']],
    ],
    [
      'a template complete in the pass it appears',
      [
        ['a', 'Complete'],
        ['b', 'Complete'],
      ],
      [[], ['shop complete 0s']],
    ],
  ] as [string, [string, DeploymentView['phase']][], string[][]][])('%s', (_name, passes, finished) => {
    expect(run(passes)).toEqual(finished);
  });

  it('forgets a Deployment that is gone', () => {
    const r = trackRollouts({ 'default/old': { templateHash: 'x', startedAt: 1 } }, [], 5);
    expect(r.memory).toEqual({});
  });
});

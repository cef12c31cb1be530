// The rollout guard's pure decisions: revisions to record, when to quarantine and restore,
// when a newer head lifts the quarantine, and which commit is the good one to go back to.
import { describe, expect, it } from 'vitest';
import {
  chooseRestoreTarget,
  decideRolloutGuard,
  type GuardInput,
  type GuardMemory,
} from '../../../src/daemon/rollout-guard.js';
import type { DeploymentView } from '../../../src/model/views.js';

function dep(over: Partial<DeploymentView> = {}): DeploymentView {
  return {
    namespace: 'default',
    name: 'web',
    app: 'demo',
    replicas: 4,
    updatedReplicas: 4,
    readyReplicas: 4,
    availableReplicas: 4,
    templateHash: 'h2',
    images: ['web:2'],
    phase: 'Complete',
    conditions: [],
    ...over,
  };
}

const failedV3 = dep({
  templateHash: 'h3',
  phase: 'Failed',
  updatedReplicas: 1,
  conditions: [
    {
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "web-h3" has timed out progressing.',
    },
  ],
  failure: { reason: 'ReadinessNeverPassed', message: '1 of 1 new pod(s): readiness probe: HTTP 503' },
});

function input(over: Partial<GuardInput> = {}, quarantined: string[] = []): GuardInput {
  return {
    autoRestore: true,
    admitted: 'c2',
    head: 'c2',
    deployments: [dep()],
    pendingPods: 0,
    memory: { recorded: {} },
    isQuarantined: (c) => quarantined.includes(c),
    hasActiveQuarantine: quarantined.length > 0,
    ...over,
  };
}

describe('decideRolloutGuard', () => {
  it('records a template once, and remembers the commit as healthy when complete', () => {
    const first = decideRolloutGuard(input());
    expect(first.record.map((d) => d.templateHash)).toEqual(['h2']);
    expect(first.memory).toEqual({ recorded: { 'default/web': 'h2' }, lastHealthy: 'c2' });
    const again = decideRolloutGuard(input({ memory: first.memory }));
    expect(again.record).toEqual([]);
    expect(again.failed).toBeUndefined();
  });

  it.each([
    ['a rollout in progress', dep({ templateHash: 'h3', phase: 'Progressing' }), 0],
    ['pods waiting for a host', dep(), 2],
  ])('does not call %s healthy', (_what, d, pendingPods) => {
    const memory: GuardMemory = { recorded: {}, lastHealthy: 'c1' };
    const r = decideRolloutGuard(
      input({ admitted: 'c3', head: 'c3', deployments: [d], pendingPods, memory }),
    );
    expect(r.memory.lastHealthy).toBe('c1');
  });

  it('quarantines the admitted commit of a failed rollout, with the failure as the reason', () => {
    const r = decideRolloutGuard(
      input({
        admitted: 'c3',
        head: 'c3',
        deployments: [failedV3],
        memory: { recorded: {}, lastHealthy: 'c2' },
      }),
    );
    expect(r.failed).toEqual({
      commit: 'c3',
      reason: 'deployment/web: ReadinessNeverPassed: 1 of 1 new pod(s): readiness probe: HTTP 503',
    });
    expect(r.memory.lastHealthy).toBe('c2');
  });

  it('does not repeat a reason the failure message already names', () => {
    const d = dep({
      ...failedV3,
      failure: {
        reason: 'Readiness probe failed: HTTP 503',
        message: '2 of 2 new pod(s): Readiness probe failed: HTTP 503',
      },
    });
    const r = decideRolloutGuard(input({ admitted: 'c3', head: 'c3', deployments: [d] }));
    expect(r.failed?.reason).toBe('deployment/web: 2 of 2 new pod(s): Readiness probe failed: HTTP 503');
  });

  it.each([
    ['autoRestore is off (it stays Failed, as on Kubernetes)', { autoRestore: false }, []],
    ['the commit is already quarantined', {}, ['c3']],
    ['it is the commit the guard restored to', { memory: { recorded: {}, restoredTo: 'c3' } }, []],
  ])('does nothing more when %s', (_what, over: Partial<GuardInput>, quarantined: string[]) => {
    const r = decideRolloutGuard(
      input({ admitted: 'c3', head: 'c4', deployments: [failedV3], ...over }, quarantined),
    );
    expect(r.failed).toBeUndefined();
  });

  it('lifts the quarantine only when the branch head itself is admitted', () => {
    const restoring = decideRolloutGuard(
      input({ admitted: 'c2', head: 'c3', memory: { recorded: {}, restoredTo: 'c2' } }, ['c3']),
    );
    expect(restoring.clearQuarantine).toBe(false);
    expect(restoring.memory.restoredTo).toBe('c2');
    const newer = decideRolloutGuard(
      input({ admitted: 'c4', head: 'c4', memory: { recorded: {}, restoredTo: 'c2' } }, ['c3']),
    );
    expect(newer.clearQuarantine).toBe(true);
    expect(newer.memory.restoredTo).toBeUndefined();
  });

  it('decides nothing for an app with no admitted commit', () => {
    expect(decideRolloutGuard(input({ admitted: undefined }))).toMatchObject({
      record: [],
      clearQuarantine: false,
    });
  });
});

describe('chooseRestoreTarget', () => {
  it.each<[string, (string | undefined)[], string[], string | undefined]>([
    ['the first candidate', ['c2', 'c1'], [], 'c2'],
    ['skipping the failing commit itself', ['c3', 'c2'], [], 'c2'],
    ['skipping unknown and quarantined ones', [undefined, 'c0', 'c1'], ['c0'], 'c1'],
    ['none when nothing else is left', ['c3', undefined], [], undefined],
  ])('picks %s', (_what, candidates, quarantined, expected) => {
    expect(chooseRestoreTarget('c3', candidates, (c) => quarantined.includes(c))).toBe(expected);
  });
});

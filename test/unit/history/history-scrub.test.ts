// Every text a history record holds passes through the store's scrub before it is written:
// whichever caller records it (reconciler, rollout guard, HPA loop), no Secret value reaches
// history.db.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../../src/history/history-store.js';
import { tempHistoryStore } from './temp-state-dir.js';

const SENTINEL = 's3ntinel-history';
const scrub = (text: string) => text.replaceAll(SENTINEL, '***');
const at = 1_700_000_000_000;

const writes: [string, (h: HistoryStore) => unknown, (h: HistoryStore) => unknown][] = [
  [
    'a sync error',
    (h) =>
      h.recordSync({
        app: 'a',
        commit: 'c',
        startedAt: at,
        finishedAt: at,
        result: 'Failed',
        actions: {},
        error: `env PW=${SENTINEL}`,
      }),
    (h) => h.listSyncs({ limit: 10 }),
  ],
  [
    'an event message',
    (h) =>
      h.recordEvent({
        type: 'Warning',
        reason: 'Unhealthy',
        object: 'pod/p',
        namespace: 'default',
        message: `probe said ${SENTINEL}`,
        at,
      }),
    (h) => h.listEvents({ limit: 10 }),
  ],
  [
    'a quarantine reason',
    (h) => h.quarantine('a', 'c', `rollout failed: ${SENTINEL}`, at),
    (h) => h.listQuarantined('a', { includeCleared: true }),
  ],
  [
    'an HPA decision message',
    (h) =>
      h.recordHpaDecision({
        namespace: 'default',
        hpa: 'web',
        at,
        currentReplicas: 1,
        desiredReplicas: 1,
        reason: 'FailedGetResourceMetric',
        message: `metrics: ${SENTINEL}`,
        metrics: [],
      }),
    (h) => h.listHpaDecisions({ namespace: 'default', name: 'web' }, 10),
  ],
  [
    'a revision subject',
    (h) =>
      h.recordRevision({
        app: 'a',
        namespace: 'default',
        deployment: 'web',
        templateHash: 'h',
        commit: 'c',
        author: 'A <a@x>',
        subject: `rotate to ${SENTINEL}`,
        at,
        revisionHistoryLimit: 10,
      }),
    (h) => h.listRevisions({ namespace: 'default', name: 'web' }),
  ],
  [
    'an app status',
    (h) => h.setAppStatus('a', { conditions: [{ message: `x ${SENTINEL}` }], [SENTINEL]: 1 }, at),
    (h) => h.listAppStatuses(),
  ],
];

describe('history store scrub', () => {
  it.each(writes)('%s is stored scrubbed', (_, write, read) => {
    const h = tempHistoryStore({ scrub });
    write(h);
    const back = JSON.stringify(read(h));
    expect(back).toContain('***');
    expect(back).not.toContain(SENTINEL);
    const dir = dirname(h.path);
    for (const f of readdirSync(dir).filter((n) => n.startsWith('history.db')))
      expect(readFileSync(join(dir, f)).toString('latin1')).not.toContain(SENTINEL);
  });
});

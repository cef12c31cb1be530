// The tracker knows who made the live and the head commit and what their message says (the
// dashboard's apps page and `skiff status` show them): read once per commit from the source,
// kept only for the head and the admitted commit, and never a failed refresh when the source
// cannot say.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import type { CommitInfo } from '../../../src/git/git-source.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';
import { shopApp as app, fakeHosts, webWithService } from './fixtures.js';

class HistorySource extends MemorySource {
  reads: string[] = [];
  failing = new Set<string>();
  async commitInfo(sha: string): Promise<CommitInfo> {
    this.reads.push(sha);
    if (this.failing.has(sha)) throw new Error('object not found');
    const person = { name: 'Ada', email: 'ada@example.com', at: 1_000, utcOffsetMinutes: 0 };
    return {
      sha,
      parents: [],
      author: person,
      committer: person,
      message: `subject of ${sha.slice(0, 2)}\n\nbody`,
      subject: `subject of ${sha.slice(0, 2)}`,
    };
  }
}

const BROKEN = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: "x"}\n';

describe('AppTracker commit summaries', () => {
  it('names the live and head commits with author, subject and time; reads each once', async () => {
    const source = new HistorySource();
    const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
    source.push(webWithService(2));
    await tracker.refresh(0);
    await tracker.refresh(1);
    const first = tracker.snapshot();
    expect(first.admittedInfo).toEqual({
      author: 'Ada <ada@example.com>',
      subject: 'subject of c1',
      at: 1_000,
    });
    expect(first.headInfo).toEqual(first.admittedInfo);
    expect(source.reads).toHaveLength(1);

    source.push(BROKEN);
    await tracker.refresh(2);
    const rejected = tracker.snapshot();
    expect(rejected.rejected?.commit).toBe(rejected.head);
    expect(rejected.admittedInfo?.subject).toBe('subject of c1');
    expect(rejected.headInfo?.subject).toBe('subject of c2');

    source.push(webWithService(3));
    await tracker.refresh(3);
    const third = tracker.snapshot();
    expect(third.admittedInfo?.subject).toBe('subject of c3');
    expect(third.headInfo?.subject).toBe('subject of c3');
    expect(source.reads.map((s) => s.slice(0, 2))).toEqual(['c1', 'c2', 'c3']);
  });

  it('a source that cannot read the commit leaves the summary out, not the admission', async () => {
    const source = new HistorySource();
    const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
    source.push(webWithService(2));
    source.failing.add((await source.resolveHead()).commit);
    await tracker.refresh(0);
    const snap = tracker.snapshot();
    expect(snap.admitted?.commit).toBe(snap.head);
    expect(snap.admittedInfo).toBeUndefined();
    expect(snap.headInfo).toBeUndefined();
  });

  it('a source without history (no commitInfo) admits as before', async () => {
    const source = new MemorySource();
    const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
    source.push(webWithService(2));
    await tracker.refresh(0);
    expect(tracker.snapshot().admitted).toBeDefined();
    expect(tracker.snapshot().headInfo).toBeUndefined();
  });
});

describe('the apps view', () => {
  it('carries the live and head commits with their author and subject', async () => {
    const source = new HistorySource();
    const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
    const clock = { now: () => 1_700_000_000_000 };
    const reconciler = new Reconciler({
      runtime: new FakeRuntime(fakeHosts(1), clock),
      trackers: [tracker],
      log: pino({ level: 'silent' }),
      clock,
      random: () => 0.5,
      hostGracePeriodMs: 40_000,
      dryRun: true,
    });
    source.push(webWithService(1));
    await tracker.refresh(0);
    source.push(BROKEN);
    await tracker.refresh(1);
    await reconciler.pass();
    const shop = reconciler.view?.apps[0];
    expect(shop?.liveCommitInfo?.subject).toBe('subject of c1');
    expect(shop?.headCommitInfo).toEqual({
      author: 'Ada <ada@example.com>',
      subject: 'subject of c2',
      at: 1_000,
    });
  });
});

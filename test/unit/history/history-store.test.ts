import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HistoryStoreError } from '../../../src/history/errors.js';
import { MIGRATIONS, migrate } from '../../../src/history/history-schema.js';
import { HISTORY_DB_FILE, openHistoryStore } from '../../../src/history/history-store.js';
import { tempStateDir, track } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;

describe('opening the history database', () => {
  it('creates history.db in WAL mode at the newest schema, creating the state directory', () => {
    const stateDir = join(tempStateDir(), 'nested', 'state');
    const store = track(openHistoryStore({ stateDir }));
    expect(store.path).toBe(join(stateDir, HISTORY_DB_FILE));
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    store.close();
    const raw = new Database(join(stateDir, HISTORY_DB_FILE));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('keeps what was recorded across a close and reopen', () => {
    const stateDir = tempStateDir();
    const first = openHistoryStore({ stateDir });
    first.recordSync({
      app: 'shop',
      commit: 'c1',
      startedAt: T0,
      finishedAt: T0 + 5,
      result: 'Synced',
      actions: {},
    });
    first.quarantine('shop', 'c0', 'crash loop', T0);
    first.close();
    const second = track(openHistoryStore({ stateDir }));
    expect(second.lastSync('shop')?.commit).toBe('c1');
    expect(second.isQuarantined('shop', 'c0')).toBe(true);
  });

  it('runs only the missing migrations, each once, recording the version', () => {
    const db = new Database(':memory:');
    const steps = ['CREATE TABLE a (x INTEGER);', 'CREATE TABLE b (y INTEGER);'];
    expect(migrate(db, steps.slice(0, 1))).toEqual({ kind: 'migrated', from: 0, to: 1 });
    expect(migrate(db, steps)).toEqual({ kind: 'migrated', from: 1, to: 2 });
    expect(migrate(db, steps)).toEqual({ kind: 'current', version: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('rolls back a migration that fails halfway, leaving the version where it was', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, ['CREATE TABLE a (x INTEGER); CREATE TABLE a (x INTEGER);'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database written by a newer skiff, and leaves it untouched', () => {
    const stateDir = tempStateDir();
    const raw = new Database(join(stateDir, HISTORY_DB_FILE));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openHistoryStore({ stateDir })).toThrow(HistoryStoreError);
    expect(() => openHistoryStore({ stateDir })).toThrow(/newer than this skiff knows/);
    const again = new Database(join(stateDir, HISTORY_DB_FILE));
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    again.close();
  });

  it('sets a corrupt database aside and starts a new one, with a warning: history is not the source of truth', () => {
    const stateDir = tempStateDir();
    writeFileSync(
      join(stateDir, HISTORY_DB_FILE),
      'this is not a sqlite database, just garbage '.repeat(200),
    );
    const warnings: string[] = [];
    const store = track(openHistoryStore({ stateDir, now: T0, onWarning: (m) => warnings.push(m) }));
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    expect(warnings).toEqual([expect.stringContaining(`history.db.corrupt-${T0}`)]);
    expect(readdirSync(stateDir)).toContain(`${HISTORY_DB_FILE}.corrupt-${T0}`);
    store.recordEvent({
      type: 'Normal',
      reason: 'Started',
      object: 'pod/p',
      namespace: 'default',
      message: 'ok',
      at: T0,
    });
    expect(store.listEvents({ limit: 5 })).toHaveLength(1);
  });

  it('opens read-only for the CLI: reads what the writer recorded, and says so when there is no history yet', () => {
    const stateDir = tempStateDir();
    expect(() => openHistoryStore({ stateDir, readonly: true })).toThrow(/no history database yet/);
    expect(existsSync(join(stateDir, HISTORY_DB_FILE))).toBe(false);
    const writer = track(openHistoryStore({ stateDir }));
    writer.recordSync({
      app: 'shop',
      commit: 'c1',
      startedAt: T0,
      finishedAt: T0 + 5,
      result: 'Synced',
      actions: {},
    });
    const reader = track(openHistoryStore({ stateDir, readonly: true }));
    expect(reader.lastSync('shop')?.commit).toBe('c1');
    // The writer goes on while the reader is open (WAL): the reader sees the new row.
    writer.recordSync({
      app: 'shop',
      commit: 'c2',
      startedAt: T0 + 10,
      finishedAt: T0 + 15,
      result: 'Synced',
      actions: {},
    });
    expect(reader.lastSync('shop')?.commit).toBe('c2');
    expect(() =>
      reader.recordSync({
        app: 'shop',
        commit: 'c3',
        startedAt: T0,
        finishedAt: T0,
        result: 'Synced',
        actions: {},
      }),
    ).toThrow(/readonly/);
  });

  it('opens read-only a database the writer closed (no -wal/-shm files left)', () => {
    const stateDir = tempStateDir();
    const writer = openHistoryStore({ stateDir });
    writer.setAppStatus('shop', { sync: 'Synced' }, T0);
    writer.close();
    const reader = track(openHistoryStore({ stateDir, readonly: true }));
    expect(reader.appStatus('shop')?.status).toEqual({ sync: 'Synced' });
  });

  it('caps the syncs table, pruning once it is the slack over its cap, and on demand', () => {
    const store = track(
      openHistoryStore({ stateDir: tempStateDir(), retention: { maxSyncs: 3 }, pruneSlack: 2 }),
    );
    const write = (i: number) =>
      store.recordSync({
        app: 'shop',
        commit: `c${i}`,
        startedAt: T0 + i,
        finishedAt: T0 + i,
        result: 'Synced',
        actions: {},
      });
    for (let i = 0; i < 4; i++) write(i);
    expect(store.listSyncs({ limit: 100 })).toHaveLength(4);
    write(4);
    // 5 rows = cap 3 + slack 2: pruned down to the cap.
    expect(store.listSyncs({ limit: 100 }).map((s) => s.commit)).toEqual(['c4', 'c3', 'c2']);
    write(5);
    expect(store.listSyncs({ limit: 100 })).toHaveLength(4);
    expect(store.prune()).toEqual({
      syncs: 1,
      events: 0,
      hpaDecisions: 0,
      hpaSamples: 0,
      audit: 0,
      notifications: 0,
    });
    expect(store.listSyncs({ limit: 100 }).map((s) => s.commit)).toEqual(['c5', 'c4', 'c3']);
  });

  it('does not count folded repeats as rows', () => {
    const store = track(
      openHistoryStore({ stateDir: tempStateDir(), retention: { maxSyncs: 2 }, pruneSlack: 1 }),
    );
    store.recordSync({
      app: 'shop',
      commit: 'c1',
      startedAt: T0,
      finishedAt: T0,
      result: 'Synced',
      actions: {},
    });
    for (let i = 1; i <= 5; i++) {
      store.recordSync({
        app: 'shop',
        commit: 'c1',
        startedAt: T0 + i,
        finishedAt: T0 + i,
        result: 'NoOp',
        actions: {},
      });
    }
    expect(store.listSyncs({ limit: 100 }).map((s) => [s.result, s.passes])).toEqual([
      ['NoOp', 5],
      ['Synced', 1],
    ]);
  });

  it('prunes on open, so a lowered retention takes effect at once', () => {
    const stateDir = tempStateDir();
    const first = openHistoryStore({ stateDir });
    for (let i = 0; i < 5; i++) {
      first.recordEvent({
        type: 'Normal',
        reason: 'Started',
        object: 'pod/p',
        namespace: 'default',
        message: `m${i}`,
        at: T0 + i,
      });
    }
    first.close();
    const second = track(openHistoryStore({ stateDir, retention: { maxEvents: 2 } }));
    expect(second.listEvents({ limit: 10 }).map((e) => e.message)).toEqual(['m4', 'm3']);
  });
});

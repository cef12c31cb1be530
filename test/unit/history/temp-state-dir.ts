// A fresh temporary state directory per test, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
  type HistoryStore,
  type OpenHistoryStoreOptions,
  openHistoryStore,
} from '../../../src/history/history-store.js';

const dirs: string[] = [];
const stores: HistoryStore[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-state-'));
  dirs.push(dir);
  return dir;
}

/** A real SQLite history store in a fresh temp state directory, closed after the test. */
export function tempHistoryStore(opts: Partial<OpenHistoryStoreOptions> = {}): HistoryStore {
  const store = openHistoryStore({ stateDir: tempStateDir(), ...opts });
  stores.push(store);
  return store;
}

export function track(store: HistoryStore): HistoryStore {
  stores.push(store);
  return store;
}

// The hosts skiff has been given, kept in the state directory with their connection details,
// so that a host removed from skiff.yaml (the daemon restarted with a new config) is still
// reached until its pods are drained off it (reconcile/host-removal.ts). Shell (files).
// Invariants: the file is written atomically and private (0600); it holds what skiff.yaml
// held for each host (addresses, key file paths, never a key or a password); a file skiff
// cannot read as an inventory is an error with a hint, never read as empty (that would
// abandon a removed host's pods unmanaged).
import { join } from 'node:path';
import type { HostConfig } from '../config/cluster-config.js';
import { SkiffError } from '../model/errors.js';
import type { HostRemoval } from '../reconcile/pass-types.js';
import { readJsonList } from './json-list-file.js';
import { writeFileAtomic } from './private-files.js';

export const INVENTORY_FILE = 'hosts.json';

interface InventoryEntry {
  config: HostConfig;
  /** ms since epoch when skiff found the host gone from skiff.yaml (absent: in it). */
  removedSince?: number;
}

/** A host gone from skiff.yaml that skiff still reaches, with its connection details. */
export interface RetiringHost extends HostRemoval {
  config: HostConfig;
}

/** Why `skiff drain`/`uncordon` (CLI or API) refuses a host being removed: its removal is a
 *  drain skiff runs itself, until it forgets the host. */
export function removingHostRefusal(host: string): { message: string; hint: string } {
  return {
    message: `host/${host} is being removed from skiff.yaml: skiff drains it itself`,
    hint: 'see `skiff hosts`; put it back in skiff.yaml to keep it',
  };
}

function isEntry(v: unknown): v is InventoryEntry {
  const e = v as InventoryEntry;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof e.config === 'object' &&
    e.config !== null &&
    typeof e.config.name === 'string' &&
    (e.config.kind === 'ssh' || e.config.kind === 'local') &&
    (e.removedSince === undefined || typeof e.removedSince === 'number')
  );
}

export class HostInventory {
  private readonly path: string;
  private entries: InventoryEntry[];

  constructor(stateDir: string) {
    this.path = join(stateDir, INVENTORY_FILE);
    this.entries = this.read();
  }

  private read(): InventoryEntry[] {
    return readJsonList(
      this.path,
      'hosts',
      isEntry,
      () =>
        new SkiffError('inventory.state', `${this.path} is not skiff's host inventory`, {
          hint: `fix it, or remove it to forget the hosts removed from skiff.yaml (their pods then run unmanaged) (${INVENTORY_FILE} holds {"hosts": [{"config", "removedSince"?}]})`,
        }),
    );
  }

  /** Whether `host` is gone from skiff.yaml and still being drained. */
  isRemoving(host: string): boolean {
    return this.entries.some((e) => e.config.name === host && e.removedSince !== undefined);
  }

  /** The hosts gone from skiff.yaml that skiff still drains, in name order. */
  retiring(): RetiringHost[] {
    return this.entries.flatMap((e) =>
      e.removedSince === undefined ? [] : [{ host: e.config.name, since: e.removedSince, config: e.config }],
    );
  }

  /** What the inventory becomes under `hosts` (skiff.yaml's): each is kept with its current
   *  details (a host back in skiff.yaml is no longer being removed), each known host missing
   *  from it is being removed since it was first found missing. Nothing is written. */
  planned(hosts: readonly HostConfig[], now: number): InventoryEntry[] {
    const listed = new Set(hosts.map((h) => h.name));
    const gone = this.entries
      .filter((e) => !listed.has(e.config.name))
      .map((e) => ({ config: e.config, removedSince: e.removedSince ?? now }));
    return [...hosts.map((config) => ({ config })), ...gone];
  }

  /** Takes skiff.yaml's hosts in (written unless `dryRun`), and returns those being removed. */
  update(hosts: readonly HostConfig[], now: number, dryRun: boolean): RetiringHost[] {
    const next = this.planned(hosts, now);
    if (dryRun) this.entries = sortEntries(next);
    else this.save(next);
    return this.retiring();
  }

  /** Stops remembering a removed host (drained and forgotten). */
  forget(host: string, dryRun = false): void {
    const next = this.entries.filter((e) => e.config.name !== host || e.removedSince === undefined);
    if (next.length === this.entries.length) return;
    if (dryRun) this.entries = next;
    else this.save(next);
  }

  private save(entries: InventoryEntry[]): void {
    const sorted = sortEntries(entries);
    writeFileAtomic(this.path, `${JSON.stringify({ hosts: sorted }, null, 2)}\n`);
    this.entries = sorted;
  }
}

const sortEntries = (entries: InventoryEntry[]): InventoryEntry[] =>
  [...entries].sort((a, b) => (a.config.name < b.config.name ? -1 : a.config.name > b.config.name ? 1 : 0));

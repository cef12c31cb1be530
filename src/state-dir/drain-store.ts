// The hosts being drained (`skiff drain`), kept in the state directory so that a restarted
// daemon goes on with a drain it had begun, and `skiff uncordon` ends it. Shell (files).
// Invariants: the file is written atomically and private (0600); a file skiff cannot read as
// a list of drains is an error with a hint, never read as "no drains" (that would uncordon
// every host silently).
import { join } from 'node:path';
import { SkiffError } from '../model/errors.js';
import type { DrainRequest } from '../reconcile/pass-types.js';
import { readJsonList } from './json-list-file.js';
import { writeFileAtomic } from './private-files.js';

export const DRAINS_FILE = 'drains.json';

function isDrain(v: unknown): v is DrainRequest {
  const d = v as DrainRequest;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof d.host === 'string' &&
    typeof d.force === 'boolean' &&
    typeof d.since === 'number'
  );
}

export class DrainStore {
  private readonly path: string;
  private drains: DrainRequest[];

  constructor(stateDir: string) {
    this.path = join(stateDir, DRAINS_FILE);
    this.drains = this.read();
  }

  private read(): DrainRequest[] {
    return readJsonList(
      this.path,
      'drains',
      isDrain,
      () =>
        new SkiffError('drain.state', `${this.path} is not a list of drains`, {
          hint: `fix it, or remove it to uncordon every host (${DRAINS_FILE} holds {"drains": [{"host", "force", "since"}]})`,
        }),
    );
  }

  list(): DrainRequest[] {
    return [...this.drains];
  }

  get(host: string): DrainRequest | undefined {
    return this.drains.find((d) => d.host === host);
  }

  /** Starts (or updates the force of) the drain of `host`; its start time is kept. */
  drain(host: string, force: boolean, now: number): DrainRequest {
    const since = this.get(host)?.since ?? now;
    const d = { host, force, since };
    this.save([...this.drains.filter((x) => x.host !== host), d]);
    return d;
  }

  /** Ends the drain of `host`; false when it was not being drained. */
  uncordon(host: string): boolean {
    if (!this.get(host)) return false;
    this.save(this.drains.filter((d) => d.host !== host));
    return true;
  }

  private save(drains: DrainRequest[]): void {
    const sorted = [...drains].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    writeFileAtomic(this.path, `${JSON.stringify({ drains: sorted }, null, 2)}\n`);
    this.drains = sorted;
  }
}

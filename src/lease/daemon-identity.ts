// A daemon's stable identity, used as the holder of host leases: the same daemon (same
// machine, same state directory) gets the same id across restarts, so it recognises its own
// leases; a copy of the state directory on another machine or path gets a different one, so two
// daemons never mistake each other for themselves. Shell code (reads and writes the state dir).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { createFileExclusive, ensurePrivateDir } from '../state-dir/private-files.js';

export const DAEMON_ID_SEED_FILE = 'daemon-id';

export interface DaemonIdentity {
  /** Plain holder id: `<host>-<12 hex>`. */
  id: string;
  /** For humans reading "standby: hosts leased by ...": `<host> pid <pid> <stateDir>`. */
  description: string;
}

function readOrCreateSeed(stateDir: string): string {
  const path = join(stateDir, DAEMON_ID_SEED_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const seed = randomBytes(16).toString('hex');
  // Written by someone else meanwhile: theirs wins.
  return createFileExclusive(path, `${seed}\n`) ? seed : readFileSync(path, 'utf8').trim();
}

/** The identity of a daemon on this machine for this state directory. */
export function readDaemonIdentity(stateDir: string, host: string = osHostname()): DaemonIdentity {
  ensurePrivateDir(stateDir);
  const realDir = realpathSync(stateDir);
  const seed = readOrCreateSeed(realDir);
  const digest = createHash('sha256').update(`${host}\0${realDir}\0${seed}`).digest('hex').slice(0, 12);
  const plainHost = host.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64) || 'host';
  return { id: `${plainHost}-${digest}`, description: `${host} pid ${process.pid} ${realDir}` };
}

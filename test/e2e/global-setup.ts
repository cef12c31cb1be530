// Global setup of the e2e project: brings the real testbed up once for the whole run, gives
// its status to the tests (`inject('testbed')`, or the JSON file named by
// SKIFF_TESTBED_STATUS), and tears it down at the end. If the testbed cannot start, setup
// throws with the reason: the run fails, no test is silently skipped.
//
// SKIFF_TESTBED_KEEP=1 reuses a running testbed and leaves it up afterwards (fast iteration).
// Without it, a testbed this run built is torn down, and the teardown fails the run if
// anything is left behind; a testbed that was already up before the run is reused and left
// up, since someone else is using it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { TESTBED_DIR } from '../../scripts/testbed/layout.js';
import { down, leftovers, status, up } from '../../scripts/testbed/lifecycle.js';
import { STATUS_FILE_ENV } from '../support/testbed.js';

const log = (line: string): void => {
  process.stderr.write(`[testbed] ${line}\n`);
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const keep = process.env.SKIFF_TESTBED_KEEP === '1';
  const before = await status().catch(() => undefined);
  const reused = before?.up === true;
  const started = Date.now();
  const current = await up({ hostCount: 3, log });
  if (!current.up) {
    throw new Error(`the testbed did not come up: ${current.problems?.join('; ') ?? 'unknown reason'}`);
  }
  if (!reused) log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const statusFile = join(TESTBED_DIR, 'status.json');
  writeFileSync(statusFile, `${JSON.stringify(current, null, 2)}\n`);
  process.env[STATUS_FILE_ENV] = statusFile;
  project.provide('testbed', current);

  return async () => {
    if (keep || reused) {
      log(
        keep
          ? 'SKIFF_TESTBED_KEEP=1: leaving the testbed up'
          : 'the testbed was up before this run: leaving it up',
      );
      return;
    }
    await down(log);
    const left = await leftovers();
    if (left.length > 0) throw new Error(`testbed down left things behind: ${left.join('; ')}`);
  };
}

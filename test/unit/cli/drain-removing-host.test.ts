// `skiff drain HOST` and `skiff uncordon HOST` on a host being removed from skiff.yaml (the
// state directory's inventory): one line saying skiff drains it itself, exit 1, no stack and no
// daemon asked; a host neither in skiff.yaml nor being removed keeps today's answer. The real
// commands, a real skiff.yaml and state directory in a temp folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDrain, registerUncordon } from '../../../src/cli/commands/drain.js';
import { failureExit } from '../../../src/cli/failure-exit.js';
import type { HostConfig } from '../../../src/config/cluster-config.js';
import { HostInventory } from '../../../src/state-dir/host-inventory.js';
import { tempStateDir } from '../history/temp-state-dir.js';

/** skiff.yaml lists h2; h1 was in it and is being removed (hosts.json says so). */
function workdir(): string {
  const dir = tempStateDir();
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true });
  writeFileSync(
    join(dir, 'skiff.yaml'),
    `hosts:\n  - name: h2\n    kind: local\n    dockerSocket: ${dir}/no-docker.sock\ndaemon:\n  stateDir: ${JSON.stringify(state)}\napps: []\n`,
  );
  const host = (name: string) => ({ name, kind: 'local', dataDir: `/var/lib/${name}` }) as HostConfig;
  const inventory = new HostInventory(state);
  inventory.update([host('h1'), host('h2')], 1, false);
  inventory.update([host('h2')], 2, false);
  return dir;
}

async function run(dir: string, args: string[]) {
  const program = new Command('skiff').exitOverride();
  registerDrain(program);
  registerUncordon(program);
  const err = await program
    .parseAsync([...args, '--config', join(dir, 'skiff.yaml')], { from: 'user' })
    .then(() => undefined)
    .catch((e: unknown) => e);
  return failureExit(err);
}

describe('drain and uncordon of a host being removed from skiff.yaml', () => {
  it.each([['drain'], ['uncordon']])('skiff %s h1: skiff drains it itself, exit 1', async (command) => {
    const exit = await run(workdir(), [command, 'h1']);
    expect(exit.code).toBe(1);
    expect(exit.text).toBe(
      'error: host/h1 is being removed from skiff.yaml: skiff drains it itself\n' +
        'hint: see `skiff hosts`; put it back in skiff.yaml to keep it\n',
    );
  });

  it.each([['drain'], ['uncordon']])('skiff %s h9 (unknown): today’s answer', async (command) => {
    const exit = await run(workdir(), [command, 'h9']);
    expect(exit.code).toBe(1);
    expect(exit.text).toBe('error: host "h9" is not in the inventory\nhint: the hosts of skiff.yaml: h2\n');
  });
});

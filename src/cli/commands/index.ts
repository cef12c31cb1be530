// One line per command: each module adds its subcommand to the program.
import type { Command } from 'commander';
import { registerDelete } from './delete.js';
import { registerDescribe } from './describe.js';
import { registerDiff } from './diff.js';
import { registerGet } from './get.js';
import { registerHistory } from './history.js';
import { registerHosts } from './hosts.js';
import { registerLogs } from './logs.js';
import { registerPlan } from './plan.js';
import { registerRollout } from './rollout.js';
import { registerRun } from './run.js';
import { registerScale } from './scale.js';
import { registerSet } from './set.js';
import { registerStatus } from './status.js';
import { registerSync } from './sync.js';
import { registerToken } from './token.js';
import { registerTop } from './top.js';
import { registerValidate } from './validate.js';

export function registerCommands(program: Command): void {
  registerValidate(program);
  registerRun(program);
  registerSync(program);
  registerStatus(program);
  registerGet(program);
  registerDescribe(program);
  registerDelete(program);
  registerLogs(program);
  registerHistory(program);
  registerHosts(program);
  registerDiff(program);
  registerPlan(program);
  registerScale(program);
  registerSet(program);
  registerRollout(program);
  registerTop(program);
  registerToken(program);
}

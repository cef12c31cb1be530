// One line per command: each module adds its subcommand to the program.
import type { Command } from 'commander';
import { registerValidate } from './validate.js';

export function registerCommands(program: Command): void {
  registerValidate(program);
}

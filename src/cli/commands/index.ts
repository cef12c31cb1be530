// One line per command: each module adds its subcommand to the program.
import type { Command } from 'commander';

export function registerCommands(_program: Command): void {}

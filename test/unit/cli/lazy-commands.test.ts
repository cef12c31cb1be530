// Commands load lazily (src/cli/commands/index.ts): the root help lists them from a table, so
// the table must say what each command's own registration says; and a command line loads
// exactly the command it names.
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandNamed, registerCommands } from '../../../src/cli/commands/index.js';

describe('the lazy command table', () => {
  it('matches every real registration (name, order, root help line, description)', async () => {
    const program = new Command('skiff');
    await registerCommands(program);
    const help = new Help();
    const real = program.commands.map((c) => [c.name(), help.subcommandTerm(c), c.description()]);
    const table = Object.entries(COMMANDS).map(([name, e]) => [name, e.term, e.description]);
    expect(table).toEqual(real);
  }, 60_000); // loads every command module (and Docker, SSH, git...) through vite

  it.each([
    [['--version'], undefined],
    [['--help'], undefined],
    [[], undefined],
    [['validate', 'examples/repo'], 'validate'],
    [['get', 'pods', '-o', 'json'], 'get'],
    [['help', 'rollout'], 'rollout'],
    [['help'], undefined],
    [['--help', 'plan'], 'plan'],
    [['nope'], undefined],
    [['rollout', 'status', 'web'], 'rollout'],
  ])('%j names %s', (argv, name) => {
    expect(commandNamed(argv)).toBe(name);
  });
});

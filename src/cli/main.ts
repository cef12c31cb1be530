// The `skiff` command line: a thin shell over the core. Each command lives in its own file
// under commands/ and registers itself here. Exit codes follow kubectl/argocd habits:
// 0 success, 1 a finding (invalid manifest, failed sync), 2 wrong usage.
import { Command, CommanderError } from 'commander';
import { SkiffError, UsageError } from '../model/errors.js';
import { registerCommands } from './commands/index.js';
import { renderBug, renderError } from './views/errors.js';
import { terminalBlock } from './views/terminal-text.js';

export const EXIT = { ok: 0, finding: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('skiff')
    .description(
      'Declarative GitOps for plain Docker hosts: Kubernetes manifests in Git, containers over SSH',
    )
    .version('0.1.0')
    .showHelpAfterError()
    // commander echoes arguments in its errors: shown escaped, as every other output
    .configureOutput({ writeErr: (s) => process.stderr.write(terminalBlock(s)) })
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      if (err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof SkiffError) {
      process.stderr.write(renderError(err));
      return err instanceof UsageError ? EXIT.usage : EXIT.finding;
    }
    process.stderr.write(renderBug(err));
    return 70;
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);

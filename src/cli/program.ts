// The `skiff` command line: a thin shell over the core (main.ts and the bundle's entry run it). Each command lives in its own file
// under commands/ and registers itself here. Exit codes follow kubectl/argocd habits:
// 0 success, 1 a finding (invalid manifest, failed sync), 2 wrong usage.
// Which failure exits how is decided in failure-exit.ts alone. Only the command a line names
// is loaded (commands/index.ts): `skiff --version` and `skiff --help` load no Docker, SSH, git,
// SQLite, ajv or schema.
import type { ValidateFunction } from 'ajv';
import { Command } from 'commander';
import { terminalBlock } from '../diff/terminal-text.js';
import { commandNamed, registerCommandsFor } from './commands/index.js';
import { EXIT, failureExit } from './failure-exit.js';
import { SKIFF_VERSION } from './version.js';

export { EXIT };

export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('skiff')
    .description(
      'Declarative GitOps for plain Docker hosts: Kubernetes manifests in Git, containers over SSH',
    )
    .version(SKIFF_VERSION)
    .showHelpAfterError()
    // commander echoes arguments in its errors: shown escaped, as every other output
    .configureOutput({ writeErr: (s) => process.stderr.write(terminalBlock(s)) })
    .exitOverride();
  await registerCommandsFor(program, argv);
  return program;
}

export type LoadValidators = () => Map<string, ValidateFunction> | undefined;

/** A command (any may validate manifests) gets the validators generated at build time: the
 *  bundle's own (`load`), or those beside dist/'s compiled code. */
async function installValidators(argv: readonly string[], load?: LoadValidators): Promise<void> {
  if (commandNamed(argv) === undefined) return;
  const { usePrecompiledValidators } = await import('../manifest/schema-source.js');
  usePrecompiledValidators(load ?? (await import('./precompiled-schemas.js')).loadPrecompiledValidators);
}

export async function main(argv: string[], loadValidators?: LoadValidators): Promise<number> {
  try {
    await installValidators(argv, loadValidators);
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    const exit = failureExit(err);
    process.stderr.write(exit.text);
    // `plan --exit-code` answers 2 for "changes": a usage error caught before it ran is 1 there.
    const detailed = argv[0] === 'plan' && argv.includes('--exit-code');
    return detailed && exit.code === EXIT.usage ? EXIT.finding : exit.code;
  }
}

// Runs many `skiff` command lines in ONE process (a node start with tsx costs seconds each), as
// src/cli/main.ts would: the same commands, the same error wording. Each command's stdout and
// stderr writes are captured apart; what bypasses process.stdout/stderr (pino writes to fd 2)
// reaches this process's real stderr, which the caller checks as a whole.
// Usage: node --import tsx run-commands.ts COMMANDS.json RESULTS.json (cwd: where to run).
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands } from '../../../src/cli/commands/index.js';
import { SkiffError, UsageError } from '../../../src/model/errors.js';

export interface CommandResult {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

type Write = typeof process.stdout.write;

async function runOne(args: string[]): Promise<CommandResult> {
  const out = { stdout: '', stderr: '' };
  const [stdoutWrite, stderrWrite] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: unknown) => {
    out.stdout += String(chunk);
    return true;
  }) as Write;
  process.stderr.write = ((chunk: unknown) => {
    out.stderr += String(chunk);
    return true;
  }) as Write;
  process.exitCode = 0;
  let code: number;
  try {
    const program = new Command('skiff').exitOverride();
    await registerCommands(program);
    await program.parseAsync(args, { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const known = err instanceof SkiffError;
    if (known) process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    else if (!(err instanceof CommanderError))
      process.stderr.write(
        `skiff: this is a bug, please report it:\n${(err as Error)?.stack ?? String(err)}\n`,
      );
    code = err instanceof CommanderError || err instanceof UsageError ? 2 : known ? 1 : 70;
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { args, code, ...out };
}

const [listFile, resultFile] = process.argv.slice(2);
const list = JSON.parse(readFileSync(listFile!, 'utf8')) as string[][];
const results: CommandResult[] = [];
for (const args of list) results.push(await runOne(args));
writeFileSync(resultFile!, JSON.stringify(results));
process.exit(0);

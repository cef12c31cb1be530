// Output format flags shared by the commands that print data (`-o text|wide|json`), and the one
// way a command writes text: through `printText`/`printErrorText`, which show any control
// character a renderer let through as an escape (terminal-text.ts), so no value printed by skiff
// can move the cursor, recolour, or rewrite a line of the user's terminal.

import { terminalBlock, terminalJson, terminalText } from '../diff/terminal-text.js';
import { UsageError } from '../model/errors.js';

export type OutputFormat = 'text' | 'wide' | 'json';

export function outputFormat(
  o: string | undefined,
  allowed: readonly OutputFormat[] = ['text', 'json'],
): OutputFormat {
  const f = (o ?? 'text') as OutputFormat;
  if (!allowed.includes(f))
    throw new UsageError(`unknown output format "${o}"`, `use one of: ${allowed.join(', ')}`);
  return f;
}

/** JSON for machines; DEL, C1 and bidi controls written as \uXXXX (the same value, parsed). */
export function printJson(value: unknown): void {
  process.stdout.write(`${terminalJson(JSON.stringify(value, null, 2))}\n`);
}

/** Rendered text to stdout. `color`: the renderer added SGR colour sequences on purpose. */
export function printText(text: string, opts: { color?: boolean } = {}): void {
  process.stdout.write(terminalBlock(text, { sgr: opts.color }));
}

/** Rendered text to stderr (warnings, progress, findings). */
export function printErrorText(text: string): void {
  process.stderr.write(terminalBlock(text));
}

/** One line to stdout built from values: any newline or control in it is shown escaped. */
export function printLine(line: string): void {
  process.stdout.write(`${terminalText(line)}\n`);
}

/** One line to stderr built from values (a warning, a finding, a failure). */
export function printErrorLine(line: string): void {
  process.stderr.write(`${terminalText(line)}\n`);
}

// Output format flags shared by the commands that print data (`-o text|wide|json`), and the one
// way a command writes text: through `printText`/`printErrorText`, which show any control
// character a renderer let through as an escape (terminal-text.ts), so no value printed by skiff
// can move the cursor, recolour, or rewrite a line of the user's terminal.

import { terminalBlock, terminalJson, terminalText } from '../diff/terminal-text.js';
import { UsageError } from '../model/errors.js';
import type { KubeFormat } from './views/kube-print.js';

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

/** `skiff get`'s `-o`: the tables, skiff's own view (`skiff-json`), or kubectl's printers. */
export type GetOutput = { kind: 'text' } | { kind: 'wide' } | { kind: 'skiff-json' } | KubeFormat;

const GET_FORMATS = 'text, wide, json, yaml, name, jsonpath=TEMPLATE, skiff-json';

export function getOutputFormat(o: string | undefined): GetOutput {
  const f = o ?? 'text';
  const eq = f.indexOf('=');
  if (eq >= 0 && f.slice(0, eq) === 'jsonpath') {
    let template = f.slice(eq + 1);
    // `-o "jsonpath='{...}'"`: the quotes a shell would have taken off, taken off here.
    if (template.length >= 2 && template.startsWith("'") && template.endsWith("'"))
      template = template.slice(1, -1);
    if (template === '')
      throw new UsageError(
        'template format specified but no template given',
        "e.g. -o jsonpath='{.items[*].metadata.name}'",
      );
    return { kind: 'jsonpath', template };
  }
  if (f === 'jsonpath')
    throw new UsageError(
      'template format specified but no template given',
      "e.g. -o jsonpath='{.items[*].metadata.name}'",
    );
  const kinds = ['text', 'wide', 'json', 'yaml', 'name', 'skiff-json'] as const;
  const kind = kinds.find((k) => k === f);
  if (!kind)
    throw new UsageError(
      `unable to match a printer suitable for the output format "${f}"`,
      `use one of: ${GET_FORMATS}`,
    );
  return { kind } as GetOutput;
}

/** Text already formatted as JSON (kubectl's layout), made terminal-safe as printJson does. */
export function printJsonText(json: string): void {
  process.stdout.write(terminalJson(json));
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

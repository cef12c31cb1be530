// How the CLI prints an error it caught (main.ts): pure, values in, text out.

import { terminalBlock, terminalText } from '../../diff/terminal-text.js';
import type { Diagnostic } from '../../model/diagnostics.js';
import type { SkiffError } from '../../model/errors.js';
import { renderDiagnosticLine } from './diagnostics.js';

/** How the CLI prints an error: `error: MESSAGE` on one line (a value's newline or ESC is shown
 *  escaped), the findings of an error that carries them one per line, then `hint: HINT`. */
export function renderError(err: SkiffError): string {
  const diagnostics = (err as SkiffError & { diagnostics?: Diagnostic[] }).diagnostics;
  const lines = Array.isArray(diagnostics)
    ? [
        `error: ${terminalText(err.message.split('\n', 1)[0]!)}`,
        ...diagnostics.map((d) => `  ${renderDiagnosticLine(d)}`),
      ]
    : [`error: ${terminalText(err.message)}`];
  if (err.hint) lines.push(`hint: ${terminalText(err.hint)}`);
  return `${lines.join('\n')}\n`;
}

/** An unexpected error: its stack, controls shown escaped. */
export function renderBug(err: unknown): string {
  const text = err instanceof Error && err.stack ? err.stack : String(err);
  return `skiff: this is a bug, please report it:\n${terminalBlock(text)}\n`;
}

// A finding (src/model/diagnostics.ts) on one terminal line: `file:line:col path: message [code]`
// with every control character of the file name, path or message shown escaped. Pure.

import { terminalText } from '../../diff/terminal-text.js';
import { type Diagnostic, formatDiagnostic } from '../../model/diagnostics.js';

export function renderDiagnosticLine(d: Diagnostic): string {
  return terminalText(formatDiagnostic(d));
}

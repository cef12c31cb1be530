// kubectl's two text layouts: `get` tables and `describe` blocks. Pure.
// `get`: cli-runtime's printers.GetNewTabWriter, tabwriter(minwidth 6, padding 3): columns at
// least 6 wide and 3 spaces apart, header in upper case, the last column unpadded.
// `describe`: kubectl's describe tabwriter(minwidth 0, padding 2) behind a PrefixWriter that
// indents each level by two spaces.

import { terminalText } from '../../diff/terminal-text.js';
import { formatTabbed, TabWriter } from './tabwriter.js';

export const GET_TABLE = { minWidth: 6, padding: 3 } as const;
export const DESCRIBE = { minWidth: 0, padding: 2 } as const;

/** A cell holds no control character: a tab would split it, a newline forge a row, an ESC
 *  recolour the terminal. Each is shown escaped (`\t`, `\n`, `\x1b`): see terminal-text.ts. */
function cell(s: string): string {
  return terminalText(s);
}

/** A `kubectl get` table. Headers are upper-cased as kubectl does. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [headers.map((h) => cell(h.toUpperCase())), ...rows.map((r) => r.map(cell))];
  return formatTabbed(`${lines.map((l) => l.join('\t')).join('\n')}\n`, GET_TABLE);
}

export type Level = 0 | 1 | 2 | 3;

/** kubectl describe's PrefixWriter: each level indents by two spaces; tabs align columns over
 *  runs of consecutive lines; `flush()` starts a new alignment region (kubectl flushes before
 *  the Events table). */
export class DescribeWriter {
  private readonly tw = new TabWriter(DESCRIBE);

  /** Text the view wrote itself (tabs and newlines are layout): never pass a value here. */
  write(level: Level, text: string): this {
    this.tw.write(`${'  '.repeat(level)}${text}`);
    return this;
  }

  /** One line of cells; each cell is escaped (terminal-text.ts), so a value cannot add a line. */
  line(level: Level, ...cells: string[]): this {
    return this.write(level, `${cells.map(cell).join('\t')}\n`);
  }

  flush(): this {
    this.tw.flush();
    return this;
  }

  toString(): string {
    return this.tw.toString();
  }
}

/** kubectl's `<none>` for an empty value. */
export function orNone(s: string | undefined): string {
  return s === undefined || s === '' ? '<none>' : s;
}

/** Labels as `get` prints them: `a=b,c=d`, sorted by key. */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return orNone(keys.map((k) => `${k}=${labels[k]}`).join(','));
}

/** printLabelsMultiline: first label beside the title, the others below it, aligned. */
export function writeLabelsMultiline(w: DescribeWriter, title: string, labels: Record<string, string>): void {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) {
    w.line(0, `${title}:`, '<none>');
    return;
  }
  keys.forEach((k, i) => {
    w.line(0, i === 0 ? `${title}:` : '', `${k}=${labels[k]}`);
  });
}

// Elastic tabstops, ported from Go's text/tabwriter (the formatter behind every kubectl table
// and `kubectl describe`), restricted to what kubectl uses: space padding, left alignment, no
// flags. Pure.
// Semantics kept from Go (src/text/tabwriter/tabwriter.go, Writer.format): text is cells
// terminated by '\t'; the last cell of a line is not part of any column; a column block is a run
// of consecutive lines that have a cell in that column, and each block gets its own width
// = max(minWidth, widest cell + padding). Widths count Unicode code points, as Go counts runes.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Formats text whose cells are separated by tabs, as one Go tabwriter would between flushes. */
export function formatTabbed(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i]!;
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        if (j < widths.length) s += ' '.repeat(Math.max(0, widths[j]! - width(cell)));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current]!.length - 1) continue;
      // A cell exists in this column: print what precedes the block, then size the block.
      writeLines(line0, current);
      line0 = current;
      let w = opts.minWidth;
      for (; current < line1; current++) {
        const cells = lines[current]!;
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]!) + opts.padding);
      }
      widths.push(w);
      format(line0, current);
      widths.pop();
      line0 = current;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}

/** A buffer of tab-separated text with explicit flush points, formatted on `toString()`. */
export class TabWriter {
  private readonly parts: string[] = [];
  private pending = '';

  constructor(private readonly opts: TabwriterOptions) {}

  write(text: string): this {
    this.pending += text;
    return this;
  }

  /** Ends a formatting region: later lines do not influence earlier column widths. */
  flush(): this {
    if (this.pending !== '') this.parts.push(formatTabbed(this.pending, this.opts));
    this.pending = '';
    return this;
  }

  toString(): string {
    this.flush();
    return this.parts.join('');
  }
}

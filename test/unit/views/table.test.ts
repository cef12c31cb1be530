import { describe, expect, it } from 'vitest';
import {
  DescribeWriter,
  formatLabels,
  renderTable,
  writeLabelsMultiline,
} from '../../../src/cli/views/table.js';
import { formatTabbed } from '../../../src/cli/views/tabwriter.js';
import { formatLabelSelector } from '../../../src/diff/format-selector.js';

describe('formatTabbed (Go text/tabwriter semantics)', () => {
  it.each([
    {
      name: 'columns sized by the widest cell plus padding; last cell unpadded',
      text: 'a\tbbb\tc\naaaa\tb\tc\n',
      opts: { minWidth: 0, padding: 2 },
      out: 'a     bbb  c\naaaa  b    c\n',
    },
    {
      name: 'minimum width',
      text: 'a\tb\n',
      opts: { minWidth: 6, padding: 3 },
      out: 'a     b\n',
    },
    {
      name: 'a line without tabs ends the column block',
      text: 'Name:\tx\nContainers:\n  Image:\tlong-image\n  Ready:\tTrue\n',
      opts: { minWidth: 0, padding: 2 },
      out: 'Name:  x\nContainers:\n  Image:  long-image\n  Ready:  True\n',
    },
    {
      name: 'lines with fewer cells end inner blocks only',
      text: 'a\tb\tc\naa\tb\nxxx\tyyyy\tz\n',
      opts: { minWidth: 0, padding: 1 },
      out: 'a   b c\naa  b\nxxx yyyy z\n',
    },
    {
      name: 'widths count code points',
      text: 'ä\tx\nab\ty\n',
      opts: { minWidth: 0, padding: 1 },
      out: 'ä  x\nab y\n',
    },
  ])('$name', ({ text, opts, out }) => {
    expect(formatTabbed(text, opts)).toBe(out);
  });
});

describe('renderTable (kubectl get)', () => {
  it('pads columns to at least 6 and 3 spaces apart, headers upper-cased', () => {
    expect(
      renderTable(
        ['name', 'ready', 'status'],
        [
          ['web-1', '1/1', 'Running'],
          ['a', '0/1', 'Pending'],
        ],
      ),
    ).toBe('NAME    READY   STATUS\nweb-1   1/1     Running\na       0/1     Pending\n');
  });

  it('keeps a cell with a tab in one column, the tab shown escaped', () => {
    expect(renderTable(['A', 'B'], [['x\ty', 'z']])).toBe('A      B\nx\\ty   z\n');
  });
});

describe('DescribeWriter', () => {
  it('indents levels by two spaces and aligns runs of lines', () => {
    const w = new DescribeWriter();
    w.line(0, 'Name:', 'web');
    w.line(0, 'Namespace:', 'default');
    writeLabelsMultiline(w, 'Labels', { b: '2', a: '1' });
    w.write(0, 'Containers:\n');
    w.line(2, 'Image:', 'x');
    w.flush();
    w.line(1, 'Type', 'Reason');
    expect(w.toString()).toBe(
      'Name:       web\nNamespace:  default\nLabels:     a=1\n            b=2\nContainers:\n    Image:  x\n  Type  Reason\n',
    );
  });

  it('prints <none> for empty labels', () => {
    const w = new DescribeWriter();
    writeLabelsMultiline(w, 'Labels', {});
    expect(w.toString()).toBe('Labels:  <none>\n');
  });
});

describe('label formatting', () => {
  it.each([
    [{}, '<none>'],
    [{ b: '2', a: '1' }, 'a=1,b=2'],
  ])('formatLabels %j', (labels, out) => {
    expect(formatLabels(labels)).toBe(out);
  });

  it.each([
    [undefined, '<none>'],
    [{ matchLabels: { app: 'web' } }, 'app=web'],
    [
      {
        matchLabels: { tier: 'front' },
        matchExpressions: [
          { key: 'env', operator: 'In' as const, values: ['prod', 'dev'] },
          { key: 'zone', operator: 'NotIn' as const, values: ['b'] },
          { key: 'canary', operator: 'DoesNotExist' as const },
          { key: 'app', operator: 'Exists' as const },
        ],
      },
      'app,!canary,env in (dev,prod),tier=front,zone notin (b)',
    ],
  ])('formatLabelSelector %j', (selector, out) => {
    expect(formatLabelSelector(selector)).toBe(out);
  });
});

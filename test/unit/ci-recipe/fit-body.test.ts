// plan-comment.mjs's size rule on its own: a body over the limit is cut at a line end (never
// inside a surrogate pair), a code fence left open is closed, and a note says how much was cut.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = pathToFileURL(path.resolve(import.meta.dirname, '../../../examples/ci/plan-comment.mjs')).href;
const { fitBody } = (await import(SCRIPT)) as { fitBody: (body: string, limit?: number) => string };
const NOTE =
  /\n\n_Cut to fit a comment \(([\d,]+) characters\): ([\d,]+) characters left out\. The CI job log has the whole plan\._\n$/;

describe('fitBody', () => {
  it.each([
    ['empty', ''],
    ['one under the limit', 'x'.repeat(65_535)],
    ['exactly the limit', 'y'.repeat(65_536)],
  ])('%s: unchanged', (_name, body) => {
    expect(fitBody(body)).toBe(body);
  });

  it.each([
    ['lines', `${'a line\n'.repeat(20_000)}`, 65_536],
    ['one long line', 'z'.repeat(100_000), 65_536],
    ['emoji (surrogate pairs)', '😀'.repeat(40_000), 65_536],
    ['a small limit', `${'row\n'.repeat(100)}`, 200],
  ])('%s: cut within the limit, with the note', (_name, body, limit) => {
    const out = fitBody(body, limit);
    expect(out.length).toBeLessThanOrEqual(limit);
    const note = NOTE.exec(out);
    expect(note?.[1]).toBe(limit.toLocaleString('en-US'));
    const kept = out.slice(0, note!.index);
    expect(body.startsWith(kept)).toBe(true);
    expect(Number(note![2]!.replace(/,/g, ''))).toBe(body.length - kept.length);
    expect(kept).not.toMatch(/[\uD800-\uDBFF]$/); // no half of a surrogate pair at the cut
  });

  it('closes a code fence the cut leaves open, and only then', () => {
    const open = fitBody(`# plan\n\`\`\`diff\n${'+ x\n'.repeat(1_000)}\`\`\`\n`, 500);
    expect(open).toMatch(/\+ x\n```\n\n_Cut to fit/);
    const closed = fitBody(`\`\`\`\nsmall\n\`\`\`\n${'row\n'.repeat(1_000)}`, 500);
    expect(closed).toMatch(/row\n\n_Cut to fit/);
  });
});

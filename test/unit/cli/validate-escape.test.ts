// `skiff validate` over a real folder whose file name and manifest hold a newline, ESC and a C1
// CSI: every output format keeps its lines and lets no control through (terminal-text.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runValidate } from '../../../src/cli/commands/validate.js';

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-escape-'));
  // A double-quoted YAML string may carry any control as an escape; the file name is raw.
  const manifest = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: "web\\n::error file=x::forged\\e[31m\\u009b\\u202e"',
    'spec:',
    '  selector: { matchLabels: { app: web } }',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec: { containers: [{ name: web, image: "nginx\\e[2J" }] }',
    '',
  ].join('\n');
  await writeFile(join(dir, 'evil\n\x1b[31m\u202e.yaml'), manifest);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function capture(output: string): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c);
    return true;
  });
  try {
    return { code: await runValidate([dir], { output }), out };
  } finally {
    spy.mockRestore();
  }
}

describe('skiff validate with hostile names', () => {
  it.each(['text', 'github', 'json'])(
    '-o %s: findings reported, no raw control, one line each',
    async (o) => {
      const { code, out } = await capture(o);
      expect(code).toBe(1);
      expect(out).not.toMatch(RAW);
      const lines = out.trimEnd().split('\n');
      if (o === 'json') {
        expect(lines).toHaveLength(1);
        const parsed = JSON.parse(out) as { findings: { file: string; message: string }[] };
        expect(parsed.findings.length).toBeGreaterThan(0);
        expect(parsed.findings[0]!.file).toContain('\x1b[31m');
      } else {
        // every finding one line, plus the summary; a forged `::error` never starts a line
        expect(lines.filter((l) => l.startsWith('::error file=x'))).toEqual([]);
        expect(lines.at(-1)).toMatch(/^invalid: 1 file/);
        expect(out).toContain('\\x1b[31m');
      }
    },
  );
});

// Parsed manifests keep no slice of their file's text: a daemon holds its repositories' parsed
// objects for as long as a commit is admitted, and each image name or env value cut from a
// file would otherwise keep that whole file in memory.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detachStrings } from '../../../src/manifest/detach-strings.js';
import { createValidator } from '../../../src/manifest/index.js';
import { parseManifests } from '../../../src/manifest/parse.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** One Deployment whose image name is cut from a file padded to about 1 MB by a comment. */
function bigFile(i: number, flow: boolean): string {
  const body = flow
    ? `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web-${i} }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers:\n      - { name: app, image: registry.example/team/web-${i}:1.0.0 }\n`
    : `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: app\n          image: registry.example/team/web-${i}:1.0.0\n`;
  return `${body}# ${'x'.repeat(1 << 20)}\n`;
}

describe('parsed manifests and their file text', () => {
  it.each([
    ['block style', false],
    ['flow style', true],
  ])('keep no file text alive once parsed (%s)', (_, flow) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      const parsed = parseManifests(bigFile(i, flow), `web-${i}.yaml`);
      expect(parsed.diagnostics).toEqual([]);
      kept.push(parsed.documents[0]!.value);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 20 files of 1 MB each: held through one slice each, the heap would have grown ~20 MB.
    expect(grown).toBeLessThan(4 << 20);
    expect(JSON.stringify(kept[3])).toContain('registry.example/team/web-3:1.0.0');
  });

  it('nor does the validator that caches them by blob id', () => {
    // The kind schemas are compiled at first use: not what is measured here.
    createValidator().validate([{ path: 'warm.yaml', text: bigFile(0, false).slice(0, 400) }]);
    gc();
    const before = process.memoryUsage().heapUsed;
    const validator = createValidator();
    const files = Array.from({ length: 20 }, (_, i) => ({
      path: `web-${i}.yaml`,
      text: bigFile(i, false),
      id: `blob-${i}`,
    }));
    const result = validator.validate(files);
    expect(result.objects).toHaveLength(20);
    files.length = 0;
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 << 20);
  });
});

describe('detachStrings', () => {
  it('keeps every value as it was', () => {
    const value = {
      a: 'short',
      b: 'a string longer than thirteen characters',
      list: ['x', 'another long string value', 3, true, null, { deep: 'yet another long string' }],
      n: 1.5,
    };
    const copy = structuredClone(value);
    expect(detachStrings(value)).toBe(value);
    expect(value).toEqual(copy);
  });

  it('leaves an own __proto__ key and objects that are not plain alone', () => {
    const value = JSON.parse('{"__proto__": {"polluted": "a string longer than thirteen"}, "at": 1}');
    const bytes = new Uint8Array([1, 2, 3]);
    const date = new Date(0);
    detachStrings(value);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(detachStrings({ bytes, date })).toEqual({ bytes, date });
  });
});

import { describe, expect, it } from 'vitest';
import { renderUnifiedDiff } from '../../../src/git/unified-diff.js';

describe('renderUnifiedDiff', () => {
  it('renders a one-line change as git does', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(renderUnifiedDiff([{ path: 'apps/web/d.yaml', before, after }])).toBe(
      [
        'diff --git a/apps/web/d.yaml b/apps/web/d.yaml',
        '--- a/apps/web/d.yaml',
        '+++ b/apps/web/d.yaml',
        '@@ -2,7 +2,7 @@',
        ' b',
        ' c',
        ' d',
        '-e',
        '+E',
        ' f',
        ' g',
        ' h',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [
      'a new file',
      { path: 'n.yaml', before: null, after: 'x\ny\n' },
      'diff --git a/n.yaml b/n.yaml\nnew file mode 100644\n--- /dev/null\n+++ b/n.yaml\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    ],
    [
      'a deleted file',
      { path: 'n.yaml', before: 'x\n', after: null },
      'diff --git a/n.yaml b/n.yaml\ndeleted file mode 100644\n--- a/n.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n',
    ],
    [
      'a missing final newline',
      { path: 'n.yaml', before: 'x\ny', after: 'x\nz' },
      'diff --git a/n.yaml b/n.yaml\n--- a/n.yaml\n+++ b/n.yaml\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n',
    ],
  ])('renders %s', (_name, change, expected) => {
    expect(renderUnifiedDiff([change])).toBe(expected);
  });

  it('renders nothing for an unchanged file and concatenates several files', () => {
    expect(renderUnifiedDiff([{ path: 'same', before: 'x\n', after: 'x\n' }])).toBe('');
    const out = renderUnifiedDiff([
      { path: 'a', before: '1\n', after: '2\n' },
      { path: 'b', before: '1\n', after: '3\n' },
    ]);
    expect(out.match(/^diff --git/gm)).toHaveLength(2);
  });

  it('splits distant changes into separate hunks', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const before = `${lines.join('\n')}\n`;
    const after = before.replace('l2\n', 'L2\n').replace('l25\n', 'L25\n');
    const out = renderUnifiedDiff([{ path: 'f', before, after }]);
    expect(out.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
  });

  it('hides Secret values in context and changed lines, marking the rotated one', () => {
    const file = (pw: string, image: string) =>
      `kind: Deployment\nmetadata:\n  name: web\nspec:\n  image: ${image}\n---\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${pw}\n`;
    const patch = renderUnifiedDiff([
      { path: 'app.yaml', before: file('old-s3ntinel', 'a:1'), after: file('new-s3ntinel', 'a:2') },
    ]);
    expect(patch).not.toContain('s3ntinel');
    expect(patch).toContain('-  image: a:1\n+  image: a:2\n');
    expect(patch).toContain('-  password: <redacted>\n+  password: <redacted: changed>\n');
  });
});

// Parsing of the GitOps verbs' arguments: CONTAINER=IMAGE pairs, --timeout, --author, targets.
import { describe, expect, it } from 'vitest';
import { parseTimeout } from '../../../src/cli/commands/rollout.js';
import { parseImagePairs } from '../../../src/cli/commands/set.js';
import { commitAuthor, deploymentTarget } from '../../../src/cli/git-edit.js';
import { UsageError } from '../../../src/model/errors.js';

describe('GitOps verb arguments', () => {
  it.each([
    [['web=my-app:2.0.0'], [{ container: 'web', image: 'my-app:2.0.0' }]],
    [['*=reg:5000/a/b:1'], [{ container: '*', image: 'reg:5000/a/b:1' }]],
    [
      ['web=a:1', 'side=b@sha256:abc'],
      [
        { container: 'web', image: 'a:1' },
        { container: 'side', image: 'b@sha256:abc' },
      ],
    ],
  ])('reads image pairs %j', (pairs, expected) => {
    expect(parseImagePairs(pairs)).toEqual(expected);
  });

  it.each([[[]], [['web']], [['=img']], [['web=']]])('refuses image pairs %j', (pairs) => {
    expect(() => parseImagePairs(pairs)).toThrow(UsageError);
  });

  it.each([
    ['0s', 0],
    ['0', 0],
    ['5m', 300_000],
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['120', 120_000],
  ])('reads --timeout %s as %d ms (0: forever, as kubectl)', (text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });

  it('refuses a --timeout it cannot read', () => {
    expect(() => parseTimeout('soon')).toThrow(UsageError);
  });

  it.each([
    ['deployment/web', undefined, { kind: 'Deployment', name: 'web' }],
    ['deploy/web', 'shop', { kind: 'Deployment', name: 'web', namespace: 'shop' }],
  ])('reads the target %s', (text, ns, ref) => {
    expect(deploymentTarget(text, ns)).toEqual(ref);
  });

  it.each(['pod/web', 'web', 'deployment/'])('refuses the target %s', (text) => {
    expect(() => deploymentTarget(text, undefined)).toThrow(UsageError);
  });

  it('reads --author "Name <email>"', () => {
    expect(commitAuthor('Ada Dev <ada@example.test>')).toEqual({
      name: 'Ada Dev',
      email: 'ada@example.test',
    });
    expect(() => commitAuthor('ada')).toThrow(UsageError);
  });
});

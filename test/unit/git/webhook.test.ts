import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deliveryId,
  parseSignatureHeader,
  payloadNamesRepository,
  payloadRepositories,
  ReplayWindow,
  repositoryKey,
  verifyWebhook,
} from '../../../src/git/webhook.js';

const secret = "It's a Secret to Everybody";
const body = 'Hello, World!';
// The example from GitHub's "Validating webhook deliveries" documentation.
const githubExample = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyWebhook', () => {
  it("accepts GitHub's documented example signature", () => {
    expect(verifyWebhook(secret, { 'x-hub-signature-256': githubExample }, body)).toEqual({
      ok: true,
      provider: 'github',
    });
  });

  it('accepts a signature over raw bytes', () => {
    const bytes = Buffer.from('{"ref":"refs/heads/main"}');
    const sig = `sha256=${createHmac('sha256', 's3').update(bytes).digest('hex')}`;
    expect(verifyWebhook('s3', { 'x-hub-signature-256': sig }, bytes).ok).toBe(true);
  });

  it.each([
    ['a wrong secret', 'other', { 'x-hub-signature-256': githubExample }, 'bad-signature'],
    [
      'a changed body',
      secret,
      { 'x-hub-signature-256': githubExample.replace('757', '758') },
      'bad-signature',
    ],
    ['sha1 only', secret, { 'x-hub-signature-256': 'sha1=0123' }, 'malformed-signature'],
    ['no header', secret, {}, 'missing-signature'],
    ['a wrong GitLab token', secret, { 'x-gitlab-token': 'nope' }, 'bad-signature'],
  ])('rejects %s', (_name, key, headers, reason) => {
    expect(verifyWebhook(key, headers, body)).toEqual({ ok: false, reason });
  });

  it('accepts the GitLab token', () => {
    expect(verifyWebhook(secret, { 'x-gitlab-token': secret }, body)).toEqual({
      ok: true,
      provider: 'gitlab',
    });
  });
});

describe('parseSignatureHeader', () => {
  it.each([
    [githubExample, 32],
    [githubExample.toUpperCase().replace('SHA256', 'sha256'), 32],
  ])('parses %s', (header, length) => {
    expect(parseSignatureHeader(header)?.length).toBe(length);
  });
  it.each([
    'sha256=',
    'sha256=xyz',
    'md5=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    '',
  ])('rejects %j', (header) => {
    expect(parseSignatureHeader(header)).toBeUndefined();
  });
});

describe('webhook payloads and replays', () => {
  it.each([
    ['https://github.com/acme/web.git', 'github.com/acme/web'],
    ['https://user:pw@GitHub.com:443/acme/web/', 'github.com/acme/web'],
    ['git@github.com:acme/web.git', 'github.com/acme/web'],
    ['ssh://git@gitlab.example:2222/group/sub/web.git', 'gitlab.example/group/sub/web'],
  ])('repositoryKey(%s) = %s', (url, key) => {
    expect(repositoryKey(url)).toBe(key);
  });

  it.each([
    [['https://github.com/acme/web'], 'https://github.com/acme/web.git', true],
    [['acme/web'], 'https://github.com/acme/web.git', true],
    [['acme/web'], 'https://github.com/acme/webapp.git', false],
    [['https://github.com/acme/other'], 'https://github.com/acme/web', false],
    [[], 'https://github.com/acme/web', false],
  ])('payload naming %j names %s: %s', (named, repo, yes) => {
    expect(payloadNamesRepository(named, repo)).toBe(yes);
  });

  it('payloadRepositories reads GitHub and GitLab payloads, and nothing from garbage', () => {
    expect(payloadRepositories('{"repository":{"clone_url":"u1","full_name":"a/b"}}')).toEqual(['u1', 'a/b']);
    expect(payloadRepositories('{"project":{"git_http_url":"u2","path_with_namespace":"g/p"}}')).toEqual([
      'u2',
      'g/p',
    ]);
    expect(payloadRepositories('not json')).toEqual([]);
    expect(payloadRepositories('null')).toEqual([]);
  });

  it('deliveryId from GitHub, Gitea and GitLab headers', () => {
    expect(deliveryId({ 'x-github-delivery': 'a' })).toBe('a');
    expect(deliveryId({ 'x-gitea-delivery': 'b' })).toBe('b');
    expect(deliveryId({ 'x-gitlab-event-uuid': 'c' })).toBe('c');
    expect(deliveryId({})).toBeUndefined();
  });

  it('ReplayWindow: seen within the window by id or body, forgotten after it, bounded', () => {
    const w = new ReplayWindow(600_000, 4);
    expect(w.replayed('d1', 'body-1', 0)).toBe(false);
    expect(w.replayed('d1', 'body-2', 1000)).toBe(true); // same id
    expect(w.replayed('d9', 'body-1', 2000)).toBe(true); // same body, new id
    expect(w.replayed(undefined, 'body-3', 3000)).toBe(false);
    expect(w.replayed('d1', 'body-4', 700_000)).toBe(false); // the window has passed
    for (let i = 0; i < 10; i++) w.replayed(`x${i}`, `b${i}`, 700_001);
    expect(w.replayed('d1', 'body-4', 700_002)).toBe(false); // dropped: at most 4 entries kept
  });
});

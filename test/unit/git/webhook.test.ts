import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, verifyWebhook } from '../../../src/git/webhook.js';

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

// Verifying that a `POST /webhook` really comes from the git host before it triggers a fetch:
// GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>` (also sent by Gitea and
// Forgejo) or GitLab's `X-Gitlab-Token: <secret>`. Comparisons are constant-time. The request
// only ever triggers a fetch (level-triggered): its payload is never trusted for content.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookVerdict =
  | { ok: true; provider: 'github' | 'gitlab' }
  | { ok: false; reason: 'missing-signature' | 'malformed-signature' | 'bad-signature' };

/** Pure: `sha256=<64 hex>` -> the digest bytes; undefined when malformed. */
export function parseSignatureHeader(header: string): Buffer | undefined {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  return m ? Buffer.from(m[1]!, 'hex') : undefined;
}

export function verifyGithubSignature(secret: string, body: Uint8Array | string, header: string): boolean {
  const given = parseSignatureHeader(header);
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected);
}

export function verifyGitlabToken(secret: string, header: string): boolean {
  // Hash both sides first so the comparison is constant-time whatever the lengths.
  const a = createHmac('sha256', 'skiff-webhook').update(header).digest();
  const b = createHmac('sha256', 'skiff-webhook').update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * Verify a webhook request given its headers (lower-case names, as node:http gives them) and
 * its raw body bytes. With no secret configured, the daemon should not call this.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: Uint8Array | string,
): WebhookVerdict {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const signature = first(headers['x-hub-signature-256']);
  if (signature !== undefined) {
    if (!parseSignatureHeader(signature)) return { ok: false, reason: 'malformed-signature' };
    return verifyGithubSignature(secret, body, signature)
      ? { ok: true, provider: 'github' }
      : { ok: false, reason: 'bad-signature' };
  }
  const token = first(headers['x-gitlab-token']);
  if (token !== undefined) {
    return verifyGitlabToken(secret, token)
      ? { ok: true, provider: 'gitlab' }
      : { ok: false, reason: 'bad-signature' };
  }
  return { ok: false, reason: 'missing-signature' };
}

// Verifying that a `POST /webhook` really comes from the git host before it triggers a fetch:
// GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>` (also sent by Gitea and
// Forgejo) or GitLab's `X-Gitlab-Token: <secret>`. Comparisons are constant-time. The request
// only ever triggers a fetch (level-triggered): its payload is never trusted for content, only
// for which repository to fetch (after the signature is checked), and a delivery seen within
// the replay window is ignored.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

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
export function verifyWebhook(secret: string, headers: Headers, body: Uint8Array | string): WebhookVerdict {
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

type Headers = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The delivery id the git host sends (GitHub/Gitea/Forgejo, GitLab), if any. */
export function deliveryId(headers: Headers): string | undefined {
  return first(headers['x-github-delivery'] ?? headers['x-gitea-delivery'] ?? headers['x-gitlab-event-uuid']);
}

/** Pure: the repository URLs and paths a push payload names (GitHub's `repository`, GitLab's
 *  `project`/`repository`); [] when the body is not such JSON. */
export function payloadRepositories(body: Uint8Array | string): string[] {
  let p: unknown;
  try {
    p = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    return [];
  }
  const o = (p ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const keys = [
    'clone_url',
    'html_url',
    'ssh_url',
    'git_url',
    'url',
    'git_http_url',
    'git_ssh_url',
    'web_url',
    'homepage',
  ];
  const names = [o.repository, o.project].flatMap((r) =>
    r ? [...keys.map((k) => r[k]), r.full_name, r.path_with_namespace] : [],
  );
  return names.filter((n): n is string => typeof n === 'string' && n.length > 0);
}

/** Pure: a repository URL reduced to `host/owner/name` (scheme, credentials, port, `.git`,
 *  case and an scp-like `git@host:` form set aside), or a bare `owner/name` path kept as is. */
export function repositoryKey(url: string): string {
  let u = url
    .trim()
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const scp = /^[^/@:]+@([^:/]+):(.+)$/.exec(u);
  if (scp) u = `${scp[1]}/${scp[2]}`;
  u = u
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/^([^/:]+):[0-9]+\//, '$1/');
  return u;
}

/** Whether a payload names the app's repository: by full URL, or by its `owner/name` path. */
export function payloadNamesRepository(named: readonly string[], repoURL: string): boolean {
  const key = repositoryKey(repoURL);
  return named.some((n) => {
    const k = repositoryKey(n);
    return k === key || (!k.includes('.') && key.endsWith(`/${k}`));
  });
}

/**
 * Deliveries seen in the last `windowMs`, by delivery id and by body digest: GitHub's signature
 * covers the body only, so a captured delivery replayed with a new X-GitHub-Delivery is still
 * caught by its body (a real new push always has a new body: new `after` commit). Bounded: at
 * most `max` entries, the oldest dropped first. Shell-side state; the caller passes the time.
 */
export class ReplayWindow {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 10 * 60_000,
    private readonly max = 10_000,
  ) {}

  /** True if this delivery was seen within the window; records it either way. */
  replayed(id: string | undefined, body: Uint8Array | string, now: number): boolean {
    for (const [k, at] of this.seen) {
      if (at > now - this.windowMs && this.seen.size <= this.max) break;
      this.seen.delete(k);
    }
    const keys = [`body:${createHash('sha256').update(body).digest('hex')}`, ...(id ? [`id:${id}`] : [])];
    const hit = keys.some((k) => this.seen.has(k));
    for (const k of keys) {
      this.seen.delete(k);
      this.seen.set(k, now);
    }
    return hit;
  }
}

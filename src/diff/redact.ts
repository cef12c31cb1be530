// Redaction: the one place that decides how a secret value is shown. Pure.
// Invariant: a Secret's data value (base64 as stored, or decoded) never leaves this module in
// clear; callers get `***` or a labelled fingerprint. The default fingerprint is an unkeyed
// 64-bit FNV-1a ("hash:..."): it tells reviewers whether two values differ, but, like any
// unkeyed hash, it lets someone holding the plan test guesses of a weak secret offline. Shells
// that can, pass a keyed fingerprint (an HMAC keyed from the state directory) instead.
import type { DesiredContainer, DesiredPod } from '../model/desired.js';
import type { Secret } from '../model/k8s.js';
import { contentHash } from '../model/stable-hash.js';

export const MASK = '***';

/** Turns a secret value into something safe to print. Must not be invertible in practice. */
export type SecretFingerprint = (value: string) => string;

export interface SecretRedaction {
  /** `hash`: a fingerprint per value, so reviewers see which keys changed; `mask`: `***`. */
  mode: 'hash' | 'mask';
  fingerprint?: SecretFingerprint;
}

export const DEFAULT_SECRET_REDACTION: SecretRedaction = { mode: 'hash' };

/** Unkeyed FNV-1a fingerprint, labelled `hash:` (not sha256: no node:crypto in the pure core).
 *  Domain-separated so it never equals the content hashes used elsewhere. */
export function fnvFingerprint(value: string): string {
  return `hash:${contentHash(`skiff/secret-value\u0000${value}`)}`;
}

/** The printable form of one secret value; absent stays absent (a key added or removed). */
export function redactSecretValue(
  value: string | undefined,
  redaction: SecretRedaction = DEFAULT_SECRET_REDACTION,
): string | undefined {
  if (value === undefined) return undefined;
  if (redaction.mode === 'mask') return MASK;
  return (redaction.fingerprint ?? fnvFingerprint)(value);
}

/** Redacts whatever value sits at a Secret's data path: a single value, or a whole map of
 *  them (a created/deleted `data`). Non-string leaves are masked: they cannot be valid data. */
export function redactSecretData(
  value: unknown,
  redaction: SecretRedaction = DEFAULT_SECRET_REDACTION,
): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return redactSecretValue(value, redaction);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSecretData(v, redaction);
    return out;
  }
  return MASK;
}

/** Shorter values are not searched for: replacing every "ab" in a log line would destroy it,
 *  and a secret of under 3 characters protects nothing anyway. */
export const MIN_REDACTABLE_LENGTH = 3;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces every occurrence of any of `secretValues` in `text` by `***`, longest first so a
 *  value containing another is masked whole. For log lines, error messages, command output. */
export function redactSecretsInText(text: string, secretValues: Iterable<string>): string {
  const values = [...new Set(secretValues)]
    .filter((v) => v.length >= MIN_REDACTABLE_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0 || text.length === 0) return text;
  const pattern = new RegExp(values.map(escapeRegExp).join('|'), 'g');
  return text.replace(pattern, MASK);
}

/** Decodes standard base64 to UTF-8 text; undefined when it is not valid base64. Uses the
 *  web-standard globals (atob, TextDecoder), which are pure. */
export function decodeBase64Utf8(b64: string): string | undefined {
  try {
    const binary = atob(b64.replace(/\s+/g, ''));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Every form in which the Secrets' values could leak into text: the base64 as stored, the
 *  decoded value, and each non-empty line of a multi-line value (a key file, a .env). */
export function secretValuesOf(secrets: readonly Pick<Secret, 'data'>[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    for (const b64 of Object.values(s.data)) {
      out.add(b64);
      const plain = decodeBase64Utf8(b64);
      if (plain === undefined) continue;
      out.add(plain);
      for (const line of plain.split(/\r?\n/)) if (line.trim() !== '') out.add(line.trim());
    }
  }
  return [...out];
}

/** A copy of a pod fit for display: env values and files that came from Secrets masked. */
export function redactDesiredPod(pod: DesiredPod): DesiredPod {
  const redacted: DesiredPod = { ...pod, containers: pod.containers.map(redactContainer) };
  if (pod.initContainers) redacted.initContainers = pod.initContainers.map(redactContainer);
  return redacted;
}

function redactContainer(c: DesiredContainer): DesiredContainer {
  return {
    ...c,
    env: c.env.map((e) => (e.secret ? { ...e, value: MASK } : e)),
    files: c.files.map((f) => (f.secret ? { ...f, contentBase64: MASK } : f)),
  };
}

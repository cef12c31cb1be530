// Redaction: the one place that decides how a secret value is shown. Pure.
// Invariant: a Secret's data value (base64 as stored, or decoded) never leaves this module in
// clear; callers get `***` or a labelled fingerprint. The default fingerprint is an unkeyed
// 64-bit FNV-1a ("hash:..."): it tells reviewers whether two values differ, but, like any
// unkeyed hash, it lets someone holding the plan test guesses of a weak secret offline. Shells
// that can, pass a keyed fingerprint (an HMAC keyed from the state directory) instead.
import type { DesiredContainer, DesiredPod } from '../model/desired.js';
import { contentHash } from '../model/stable-hash.js';
import { MASK } from './redact-values.js';

// Values searched for in text (logs, errors, API answers) live in redact-values.ts.
export {
  compileScrubber,
  decodeBase64Utf8,
  MASK,
  MIN_REDACTABLE_LENGTH,
  redactSecretsInText,
  scrubStrings,
  secretNeedlesOf,
  secretValuesOf,
  type TextScrubber,
} from './redact-values.js';

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

// One parsed PodSpec per distinct spec label: the pods of one Deployment template (3 or 300 of
// them, on any host) share a single frozen object instead of one parsed copy each, and each
// distinct spec is parsed once, not once per pod and pass. Likewise one string per label value
// pods carry alike (commit, template hash, image). Keyed by the SHA-256 of the label's exact
// JSON text, so two pods share a spec only when Docker holds the same bytes for both; not by the
// text itself, which a key would keep alive (2.7 MB for 10,000 specs at 15,000 pods, against a
// 44-character digest each; a digest costs about 1 us per label, and only listed hosts ask).
// Shell-side cache: DockerRuntime keeps one across passes and sweeps it once per resync period
// (every host is listed at least that often), so it holds the specs of the pods it sees and
// little more.

import { createHash } from 'node:crypto';

/** Freezes a parsed JSON value and everything in it: a shared spec must never be mutated. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

export class SpecInterner {
  private current = new Map<string, unknown>();
  private previous = new Map<string, unknown>();
  private currentTexts = new Map<string, string>();
  private previousTexts = new Map<string, string>();

  /** One string for a label value many pods carry alike (the commit, the template hash, the
   *  owner, an image): Docker's JSON gives every container its own copy. */
  text(value: string): string {
    const hit = this.currentTexts.get(value) ?? this.previousTexts.get(value);
    const kept = hit ?? value;
    this.currentTexts.set(kept, kept);
    return kept;
  }

  /** The shared parse of `json` (undefined when it is not JSON: the label is malformed). */
  intern<T>(json: string): T | undefined {
    const key = createHash('sha256').update(json).digest('base64');
    const hit = this.current.get(key) ?? this.previous.get(key);
    if (hit !== undefined) {
      this.current.set(key, hit);
      return hit as T;
    }
    let parsed: T;
    try {
      parsed = deepFreeze(JSON.parse(json) as T);
    } catch {
      return undefined;
    }
    this.current.set(key, parsed);
    return parsed;
  }

  /** Forgets every spec not interned since the last sweep (call once per observation). */
  sweep(): void {
    this.previous = this.current;
    this.current = new Map();
    this.previousTexts = this.currentTexts;
    this.currentTexts = new Map();
  }

  get size(): number {
    return new Set([...this.current.keys(), ...this.previous.keys()]).size;
  }
}

// Strings a parser hands out are often slices of the file it read: V8 makes a substring of 13
// characters or more a view into its parent, so one image name kept from a manifest keeps the
// whole file's text alive (a daemon held its repositories' texts, 3.2 MB at 5,000 Deployments,
// through ~550 such strings per file). The parsed documents are given their own copies, so the
// file's text goes once validation is done. Pure.

/** V8's SlicedString::kMinLength: shorter substrings are copies already. */
const SLICE_MIN_LENGTH = 13;

/** A copy of `s` that shares no memory with the string it was cut from. Concatenation then
 *  slicing flattens into a new string (the cheapest copy measured: ~0.1 µs). */
function ownCopy(s: string): string {
  return s.length < SLICE_MIN_LENGTH ? s : `${s} `.slice(0, -1);
}

/** Replaces, in place, every string value in a freshly parsed document with its own copy
 *  (keys are property names: V8 interns those, copying them already). Returns the value. */
export function detachStrings(value: unknown): unknown {
  if (typeof value === 'string') return ownCopy(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = detachStrings(value[i]);
    return value;
  }
  // Plain objects only: a parser's other values (a Date, a byte array) hold no file slices.
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const o = value as Record<string, unknown>;
    // An own `__proto__` key (yaml defines it as data) would be the prototype's setter here.
    for (const k of Object.keys(o)) if (k !== '__proto__') o[k] = detachStrings(o[k]);
  }
  return value;
}

// Plain YAML numbers that would not mean the same in Kubernetes: the API server reads YAML
// 1.1 (go-yaml v2, where `010` is octal 8) into JSON (which has no Infinity or NaN) and
// typed Go integers; skiff reads YAML 1.2 into JavaScript numbers (exact only up to 2^53).
// A leading-zero octal is read as Kubernetes reads it (`defaultMode: 0644` is 420, the way
// file modes are written everywhere); a number Kubernetes cannot read is an error instead of a
// silently different value. Messages never quote the number: it could be a Secret's value
// written unquoted. Pure.

export interface NumberProblem {
  code: 'yaml.number-range';
  message: string;
}

/** Keys whose numbers are file modes, written in octal by convention: read silently. */
const MODE_KEYS = new Set(['mode', 'defaultMode']);

/** The value Kubernetes' YAML 1.1 reader gives a plain scalar that YAML 1.2 read as a decimal
 *  with a leading zero (`010` -> 8), if they differ; and whether to warn (not for a file mode,
 *  where octal is the intent). */
export function yaml11Octal(
  source: string,
  value: number,
  key: unknown,
): { value: number; warn: boolean } | undefined {
  if (!DECIMAL_WITH_LEADING_ZERO.test(source) || !OCTAL_DIGITS.test(source)) return undefined;
  const octal = Number.parseInt(source, 8);
  if (octal === value) return undefined;
  return { value: octal, warn: !(typeof key === 'string' && MODE_KEYS.has(key)) };
}

export const OCTAL_WARNING =
  "a number with a leading zero is octal in Kubernetes' YAML reader and is read that way here (010 is 8): drop the leading zero if you meant a decimal, or quote it if it is a string";

const DECIMAL_WITH_LEADING_ZERO = /^[-+]?0[0-9]+$/;
const OCTAL_DIGITS = /^[-+]?0[0-7]+$/;

/** What is wrong with a plain scalar `source` that YAML 1.2 read as `value`, if anything. */
export function numberProblem(source: string, value: number): NumberProblem | undefined {
  if (!Number.isFinite(value))
    return {
      code: 'yaml.number-range',
      message: Number.isNaN(value)
        ? 'NaN is not a valid number in a manifest (JSON has none); Kubernetes rejects it'
        : 'number is infinite (.inf, or too large for a float); Kubernetes rejects it',
    };
  if (Number.isInteger(value) && !Number.isSafeInteger(value) && /^[-+]?[0-9]+$/.test(source))
    return {
      code: 'yaml.number-range',
      message: `integer is too large to be read exactly (over ${Number.MAX_SAFE_INTEGER}); quote it if it is a string`,
    };
  return undefined;
}

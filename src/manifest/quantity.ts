// Kubernetes resource quantities ("250m", "64Mi", "1e3"), parsed and rounded exactly as
// k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go, amount.go, scale_int.go).
// Pure. The value is kept as an exact decimal (bigint mantissa and a power of ten), so
// `value()`/`milliValue()` are exact for every string Kubernetes accepts; where upstream
// would overflow an int64 we return the exact bigint instead of a wrapped number.

/** A string that Kubernetes' ParseQuantity rejects. `reason` mirrors upstream's errors. */
export class QuantityError extends Error {
  readonly code = 'quantity.invalid';
  constructor(
    readonly input: string,
    readonly reason: 'format' | 'numeric' | 'suffix' | 'range',
  ) {
    super(
      reason === 'format'
        ? `"${input}" is not a valid quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`
        : reason === 'suffix'
          ? `"${input}" is not a valid quantity: unable to parse quantity's suffix`
          : reason === 'numeric'
            ? `"${input}" is not a valid quantity: unable to parse numeric part of quantity`
            : `"${input}" is too large to be used as an integer`,
    );
    this.name = 'QuantityError';
  }
}

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

/** Upstream keeps small values as an int64Amount (value * 10^scale) and everything else as
 *  an inf.Dec (unscaled * 10^-scale); the two round negative values differently in
 *  ScaledValue, so we remember which representation upstream would have used. */
type Amount =
  | { kind: 'int'; value: bigint; scale: number }
  | { kind: 'dec'; unscaled: bigint; decScale: number };

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
/** Beyond this many decimal digits a value is refused rather than materialised (bounded
 *  memory/time for "1e999999999"); upstream would silently wrap such a value anyway. */
const MAX_DIGITS = 400;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function toPlain(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export class Quantity {
  /** @internal */
  constructor(
    /** The string as written. */
    readonly raw: string,
    readonly format: QuantityFormat,
    private readonly amount: Amount,
  ) {}

  /** ceil(q) away from zero, as upstream Value(); a bigint when a number would lose precision. */
  value(): number | bigint {
    return toPlain(this.scaledValue(0));
  }

  /** ceil(q * 1000), as upstream MilliValue(); a bigint when a number would lose precision. */
  milliValue(): number | bigint {
    return toPlain(this.scaledValue(-3));
  }

  /** Upstream ScaledValue(scale): the value in units of 10^scale, rounded up. */
  scaledValue(scale: number): bigint {
    const a = this.amount;
    if (a.kind === 'int') {
      // int64Amount.AsScaledInt64: scale down rounds away from zero (negativeScaleInt64).
      if (a.scale < scale) return divideAwayFromZero(a.value, scale - a.scale);
      return multiplyBounded(a.value, a.scale - scale, this.raw);
    }
    // scaledValue() in quantity.go over the inf.Dec's unscaled value.
    const dif = a.decScale - -scale;
    if (dif === 0) return a.unscaled;
    if (dif < 0) return multiplyBounded(a.unscaled, -dif, this.raw);
    if (a.unscaled < MAX_INT64 && dif < 19) {
      // Go's int64 `/` and `%` truncate toward zero; upstream then adds one when inexact.
      const divide = pow10(dif);
      const q = a.unscaled / divide;
      return a.unscaled % divide !== 0n ? q + 1n : q;
    }
    // big.Int.DivMod is Euclidean: floor for a positive divisor, plus one when inexact.
    if (dif > MAX_DIGITS) return a.unscaled > 0n ? 1n : 0n;
    const divisor = pow10(dif);
    let q = a.unscaled / divisor;
    let r = a.unscaled % divisor;
    if (r < 0n) {
      q -= 1n;
      r += divisor;
    }
    return r !== 0n ? q + 1n : q;
  }

  /** -1, 0 or 1. */
  sign(): number {
    const v = this.amount.kind === 'int' ? this.amount.value : this.amount.unscaled;
    return v > 0n ? 1 : v < 0n ? -1 : 0;
  }

  /** Exact comparison (upstream Cmp): -1, 0 or 1. */
  cmp(other: Quantity): number {
    const [am, ae] = this.exact();
    const [bm, be] = other.exact();
    const e = Math.min(ae, be);
    if (Math.max(ae, be) - e > MAX_DIGITS * 4) {
      // Magnitudes differ by more than any mantissa can bridge: the sign and exponent decide.
      const sa = this.sign();
      const sb = other.sign();
      if (sa !== sb) return sa < sb ? -1 : 1;
      if (sa === 0) return 0;
      return (ae > be ? 1 : -1) * sa;
    }
    const a = am * pow10(ae - e);
    const b = bm * pow10(be - e);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The exact value as mantissa * 10^exponent. */
  exact(): [bigint, number] {
    const a = this.amount;
    return a.kind === 'int' ? [a.value, a.scale] : [a.unscaled, -a.decScale];
  }

  toString(): string {
    return this.raw;
  }
}

function divideAwayFromZero(value: bigint, digits: number): bigint {
  if (digits > MAX_DIGITS) return value > 0n ? 1n : value < 0n ? -1n : 0n;
  const d = pow10(digits);
  const q = value / d;
  if (value % d === 0n) return q;
  return value > 0n ? q + 1n : q - 1n;
}

function multiplyBounded(value: bigint, digits: number, raw: string): bigint {
  if (value === 0n) return 0n;
  if (digits + value.toString().length > MAX_DIGITS) throw new QuantityError(raw, 'range');
  return value * pow10(digits);
}

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Port of parseQuantityString: a permissive scanner; the suffix is checked afterwards. */
function scan(str: string): Scanned | 'format' {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str.charCodeAt(i))) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, num, denom: '', suffix: '' };
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str.charCodeAt(j))) j++;
    denom = str.slice(pos, j);
    if (j >= end) return { positive, num, denom, suffix: '' };
    pos = j;
  }
  const suffixStart = pos;
  let k = pos;
  while (k < end && 'eEinumkKMGTP'.includes(str[k]!)) k++;
  if (k >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  pos = k;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  return 'format';
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Port of suffixHandler.interpret. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, suffix))
    return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, suffix))
    return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // strconv.ParseInt(suffix[1:], 10, 64), then int32(parsed) as Go converts.
    const digits = suffix.slice(1);
    if (!/^[-+]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > MAX_INT64 || parsed < MIN_INT64) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

/** Port of ParseQuantity: throws QuantityError for every string upstream rejects. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(str, 'format');
  if (str === '0') return new Quantity(str, 'DecimalSI', { kind: 'int', value: 0n, scale: 0 });
  const scanned = scan(str);
  if (scanned === 'format') throw new QuantityError(str, 'format');
  const { positive, num, denom } = scanned;
  const suffix = interpret(scanned.suffix);
  if (!suffix) throw new QuantityError(str, 'suffix');
  let { format } = suffix;
  const { base, exponent } = suffix;

  // Fast path: the int64Amount representation (precision and scale as upstream computes).
  let precision = 0;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc(Math.fround(Math.fround(exponent) * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = BigInt(num + denom);
      if (shifted <= MAX_INT64) {
        const result = shifted * mantissa;
        if (result <= MAX_INT64) {
          return new Quantity(str, format, { kind: 'int', value: positive ? result : -result, scale });
        }
      }
    }
  }

  // Slow path: the inf.Dec representation, rounded up to nano and capped as upstream.
  const digits = num + denom;
  let unscaled = BigInt(digits);
  let decScale = denom.length;
  if (base === 10) decScale -= exponent;
  else unscaled <<= BigInt(exponent);
  if (unscaled !== 0n) {
    // amount.Round(amount, Nano, inf.RoundUp): magnitude rounded up to 9 decimal places.
    if (decScale > 9) {
      const drop = decScale - 9;
      if (drop > unscaled.toString().length + 1) unscaled = 1n;
      else {
        const d = pow10(drop);
        unscaled = unscaled % d === 0n ? unscaled / d : unscaled / d + 1n;
      }
    } else {
      if (9 - decScale + unscaled.toString().length > MAX_DIGITS) throw new QuantityError(str, 'range');
      unscaled *= pow10(9 - decScale);
    }
    decScale = 9;
  }
  if (format === 'BinarySI' && unscaled > MAX_INT64 * 1_000_000_000n) {
    unscaled = MAX_INT64;
    decScale = 0;
  }
  if (format === 'BinarySI' && unscaled > 0n && unscaled < 1_000_000_000n && decScale === 9)
    format = 'DecimalSI';
  return new Quantity(str, format, { kind: 'dec', unscaled: positive ? unscaled : -unscaled, decScale });
}

/** parseQuantity that returns undefined instead of throwing: for validators. */
export function tryParseQuantity(str: string): Quantity | undefined {
  try {
    return parseQuantity(str);
  } catch (err) {
    if (err instanceof QuantityError) return undefined;
    throw err;
  }
}

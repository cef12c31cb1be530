// Kubernetes resource quantities as the HPA needs them on top of manifest/quantity's exact
// parser: a target's MilliValue (what the controller compares), its AsApproximateFloat64 (for
// tolerances), and Quantity.String() (canonical printing), so that TARGETS reads like kubectl.
// Pure: no I/O.
//
// Ported from k8s.io/apimachinery/pkg/api/resource (quantity.go: MilliValue,
// AsApproximateFloat64, CanonicalizeBytes; amount.go: AsCanonicalBytes,
// AsCanonicalBase1024Bytes; suffix.go). Values are exact: `digits * 10^exp10`, bigint mantissa.
import { type QuantityFormat, tryParseQuantity } from '../manifest/quantity.js';

export type { QuantityFormat } from '../manifest/quantity.js';

export interface QuantityValue {
  /** value = digits * 10^exp10, exactly. */
  digits: bigint;
  exp10: number;
  format: QuantityFormat;
}

const binarySuffixByExponent = new Map<number, string>([
  [10, 'Ki'],
  [20, 'Mi'],
  [30, 'Gi'],
  [40, 'Ti'],
  [50, 'Pi'],
  [60, 'Ei'],
]);
const decimalSuffixByExponent = new Map<number, string>([
  [-9, 'n'],
  [-6, 'u'],
  [-3, 'm'],
  [3, 'k'],
  [6, 'M'],
  [9, 'G'],
  [12, 'T'],
  [15, 'P'],
  [18, 'E'],
]);

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** A quantity string as an exact value; undefined when Kubernetes would reject it. Its
 *  mantissa and exponent are upstream's own (int64Amount value/scale or inf.Dec), which
 *  AsApproximateFloat64 depends on. */
export function parseQuantity(text: string): QuantityValue | undefined {
  const q = tryParseQuantity(text);
  if (!q) return undefined;
  const [digits, exp10] = q.exact();
  return { digits, exp10, format: q.format };
}

/** ceil(q * 10^-scale) as an exact bigint: ScaledValue(scale) for the non-negative values
 *  the HPA deals with. */
function scaledValue(q: QuantityValue, scale: number): bigint {
  const shift = q.exp10 - scale;
  if (shift >= 0) return q.digits * pow10(shift);
  const div = pow10(-shift);
  const floor = q.digits / div;
  // BigInt division truncates toward zero; ceil differs only for positive remainders.
  return q.digits % div !== 0n && q.digits > 0n ? floor + 1n : floor;
}

/** Quantity.MilliValue(): ceil(q * 1000). */
export function milliValue(q: QuantityValue): number {
  return Number(scaledValue(q, -3));
}

/** Quantity.AsApproximateFloat64(), computed as upstream (mantissa times math.Pow10), so that a
 *  configured tolerance lands on the same float64. */
export function approximateFloat(q: QuantityValue): number {
  const base = Number(q.digits);
  if (q.exp10 === 0) return base;
  if (q.exp10 > 0) return base * 10 ** q.exp10;
  return base * (1 / 10 ** -q.exp10);
}

/** resource.NewMilliQuantity(milli, format). */
export function milliQuantity(milli: number, format: QuantityFormat): QuantityValue {
  return { digits: BigInt(Math.trunc(milli)), exp10: -3, format };
}

function removeFactors(value: bigint, base: bigint): { value: bigint; times: number } {
  let times = 0;
  let v = value;
  while (v !== 0n && v % base === 0n) {
    v /= base;
    times++;
  }
  return { value: v, times };
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Quantity.String(): the canonical form kubectl prints ("500m", "1", "1k", "200Mi"). */
export function formatQuantity(q: QuantityValue): string {
  if (q.digits === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    // |q| < 1024 and values with a fractional part print in decimal, as CanonicalizeBytes does.
    const exact = q.exp10 >= 0 || q.digits % pow10(-q.exp10) === 0n;
    if (abs(scaledValue(q, 0)) < 1024n || !exact) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const whole = q.exp10 >= 0 ? q.digits * pow10(q.exp10) : q.digits / pow10(-q.exp10);
    const { value, times } = removeFactors(whole, 1024n);
    const suffix = binarySuffixByExponent.get(times * 10);
    if (suffix !== undefined) return `${value}${suffix}`;
    return `${whole}`;
  }
  // AsCanonicalBytes: strip factors of ten, then lower the exponent to a multiple of three.
  const stripped = removeFactors(q.digits, 10n);
  let mantissa = stripped.value;
  let exponent = q.exp10 + stripped.times;
  const rem = ((exponent % 3) + 3) % 3;
  if (rem !== 0) {
    mantissa *= pow10(rem);
    exponent -= rem;
  }
  if (exponent === 0) return `${mantissa}`;
  if (format === 'DecimalSI') {
    const suffix = decimalSuffixByExponent.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return `${mantissa}e${exponent}`;
}

/** formatQuantity(milliQuantity(milli, format)) in plain number arithmetic, for the status
 *  values every pass prints; the same output for every non-negative safe integer. */
export function formatMilliQuantity(milli: number, format: QuantityFormat): string {
  if (!Number.isSafeInteger(milli) || milli < 0) return formatQuantity(milliQuantity(milli, format));
  if (milli === 0) return '0';
  if (format === 'BinarySI' && milli >= 1024_000 && milli % 1000 === 0) {
    let value = milli / 1000;
    let times = 0;
    while (value % 1024 === 0) {
      value /= 1024;
      times++;
    }
    const suffix = binarySuffixByExponent.get(times * 10);
    return suffix === undefined ? `${milli / 1000}` : `${value}${suffix}`;
  }
  let mantissa = milli;
  let exponent = -3;
  while (mantissa % 10 === 0) {
    mantissa /= 10;
    exponent++;
  }
  const rem = ((exponent % 3) + 3) % 3;
  if (rem !== 0) {
    mantissa *= 10 ** rem;
    exponent -= rem;
  }
  if (exponent === 0) return `${mantissa}`;
  const suffix = format === 'DecimalExponent' ? undefined : decimalSuffixByExponent.get(exponent);
  return suffix === undefined ? `${mantissa}e${exponent}` : `${mantissa}${suffix}`;
}

const milliCache = new Map<string, number | null>();

/** MilliValue of a quantity string, memoized (targets repeat every pass); undefined when it is
 *  not a quantity. */
export function quantityMilliValue(text: string): number | undefined {
  let v = milliCache.get(text);
  if (v === undefined) {
    const q = parseQuantity(text);
    v = q ? milliValue(q) : null;
    if (milliCache.size >= 4096) milliCache.clear();
    milliCache.set(text, v);
  }
  return v ?? undefined;
}

/** The canonical spelling of a quantity string as the user wrote it ("1024Mi" -> "1Gi");
 *  the input unchanged when it does not parse. */
export function canonicalQuantity(text: string): string {
  const q = parseQuantity(text);
  return q ? formatQuantity(q) : text;
}

// Vectors ported from k8s.io/apimachinery/pkg/api/resource/quantity_test.go
// (TestQuantityParse, its invalid list, TestQuantityRoundUp) plus Value/MilliValue cases.
import { describe, expect, it } from 'vitest';
import { parseQuantity, QuantityError, tryParseQuantity } from '../../../src/manifest/quantity.js';

/** Normalise mantissa * 10^exponent (strip trailing zeros) so equal values compare equal. */
function norm([m, e]: [bigint, number]): string {
  if (m === 0n) return '0';
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  return `${m}e${e}`;
}

const MAX_ALLOWED = (1n << 63n) - 1n;

// [input, mantissa, exponent, format] as upstream's decQuantity(mantissa, exponent, format).
const PARSE_TABLE: [string, bigint, number, string][] = [
  ['0', 0n, 0, 'DecimalSI'],
  ['0n', 0n, 0, 'DecimalSI'],
  ['0u', 0n, 0, 'DecimalSI'],
  ['0m', 0n, 0, 'DecimalSI'],
  ['0Ki', 0n, 0, 'BinarySI'],
  ['0k', 0n, 0, 'DecimalSI'],
  ['0Mi', 0n, 0, 'BinarySI'],
  ['0M', 0n, 0, 'DecimalSI'],
  ['0Gi', 0n, 0, 'BinarySI'],
  ['0G', 0n, 0, 'DecimalSI'],
  ['0Ti', 0n, 0, 'BinarySI'],
  ['0T', 0n, 0, 'DecimalSI'],
  ['1', 1n, 0, 'DecimalSI'],
  ['1Ki', 1024n, 0, 'BinarySI'],
  ['8Ki', 8n * 1024n, 0, 'BinarySI'],
  ['7Mi', 7n * 1024n ** 2n, 0, 'BinarySI'],
  ['6Gi', 6n * 1024n ** 3n, 0, 'BinarySI'],
  ['5Ti', 5n * 1024n ** 4n, 0, 'BinarySI'],
  ['4Pi', 4n * 1024n ** 5n, 0, 'BinarySI'],
  ['3Ei', 3n * 1024n ** 6n, 0, 'BinarySI'],
  ['10Ti', 10n * 1024n ** 4n, 0, 'BinarySI'],
  ['100Ti', 100n * 1024n ** 4n, 0, 'BinarySI'],
  ['5n', 5n, -9, 'DecimalSI'],
  ['4u', 4n, -6, 'DecimalSI'],
  ['3m', 3n, -3, 'DecimalSI'],
  ['9', 9n, 0, 'DecimalSI'],
  ['8k', 8n, 3, 'DecimalSI'],
  ['50k', 5n, 4, 'DecimalSI'],
  ['7M', 7n, 6, 'DecimalSI'],
  ['6G', 6n, 9, 'DecimalSI'],
  ['5T', 5n, 12, 'DecimalSI'],
  ['40T', 4n, 13, 'DecimalSI'],
  ['300T', 3n, 14, 'DecimalSI'],
  ['2P', 2n, 15, 'DecimalSI'],
  ['1E', 1n, 18, 'DecimalSI'],
  ['1E-3', 1n, -3, 'DecimalExponent'],
  ['1e3', 1n, 3, 'DecimalExponent'],
  ['1E6', 1n, 6, 'DecimalExponent'],
  ['1e9', 1n, 9, 'DecimalExponent'],
  ['1E12', 1n, 12, 'DecimalExponent'],
  ['1e15', 1n, 15, 'DecimalExponent'],
  ['1E18', 1n, 18, 'DecimalExponent'],
  ['1e14', 1n, 14, 'DecimalExponent'],
  ['1e13', 1n, 13, 'DecimalExponent'],
  ['100.035k', 100035n, 0, 'DecimalSI'],
  ['0.001', 1n, -3, 'DecimalSI'],
  ['0.0005k', 5n, -1, 'DecimalSI'],
  ['0.005', 5n, -3, 'DecimalSI'],
  ['0.05', 5n, -2, 'DecimalSI'],
  ['0.5', 5n, -1, 'DecimalSI'],
  ['0.00050k', 5n, -1, 'DecimalSI'],
  ['0.00500', 5n, -3, 'DecimalSI'],
  ['0.05000', 5n, -2, 'DecimalSI'],
  ['0.50000', 5n, -1, 'DecimalSI'],
  ['0.5e0', 5n, -1, 'DecimalExponent'],
  ['0.5e-1', 5n, -2, 'DecimalExponent'],
  ['0.5e-2', 5n, -3, 'DecimalExponent'],
  ['10.035M', 10035n, 3, 'DecimalSI'],
  ['1.2e3', 12n, 2, 'DecimalExponent'],
  ['1.3E+6', 13n, 5, 'DecimalExponent'],
  ['1.40e9', 14n, 8, 'DecimalExponent'],
  ['1.53E12', 153n, 10, 'DecimalExponent'],
  ['1.6e15', 16n, 14, 'DecimalExponent'],
  ['1.7E18', 17n, 17, 'DecimalExponent'],
  ['9.01', 901n, -2, 'DecimalSI'],
  ['8.1k', 81n, 2, 'DecimalSI'],
  ['7.123456M', 7123456n, 0, 'DecimalSI'],
  ['6.987654321G', 6987654321n, 0, 'DecimalSI'],
  ['5.444T', 5444n, 9, 'DecimalSI'],
  ['40.1T', 401n, 11, 'DecimalSI'],
  ['300.2T', 3002n, 11, 'DecimalSI'],
  ['2.5P', 25n, 14, 'DecimalSI'],
  ['1.01E', 101n, 16, 'DecimalSI'],
  // Things that saturate/round
  ['3.001n', 4n, -9, 'DecimalSI'],
  ['1.1E-9', 2n, -9, 'DecimalExponent'],
  ['0.0000000001', 1n, -9, 'DecimalSI'],
  ['0.0000000005', 1n, -9, 'DecimalSI'],
  ['0.00000000050', 1n, -9, 'DecimalSI'],
  ['0.5e-9', 1n, -9, 'DecimalExponent'],
  ['0.9n', 1n, -9, 'DecimalSI'],
  ['0.00000012345', 124n, -9, 'DecimalSI'],
  ['0.00000012354', 124n, -9, 'DecimalSI'],
  ['9Ei', MAX_ALLOWED, 0, 'BinarySI'],
  ['9223372036854775807Ki', MAX_ALLOWED, 0, 'BinarySI'],
  ['12E', 12n, 18, 'DecimalSI'],
  // Fractional binary
  ['100.035Ki', 10243584n, -2, 'BinarySI'],
  ['0.5Mi', 524288n, 0, 'BinarySI'],
  ['0.05Gi', 536870912n, -1, 'BinarySI'],
  ['0.025Ti', 274877906944n, -1, 'BinarySI'],
  // Things written by trolls
  ['0.000000000001Ki', 2n, -9, 'DecimalSI'],
  ['.001', 1n, -3, 'DecimalSI'],
  ['.0001k', 100n, -3, 'DecimalSI'],
  ['1.', 1n, 0, 'DecimalSI'],
  ['1.G', 1n, 9, 'DecimalSI'],
];

describe('parseQuantity (upstream TestQuantityParse)', () => {
  it.each(PARSE_TABLE)('%s', (input, mantissa, exponent, format) => {
    const q = parseQuantity(input);
    expect(norm(q.exact())).toBe(norm([mantissa, exponent]));
    expect(q.format).toBe(format);
    // upstream also checks the negative and explicitly positive forms
    expect(norm(parseQuantity(`-${input}`).exact())).toBe(norm([-mantissa, exponent]));
    expect(norm(parseQuantity(`+${input}`).exact())).toBe(norm([mantissa, exponent]));
  });

  it.each([
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
    ' 1',
    '1 ',
    '250mi',
    '1K',
    '',
    '1e99999999999999999999',
  ])('rejects %j with a typed error', (input) => {
    expect(() => parseQuantity(input)).toThrow(QuantityError);
    expect(tryParseQuantity(input)).toBeUndefined();
  });
});

describe('value() and milliValue() (upstream Value/MilliValue: ceil, away from zero)', () => {
  it.each<[string, number | bigint, number | bigint]>([
    ['250m', 1, 250],
    ['500m', 1, 500],
    ['1', 1, 1000],
    ['1.5', 2, 1500],
    ['2', 2, 2000],
    ['0.1m', 1, 1],
    ['1n', 1, 1],
    ['0', 0, 0],
    ['64Mi', 67108864, 67108864000],
    ['128Mi', 134217728, 134217728000],
    ['1Gi', 1073741824, 1073741824000],
    ['1G', 1000000000, 1000000000000],
    ['1e3', 1000, 1000000],
    ['100.035Ki', 102436, 102435840],
    ['1Ei', 1152921504606846976n, 1152921504606846976000n],
    ['12E', 12000000000000000000n, 12000000000000000000000n],
    ['9Ei', 9223372036854775807n, 9223372036854775807000n],
    ['-1.5', -2, -1500],
    ['-250m', -1, -250],
  ])('%s -> value %s, milli %s', (input, value, milli) => {
    const q = parseQuantity(input);
    expect(q.value()).toBe(value);
    expect(q.milliValue()).toBe(milli);
  });

  it('keeps upstream rounding of negative inf.Dec values (Go truncation, then +1)', () => {
    // -1.1Ki = -1126.4 lives in upstream's inf.Dec form; ScaledValue truncates toward zero
    // and adds one when inexact, giving -1125 (not -1127): we return what Kubernetes does.
    expect(parseQuantity('-1.1Ki').value()).toBe(-1125);
  });

  it('rounds up like upstream TestQuantityRoundUp at scale 0', () => {
    expect(parseQuantity('9.01').scaledValue(0)).toBe(10n);
    expect(parseQuantity('9.01').scaledValue(-2)).toBe(901n);
    expect(parseQuantity('9.01').scaledValue(1)).toBe(1n);
    expect(parseQuantity('-9.01').scaledValue(0)).toBe(-10n);
  });

  it.each([
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1Gi', '1024Mi', 0],
    ['1.5', '1500m', 0],
  ])('cmp(%s, %s) = %i (upstream TestQuantityCmp)', (a, b, want) => {
    expect(parseQuantity(a).cmp(parseQuantity(b))).toBe(want);
  });
});

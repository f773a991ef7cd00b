// Kubernetes resource quantities: `100m`, `1.5`, `512Mi`, `1G`, `2e3`. Parsed exactly (BigInt
// fraction), so `0.1` CPU is 100 millicores, not 100.00000000000001. The scheduler and the
// agent use toMillis (CPU) and toUnits (bytes, counts); both round up like Kubernetes.
import { z } from 'zod';
import { invalid, report } from './kit.js';
import { showValue } from './show-value.js';

export interface Quantity {
  /** The value is num / den (den > 0). */
  readonly num: bigint;
  readonly den: bigint;
}

export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_REGEX}'`;

const NUMBER = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Parses a quantity; undefined when the text is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  const m = NUMBER.exec(text.trim() === text ? text : '');
  if (!m) return undefined;
  const [, sign, digits, suffix] = m as unknown as [string, string, string, string];
  const [whole = '', frac = ''] = digits.split('.');
  let num = BigInt((whole || '0') + frac) * (sign === '-' ? -1n : 1n);
  let den = pow10(frac.length);
  if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix]!);
  else if (suffix in DECIMAL) {
    const e = DECIMAL[suffix]!;
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  } else {
    const exp = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (!exp) return undefined;
    const e = Number(exp[1]);
    if (Math.abs(e) > 30) return undefined;
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  }
  return { num, den };
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? (a + b - 1n) / b : a / b);

/** The quantity in thousandths, rounded up: CPU `100m` → 100, `1.5` → 1500. */
export const toMillis = (q: Quantity): number => Number(ceilDiv(q.num * 1000n, q.den));

/** The quantity in whole units, rounded up: memory `512Mi` → 536870912, `1G` → 1e9. */
export const toUnits = (q: Quantity): number => Number(ceilDiv(q.num, q.den));

/** -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Parses or throws: for callers holding a validated object. */
export function mustParseQuantity(text: string | number): Quantity {
  const q = parseQuantity(String(text));
  if (!q) throw new QuantityError(String(text));
  return q;
}

export class QuantityError extends Error {
  readonly code = 'InvalidQuantity';
  constructor(readonly text: string) {
    super(`invalid quantity ${showValue(text)}: ${QUANTITY_FORMAT_ERROR}`);
    this.name = 'QuantityError';
  }
}

/**
 * A quantity field: a string, or a YAML number (`cpu: 1`) kept as its text. Negative values
 * are refused (no resource amount is negative).
 */
export function quantityValue(value: unknown, ctx: Parameters<typeof report>[0], path: readonly (string | number)[]): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') {
    report(ctx, path, 'FieldValueTypeInvalid', `Invalid value: ${showValue(value)}: must be a quantity string or a number`);
    return undefined;
  }
  const text = String(value);
  const q = parseQuantity(text);
  if (!q) {
    invalid(ctx, path, text, QUANTITY_FORMAT_ERROR);
    return undefined;
  }
  if (q.num < 0n) {
    invalid(ctx, path, text, 'must be greater than or equal to 0');
    return undefined;
  }
  return text;
}

/** A single quantity field (e.g. emptyDir.sizeLimit). */
export const quantity = () =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => quantityValue(v, ctx as unknown as Parameters<typeof report>[0], []) ?? String(v)) as unknown as z.ZodType<string, string | number>;

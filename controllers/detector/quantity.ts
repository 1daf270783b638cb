// resource.Quantity, as far as replica requirements need it: exact parsing (BigInt, since memory in bytes passes
// 2^53) with kube's rounding up to whole units, and the canonical text kube writes for a Quantity built from a
// number (NewMilliQuantity/NewQuantity with DecimalSI or BinarySI).

/** A quantity as the exact fraction num/den. */
interface Exact {
  num: bigint;
  den: bigint;
}

const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

function parse(q: unknown): Exact | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  const m = QUANTITY.exec(String(q).trim());
  if (!m) return undefined;
  const [int, frac = ''] = m[2].split('.');
  let num = BigInt((int || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  const exponent = m[3] !== undefined ? Number(m[3]) : DECIMAL_EXPONENTS[m[4] ?? ''];
  if (exponent !== undefined) {
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
  } else {
    num *= 1024n ** BigInt(BINARY_POWERS[m[4]]);
  }
  return { num: m[1] === '-' ? -num : num, den };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Quantity.MilliValue(): thousandths, rounded up; undefined when q is not a quantity. */
export function milliValue(q: unknown): bigint | undefined {
  const e = parse(q);
  return e && ceilDiv(e.num * 1000n, e.den);
}

/** Quantity.Value(): whole units, rounded up; undefined when q is not a quantity. */
export function value(q: unknown): bigint | undefined {
  const e = parse(q);
  return e && ceilDiv(e.num, e.den);
}

const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([s, e]) => [e, s]));

/**
 * The canonical DecimalSI text of amount × 10^exponent: trailing zeros move into the exponent, which then rounds
 * down to a multiple of three so that an SI suffix names it ("1500m", "2", "5k").
 */
export function formatDecimalSI(amount: bigint, exponent: number): string {
  if (amount === 0n) return '0';
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    amount *= 10n;
    exponent--;
  }
  const suffix = DECIMAL_SUFFIXES.get(exponent);
  return `${amount}${suffix ?? `e${exponent}`}`;
}

/**
 * The canonical BinarySI text of a whole number of units: the largest power of 1024 that divides it names the
 * suffix ("64Mi", "1536Mi", "1000000000"); amounts under 1024 are written as DecimalSI, as kube does.
 */
export function formatBinarySI(amount: bigint): string {
  if (amount > -1024n && amount < 1024n) return formatDecimalSI(amount, 0);
  let power = 0;
  while (amount % 1024n === 0n && power < 6) {
    amount /= 1024n;
    power++;
  }
  return `${amount}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][power]}`;
}

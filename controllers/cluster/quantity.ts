// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): parsing, exact arithmetic and the canonical
// string form, so that sums written into Cluster status read exactly as Karmada's (e.g. 3 × "32Gi" is "96Gi", 1000
// pods is "1k", 1500 millicores is "1500m"). Values are held in nano units, the finest precision Kubernetes keeps.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const NANO = 1_000_000_000n;
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** a / b for b > 0, rounded away from zero, as Kubernetes rounds precision it cannot keep. */
function divRoundUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  private constructor(
    /** The value × 10⁹. */
    readonly nanos: bigint,
    /** Which notation toString uses, as Kubernetes keeps the format a quantity was written in. */
    readonly format: QuantityFormat,
  ) {}

  static readonly ZERO = new Quantity(0n, 'DecimalSI');

  /** Parses "100m", "1.5Gi", "2e3", "8" (or a JSON number); throws on anything Kubernetes would reject. */
  static parse(text: string | number): Quantity {
    const s = String(text).trim();
    const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)$/.exec(s);
    if (!m) throw new Error(`invalid quantity "${s}"`);
    const [, sign, number, suffix] = m;
    const [whole, fraction = ''] = number.split('.');
    let mantissa = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
    let decimalExponent = -fraction.length;
    let format: QuantityFormat;
    if (suffix in DECIMAL_SUFFIXES) {
      format = 'DecimalSI';
      decimalExponent += DECIMAL_SUFFIXES[suffix];
    } else if (suffix in BINARY_SUFFIXES) {
      format = 'BinarySI';
      mantissa <<= BigInt(BINARY_SUFFIXES[suffix]);
    } else if (/^[eE][+-]?\d+$/.test(suffix)) {
      format = 'DecimalExponent';
      decimalExponent += Number(suffix.slice(1));
    } else {
      throw new Error(`invalid quantity "${s}": unknown suffix "${suffix}"`);
    }
    const scale = decimalExponent + 9;
    const nanos = scale >= 0 ? mantissa * 10n ** BigInt(scale) : divRoundUp(mantissa, 10n ** BigInt(-scale));
    return new Quantity(nanos, format);
  }

  /** resource.NewQuantity(value, format). */
  static fromInt(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * NANO, format);
  }

  /** resource.NewMilliQuantity(milli, format). */
  static fromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli) * 1_000_000n, format);
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** The sum, in this quantity's format unless this is zero (Quantity.Add). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  /** The value rounded up to an integer (Quantity.Value). */
  value(): bigint {
    return divRoundUp(this.nanos, NANO);
  }

  /** The value in thousandths, rounded up (Quantity.MilliValue). */
  milliValue(): bigint {
    return divRoundUp(this.nanos, 1_000_000n);
  }

  /** The canonical form Kubernetes serializes. */
  toString(): string {
    if (this.nanos === 0n) return '0';
    let format = this.format;
    // Small or fractional binary quantities print in decimal, as Kubernetes does, rather than lose precision.
    if (format === 'BinarySI' && (this.nanos % NANO !== 0n || (this.nanos > -1024n * NANO && this.nanos < 1024n * NANO))) format = 'DecimalSI';
    if (format === 'BinarySI') {
      let n = this.nanos / NANO;
      let power = 0;
      while (power < BINARY_BY_POWER.length - 1 && n % 1024n === 0n) {
        n /= 1024n;
        power++;
      }
      return `${n}${BINARY_BY_POWER[power]}`;
    }
    let n = this.nanos;
    let exponent = -9;
    while (n % 10n === 0n) {
      n /= 10n;
      exponent++;
    }
    // Suffixes come in steps of a thousand: move the mantissa down to the nearest one.
    const down = ((exponent % 3) + 3) % 3;
    n *= 10n ** BigInt(down);
    exponent -= down;
    if (format === 'DecimalExponent') return exponent === 0 ? `${n}` : `${n}e${exponent}`;
    while (exponent > 18) {
      n *= 1000n;
      exponent -= 3;
    }
    return `${n}${DECIMAL_BY_EXPONENT.get(exponent)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

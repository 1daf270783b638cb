// Go's fmt rendering of decoded JSON values (map[string]interface{}, []interface{}, string, int64, float64, bool,
// nil), so error texts that kube builds with %v, %s and reflect.TypeOf read the same here.

/** The Go type a JSON value decodes to on the apiserver (integers decode as int64, see json.PreserveInts). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return isInt64(v) ? 'int64' : 'float64';
  }
  return 'map[string]interface {}';
}

/** %s of a reflect.Type as kube's "expected a %s, but received a %s" prints it; a nil type prints as %!s(<nil>). */
export function goTypeString(v: unknown): string {
  return v === null || v === undefined ? '%!s(<nil>)' : goTypeName(v);
}

/** fmt's %v. */
export function goV(v: unknown): string {
  return format(v, 'v');
}

/** fmt's %s: strings as they are, other scalars as %!s(type=value). */
export function goS(v: unknown): string {
  return format(v, 's');
}

function format(v: unknown, verb: 'v' | 's'): string {
  if (v === null || v === undefined) return verb === 'v' ? '<nil>' : '%!s(<nil>)';
  if (Array.isArray(v)) return `[${v.map((e) => format(e, verb)).join(' ')}]`;
  if (typeof v === 'object') {
    // fmt prints map entries in key order.
    const rec = v as Record<string, unknown>;
    return `map[${Object.keys(rec).sort().map((k) => `${k}:${format(rec[k], verb)}`).join(' ')}]`;
  }
  if (typeof v === 'string') return v;
  const text = typeof v === 'number' ? numberText(v) : String(v);
  return verb === 'v' ? text : `%!s(${goTypeName(v)}=${text})`;
}

function isInt64(n: number): boolean {
  return Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63;
}

// int64 prints in full; float64 %v is %g with the shortest digits, switching to an exponent below 1e-4 and from 1e6.
function numberText(n: number): string {
  if (isInt64(n)) return BigInt(n).toString();
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e >= -4 && e < 6) return String(n);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

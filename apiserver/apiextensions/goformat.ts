// Go's text forms of JSON values, for messages and printed cells that kube produces with fmt.

/** Go's %v of a float64: the shortest digits, in exponent form (e+06, e-05) below 1e-4 and from 1e6. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/**
 * A decoded JSON number as Go prints it: unstructured JSON decodes integral numbers to int64 (printed as integers)
 * and the rest to float64.
 */
export function goNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : goFloat(n);
}

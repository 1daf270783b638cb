// Copying and comparing stored objects. They are plain JSON values, so a walk over own enumerable members copies them
// several times faster than structuredClone, which serialises and deserialises every value.

/** A deep copy of a JSON value, as a JSON round trip would make it: undefined members are left out. */
export function cloneJSON<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJSON) as T;
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const member = (v as Record<string, unknown>)[k];
    if (member === undefined) continue;
    // Assigning "__proto__" would set the prototype; JSON.parse makes it a member like any other.
    if (k === '__proto__') Object.defineProperty(out, k, { value: cloneJSON(member), enumerable: true, writable: true, configurable: true });
    else out[k] = cloneJSON(member);
  }
  return out as T;
}

/**
 * Whether two JSON values are the same value: the members of an object may come in any order, the elements of an
 * array may not. A member set to undefined is a member, unlike in JSON text.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

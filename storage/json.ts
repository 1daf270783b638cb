// Copying stored objects. They are plain JSON values, so a walk over own enumerable members copies them several times
// faster than structuredClone, which serialises and deserialises every value.

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

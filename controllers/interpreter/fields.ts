// Reading and writing the fields of unstructured objects as Go's typed structs would: counters are int32 or int64
// (absent reads as 0, anything else is an error, as a failed conversion to the typed object is in Karmada), and a
// status serialized from a Go struct leaves out its `omitempty` fields when they hold their zero value.
import type { Obj } from '../overrides/jsonpatch.js';

export type { Obj };

/** Thrown when an object does not convert to its kind's Go type (e.g. a counter that is not a number). */
export class InterpretError extends Error {}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer field (0 when absent). */
export function int(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InterpretError(`${field}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
}

/** The value at path, or undefined when any step is missing. */
export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** obj with value at path, intermediate maps created as needed (unstructured.SetNestedField). */
export function setPath(obj: Obj, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p];
  }
  cur[path[path.length - 1]] = value;
}

/**
 * The integer fields of src named in `always` and `omitempty`, as a Go struct with those fields serializes: `always`
 * ones are written even when 0, `omitempty` ones only when not 0. Throws InterpretError for a non-integer.
 */
export function counters(src: Obj | undefined, always: readonly string[], omitempty: readonly string[] = []): Obj {
  const out: Obj = {};
  for (const f of always) out[f] = int(src?.[f], f);
  for (const f of omitempty) {
    const v = int(src?.[f], f);
    if (v !== 0) out[f] = v;
  }
  return out;
}

/** The conditions of a status whose type and status match. */
export function hasCondition(status: Obj | undefined, type: string, value = 'True'): boolean {
  return Array.isArray(status?.conditions) && status.conditions.some((c: Obj) => c?.type === type && c?.status === value);
}

/** "apiVersion/Kind" (e.g. apps/v1/Deployment, v1/Service), the key every per-kind table here is indexed by. */
export function gvk(obj: { apiVersion?: string; kind?: string }): string {
  return `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
}

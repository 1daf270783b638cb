// JSON the way Go's encoding/json writes it, for the strings kube derives from values: FieldsV1 keys (`k:{...}`,
// `v:...`), manager identifiers and the last-applied annotation. Go sorts map keys and escapes <, >, &, U+2028 and
// U+2029; everything else matches JSON.stringify.

export type JSONObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isObject(v)) return v;
  const out: JSONObject = {};
  for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = sortedKeys(v[k]);
  return out;
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function goJSON(v: unknown): string {
  return JSON.stringify(sortedKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
}

// Results of the merge never share containers with the objects they came from.
export { cloneJSON } from '../../storage/json.js';

/** Go's %q for the strings kube quotes in messages (manager names, key values). */
export const goQuote = (s: string): string => JSON.stringify(s);

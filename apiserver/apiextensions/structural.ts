// Walking a structural schema alongside a value: which sub-schema governs a member, an item or a map value, and
// which old value corresponds to a new one on update (kube's correlation, used by transition rules and ratcheting).
import { deepEqual } from '../../storage/json.js';
import type { JSONSchemaProps } from './types.js';

export type JSONObject = Record<string, unknown>;

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The schema of an object member: a declared property, else additionalProperties when it is a schema. */
export function memberSchema(s: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key];
  return isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
}

/** The schemas directly under s: its properties, its additionalProperties when that is a schema, and its items. */
function childSchemas(s: JSONSchemaProps): JSONSchemaProps[] {
  const out = Object.values(s.properties ?? {});
  if (isObject(s.additionalProperties)) out.push(s.additionalProperties as JSONSchemaProps);
  if (s.items) out.push(s.items);
  return out;
}

/**
 * Whether s or a schema under it has what test looks for, remembered per schema node. A walk over an object on every
 * write then goes only where it can change or find something: most of a ResourceBinding or a Work has no default, no
 * embedded resource and no set or map list under it.
 */
export function anywhereUnder(test: (s: JSONSchemaProps) => boolean): (s: JSONSchemaProps) => boolean {
  const known = new WeakMap<JSONSchemaProps, boolean>();
  const under = (s: JSONSchemaProps): boolean => {
    let found = known.get(s);
    if (found === undefined) known.set(s, (found = test(s) || childSchemas(s).some(under)));
    return found;
  };
  return under;
}

export const embeddedUnder = anywhereUnder((s) => s['x-kubernetes-embedded-resource'] === true);

/** A path segment: an object member or a list index. */
export type Segment = string | number;

/** kube's field.Path rendering: members joined with dots, list indexes in brackets, map keys in brackets. */
export function renderPath(segments: readonly { seg: Segment; mapKey?: boolean }[]): string {
  let out = '';
  for (const { seg, mapKey } of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (mapKey) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/**
 * Correlates an old value with a new one one step down the tree, or returns undefined when kube would not: object
 * members and map values correlate by key (unless the map is atomic), items of map lists by their key fields. For
 * ratcheting, an item of a set list also correlates with an equal old item; transition rules never see those.
 */
export function correlateChild(schema: JSONSchemaProps | undefined, oldParent: unknown, seg: Segment, newChild: unknown, ratcheting = false): unknown {
  if (oldParent === undefined || !schema) return undefined;
  if (typeof seg === 'string') {
    if (!isObject(oldParent) || schema['x-kubernetes-map-type'] === 'atomic') return undefined;
    return Object.hasOwn(oldParent, seg) ? oldParent[seg] : undefined;
  }
  if (!Array.isArray(oldParent)) return undefined;
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set' && ratcheting) return oldParent.find((o) => deepEqual(o, newChild));
  if (listType !== 'map' || !isObject(newChild)) return undefined;
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  return oldParent.find((o) => isObject(o) && keys.every((k) => deepEqual(o[k], newChild[k])));
}

/**
 * Whether an error found at `path` in `obj` is ratcheted on update: some correlatable node on the way to it is
 * unchanged from the old object (kube's CRD validation ratcheting: unchanged parts keep passing).
 */
export function isRatcheted(schema: JSONSchemaProps, obj: unknown, old: unknown, path: readonly Segment[]): boolean {
  let s: JSONSchemaProps | undefined = schema;
  let cur = obj;
  let prev = old;
  for (let i = 0; ; i++) {
    if (prev === undefined || cur === undefined) return false;
    if (deepEqual(cur, prev)) return true;
    if (i === path.length) return false;
    const seg = path[i];
    // kube never correlates apiVersion and kind: both objects are converted to the same version before comparing.
    if (i === 0 && (seg === 'apiVersion' || seg === 'kind')) return false;
    const next: unknown = (cur as any)?.[seg];
    prev = correlateChild(s, prev, seg, next, true);
    cur = next;
    s = typeof seg === 'number' ? s?.items : memberSchema(s, seg);
  }
}

// The checks kube runs on a custom resource besides OpenAPI validation: the invariants of x-kubernetes-list-type
// set and map lists, apiVersion/kind of embedded resources, and the replica and selector fields the scale
// subresource reads.
import type { KObject } from '../../storage/store.js';
import type { ScaleSubresource } from '../registry/types.js';
import { deepEqual } from '../../storage/json.js';
import type { KubeFieldError } from './fielderrors.js';
import { anywhereUnder, embeddedUnder, isObject, renderPath, type Segment } from './structural.js';
import type { JSONSchemaProps } from './types.js';

type Step = { seg: Segment; mapKey?: boolean };

type Check = (x: unknown, s: JSONSchemaProps, path: Step[]) => void;

/**
 * Walks obj along the schema, calling `check` with each value, its schema and its path, where `relevant` says the
 * schema has what check looks for at or under it. The path is one stack that the walk pushes to and pops from (every
 * write walks whole objects): check must copy what it keeps of it.
 */
function walk(x: unknown, s: JSONSchemaProps | undefined, path: Step[], relevant: (s: JSONSchemaProps) => boolean, check: Check): void {
  if (!s || !relevant(s)) return;
  check(x, s, path);
  const down = (v: unknown, sub: JSONSchemaProps | undefined, step: Step) => {
    path.push(step);
    walk(v, sub, path, relevant, check);
    path.pop();
  };
  if (Array.isArray(x)) x.forEach((v, i) => down(v, s.items, { seg: i }));
  else if (isObject(x)) {
    for (const [k, v] of Object.entries(x)) {
      if (s.properties && Object.hasOwn(s.properties, k)) down(v, s.properties[k], { seg: k });
      else if (isObject(s.additionalProperties)) down(v, s.additionalProperties as JSONSchemaProps, { seg: k, mapKey: true });
    }
  }
}

const listTypedUnder = anywhereUnder((s) => s['x-kubernetes-list-type'] === 'set' || s['x-kubernetes-list-type'] === 'map');

/** Duplicates in set lists (by value) and map lists (by their key fields). */
export function listTypeErrors(schema: JSONSchemaProps, obj: unknown): KubeFieldError[] {
  const errs: KubeFieldError[] = [];
  walk(obj, schema, [], listTypedUnder, (x, s, path) => {
    const listType = s['x-kubernetes-list-type'];
    if (!Array.isArray(x) || (listType !== 'set' && listType !== 'map')) return;
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const identity = (v: unknown): unknown => listType === 'set' || !isObject(v) ? v : Object.fromEntries(keys.filter((k) => k in v).map((k) => [k, v[k]]));
    x.forEach((v, i) => {
      const id = identity(v);
      if (x.slice(0, i).some((prev) => deepEqual(identity(prev), id)))
        errs.push({ type: 'FieldValueDuplicate', field: renderPath([...path, { seg: i }]), badValue: id });
    });
  });
  return errs;
}

/** Embedded resources (x-kubernetes-embedded-resource) need a kind and a parseable apiVersion. */
export function embeddedResourceErrors(schema: JSONSchemaProps, obj: unknown): KubeFieldError[] {
  const errs: KubeFieldError[] = [];
  walk(obj, schema, [], embeddedUnder, (x, s, path) => {
    if (!isObject(x) || !s['x-kubernetes-embedded-resource'] || path.length === 0) return;
    const at = (f: string) => renderPath([...path, { seg: f }]);
    for (const f of ['apiVersion', 'kind']) if (!Object.hasOwn(x, f)) errs.push({ type: 'FieldValueRequired', field: at(f), detail: 'must not be empty' });
    for (const f of ['apiVersion', 'kind']) {
      if (!Object.hasOwn(x, f)) continue;
      const v = x[f];
      if (typeof v !== 'string') errs.push({ type: 'FieldValueInvalid', field: at(f), badValue: v, detail: 'must be a string' });
      else if (v === '') errs.push({ type: 'FieldValueInvalid', field: at(f), badValue: v, detail: 'must not be empty' });
      else if (f === 'apiVersion' && v.split('/').length > 2) errs.push({ type: 'FieldValueInvalid', field: at(f), badValue: v, detail: `unexpected GroupVersion string: ${v}` });
    }
  });
  return errs;
}

const MAX_INT32 = 2 ** 31 - 1;

/**
 * The scale subresource's fields must be readable: replica counts int32 and non-negative, the selector a string.
 * kube names these fields by their JSON path, leading dot included.
 */
export function scaleErrors(scale: ScaleSubresource | undefined, obj: KObject): KubeFieldError[] {
  if (!scale) return [];
  const errs: KubeFieldError[] = [];
  for (const path of [scale.specReplicasPath, scale.statusReplicasPath]) {
    const v = valueAt(obj, path);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) errs.push({ type: 'FieldValueInvalid', field: path, badValue: 0, detail: accessorError(path, v, 'int64') });
    else if (v < 0) errs.push({ type: 'FieldValueInvalid', field: path, badValue: v, detail: 'should be a non-negative integer' });
    else if (v > MAX_INT32) errs.push({ type: 'FieldValueInvalid', field: path, badValue: v, detail: `should be less than or equal to ${MAX_INT32}` });
  }
  if (scale.labelSelectorPath) {
    const v = valueAt(obj, scale.labelSelectorPath);
    if (v !== undefined && typeof v !== 'string') errs.push({ type: 'FieldValueInvalid', field: scale.labelSelectorPath, badValue: '', detail: accessorError(scale.labelSelectorPath, v, 'string') });
  }
  return errs;
}

function valueAt(obj: unknown, jsonPath: string): unknown {
  let cur = obj;
  for (const f of jsonPath.replace(/^\./, '').split('.')) cur = isObject(cur) ? cur[f] : undefined;
  return cur;
}

/** unstructured.NestedInt64/NestedString's error for a value of another type, with Go's %v and %T of it. */
function accessorError(path: string, v: unknown, want: string): string {
  const goType = v === null ? '<nil>' : Array.isArray(v) ? '[]interface {}' : isObject(v) ? 'map[string]interface {}'
    : typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : typeof v === 'boolean' ? 'bool' : 'string';
  const text = isObject(v) || Array.isArray(v) ? JSON.stringify(v) : String(v);
  return `${path} accessor error: ${text} is of the type ${goType}, expected ${want}`;
}

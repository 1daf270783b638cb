// Making an incoming custom resource canonical, in kube's order: unknown fields are pruned, nulls the schema does not
// allow (and has no default for) are dropped, metadata is reduced to ObjectMeta's fields, and defaults are applied.
import type { KObject } from '../../storage/store.js';
import { anywhereUnder, embeddedUnder, isObject, memberSchema } from './structural.js';
import type { JSONSchemaProps } from './types.js';

const TYPE_META = new Set(['apiVersion', 'kind', 'metadata']);

/** The fields of metav1.ObjectMeta: anything else in metadata is dropped, as kube's typed round trip drops it. */
const OBJECT_META = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences',
  'finalizers', 'managedFields']);

/** The normalize hook for one CRD version's schema. */
export function normalizer(schema: JSONSchemaProps): (obj: KObject) => void {
  // The object root always keeps apiVersion, kind and metadata, like an embedded resource.
  const root: JSONSchemaProps = { ...schema, 'x-kubernetes-embedded-resource': true };
  return (obj) => {
    prune(obj, root);
    pruneNulls(obj, root);
    coerceMetadata(obj, root);
    applyDefaults(obj, root);
  };
}

/**
 * Removes fields the schema does not specify (kube's pruning). Under x-kubernetes-preserve-unknown-fields unknown
 * fields stay (in list items too) while known ones are pruned by their own schema; `additionalProperties: true`
 * keeps the keys of a map but, having no schema for the values, prunes everything inside them.
 */
function prune(x: unknown, s: JSONSchemaProps | undefined, keepUnknown = s?.['x-kubernetes-preserve-unknown-fields'] === true): void {
  if (keepUnknown && !s) return;
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const v = x[k];
      if (s?.['x-kubernetes-embedded-resource'] && TYPE_META.has(k)) continue;
      if (s?.properties && Object.hasOwn(s.properties, k)) prune(v, s.properties[k]);
      else if (s?.additionalProperties !== undefined && s.additionalProperties !== false) prune(v, additional(s));
      else if (!keepUnknown) delete x[k];
    }
  } else if (Array.isArray(x)) {
    for (const v of x) prune(v, s?.items, keepUnknown || s?.items?.['x-kubernetes-preserve-unknown-fields'] === true);
  }
}

function additional(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
}

/**
 * Drops null members whose schema is not nullable and has no default (those with a default get it below). Where no
 * schema reaches (a Work's manifests) nothing is dropped, and the walk stops.
 */
function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const v = x[k];
      const sub = memberSchema(s, k);
      if (v === null && sub && !sub.nullable && sub.default === undefined) delete x[k];
      else pruneNulls(v, sub);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items);
  }
}

const defaultUnder = anywhereUnder((s) => s.default !== undefined);

/** Keeps only ObjectMeta's fields in the metadata of the object and of every embedded resource. */
function coerceMetadata(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s || !embeddedUnder(s)) return;
  if (isObject(x)) {
    if (s['x-kubernetes-embedded-resource'] && isObject(x.metadata))
      for (const k of Object.keys(x.metadata)) if (!OBJECT_META.has(k)) delete x.metadata[k];
    for (const [k, v] of Object.entries(x)) if (!(s['x-kubernetes-embedded-resource'] && k === 'metadata')) coerceMetadata(v, memberSchema(s, k));
  } else if (Array.isArray(x)) {
    for (const v of x) coerceMetadata(v, s.items);
  }
}

/**
 * Applies `default:` values wherever the parent object exists (kube's structural defaulting), including to
 * non-nullable nulls, and then inside the defaulted values themselves.
 */
function applyDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s || !defaultUnder(s)) return;
  if (isObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {}))
      if (prop.default !== undefined && (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop))) x[k] = structuredClone(prop.default);
    const ap = additional(s);
    for (const k of Object.keys(x)) {
      if (s.properties && Object.hasOwn(s.properties, k)) applyDefaults(x[k], s.properties[k]);
      else if (ap) {
        if (isNonNullableNull(x[k], ap) && ap.default !== undefined) x[k] = structuredClone(ap.default);
        applyDefaults(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    const items = s.items;
    x.forEach((v, i) => {
      if (items && isNonNullableNull(v, items) && items.default !== undefined) x[i] = structuredClone(items.default);
      applyDefaults(x[i], items);
    });
  }
}

function isNonNullableNull(v: unknown, s: JSONSchemaProps): boolean {
  return v === null && !s.nullable;
}

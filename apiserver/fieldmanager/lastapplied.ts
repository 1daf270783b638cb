// The client-side apply annotation when kubectl moves an object to server-side apply (kube's lastAppliedManager and
// lastAppliedUpdater, both only for the manager "kubectl"): conflicts on fields the annotation shows kubectl set, and
// that still hold that value, are forced through; and the annotation, where there is one, follows what is applied so
// a later client-side apply still diffs against the right configuration.
import type { KObject } from '../../storage/store.js';
import type { FieldSet } from './fieldpath.js';
import { cloneJSON, goJSON, isObject } from './json.js';
import type { TypeNode } from './schema.js';
import { compare, toFieldSet, validationMessage } from './typed.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** The only manager whose applies consult and maintain the annotation. */
export const KUBECTL = 'kubectl';
/** kube drops the annotation rather than exceed the total annotation size (TotalAnnotationSizeLimitB). */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

const lastApplied = (obj: KObject | undefined): string | undefined => {
  const v = obj?.metadata?.annotations?.[LAST_APPLIED];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * The fields kubectl may take over without conflict: those the annotation on live sets to the value live still has.
 * Undefined when there is no usable annotation (absent, unparsable, another version, or not of the kind's type).
 */
export function allowedConflicts(t: TypeNode, live: KObject | undefined, apiVersion: string): FieldSet | undefined {
  const text = lastApplied(live);
  if (text === undefined) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(last) || typeof last.kind !== 'string' || !last.kind || last.apiVersion !== apiVersion) return undefined;
  if (validationMessage(t, last) !== undefined) return undefined;
  const c = compare(t, last, live);
  return toFieldSet(t, last).difference(c.modified).difference(c.added).difference(c.removed);
}

/** Rewrites the annotation on the result of an apply, if it has one, to the configuration applied. */
export function syncLastApplied(result: KObject, applied: KObject): void {
  if (lastApplied(result) === undefined) return;
  const config = cloneJSON(applied);
  const own = config.metadata?.annotations;
  if (isObject(own)) delete own[LAST_APPLIED];
  const annotations = result.metadata!.annotations as Record<string, string>;
  // Encoded as Go's JSON encoder writes the object: sorted keys, a trailing newline.
  annotations[LAST_APPLIED] = goJSON(config) + '\n';
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > ANNOTATIONS_SIZE_LIMIT) delete annotations[LAST_APPLIED];
}

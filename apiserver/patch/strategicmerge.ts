// Strategic merge patch (application/strategic-merge-patch+json) as kube-apiserver applies it to built-in kinds:
// k8s.io/apimachinery strategicpatch.StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls, step
// for step, so merged objects, list orders and error texts come out as kube's do. Fields the schema does not
// describe merge as plain maps and replace as lists, like a JSON merge patch.
import { goS, goTypeName, goTypeString, goV } from './gofmt.js';
import { sliceStable } from './gosort.js';
import { PatchSchema, type PatchMeta, type SchemaSource } from './patchmeta.js';

type JsonMap = Record<string, unknown>;

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

/**
 * A patch kube rejects, with the answer kube gives:
 * - 400: BadRequest with this message (malformed $retainKeys, $deleteFromPrimitiveList/ or $setElementOrder/ keys,
 *   a body that is not a JSON object);
 * - 422: Invalid with kube's fixed message "the server rejected our request due to an error in our request" and
 *   empty details; this message is not shown (lists of lists);
 * - 500: every other patch error (missing merge key, unknown $patch, mistyped directive list...) takes kube's path
 *   for errors that are not API statuses: a Status with code 500, no reason, and this message;
 * - panicked (also 500): where kube's code panics, its panic filter answers text/plain
 *   "This request caused apiserver to panic. Look in the logs for details.\n" instead of a Status.
 */
export class StrategicMergePatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 | 500,
    readonly panicked = false,
  ) {
    super(message);
    this.name = 'StrategicMergePatchError';
  }
}

const fail = (message: string) => new StrategicMergePatchError(message, 500);
const badRequest = (message: string) => new StrategicMergePatchError(message, 400);
const panic = (message: string) => new StrategicMergePatchError(message, 500, true);
const badArgType = (expected: string, actual: unknown) => fail(`expected a ${expected}, but received a ${goTypeString(actual)}`);
const noMergeKey = (m: JsonMap, key: string) => fail(`map: ${goV(m)} does not contain declared merge key: ${key}`);
const badPatchType = (directive: unknown, m: JsonMap) => fail(`unknown patch type: ${goS(directive)} in map: ${goV(m)}`);
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

/**
 * Applies a strategic merge patch to `original` (the stored object) for the component schema `schemaName`, returning
 * the patched object; neither argument is modified. Throws StrategicMergePatchError where kube rejects the patch.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schemaName: string, schemas: SchemaSource): unknown {
  if (!isMap(original)) throw new TypeError('strategicMergePatch: the original must be a JSON object');
  // kube decodes the body into a map first: null leaves the map empty, anything but an object fails to decode.
  if (patch === null) return clone(original);
  if (!isMap(patch)) throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type ${MAP_TYPE}`);
  // kube merges into throwaway decoded copies, editing both in place; so does this, on copies of its own.
  return mergeMap(clone(original) as JsonMap, clone(patch) as JsonMap, PatchSchema.named(schemas, schemaName));
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (has(patch, DIRECTIVE)) return mapDirective(patch[DIRECTIVE], patch);
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);
  // kube visits the keys in Go's random map order; where that shows (a patch adding and deleting the same item, or
  // failing twice) any order is kube's, and this one is the patch's.
  for (const [key, patchV] of Object.entries(patch)) {
    // $deleteFromPrimitiveList/<field> is handled as <field>, its list naming the items to remove.
    const isDeleteList = key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const k = isDeleteList ? extractKey(key, DELETE_FROM_PRIMITIVE_LIST) : key;
    if (patchV === null) {
      delete original[k];
      continue;
    }
    if (!has(original, k) || goTypeName(original[k]) !== goTypeName(patchV)) {
      // A new or retyped value is taken from the patch, less its nulls and directives; a deletion list adds nothing.
      if (!isDeleteList) putPatchValue(original, k, patchV);
      continue;
    }
    const current = original[k];
    if (isMap(current)) {
      const { schema: sub, meta } = schema.field(k);
      put(original, k, patchStrategy(meta) === REPLACE ? patchV : mergeMap(current, patchV as JsonMap, sub));
    } else if (Array.isArray(current)) {
      const { schema: sub, meta } = schema.listField(k);
      put(original, k, mergeSliceHandler(current, patchV as unknown[], sub, patchStrategy(meta), meta.mergeKey, isDeleteList));
    } else {
      put(original, k, patchV);
    }
  }
  return original;
}

/** A map carrying $patch: replace is taken as it stands (nested directives and nulls included); delete empties it. */
function mapDirective(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === DELETE) return {};
  throw badPatchType(directive, patch);
}

/** $retainKeys: every key of the patch must be listed, and original keys not listed are cleared. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(BAD_RETAIN_KEYS);
  const retained = hashSet(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw badRequest(BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/**
 * $setElementOrder/<field>: merges <field> now and orders the result: items named in the directive in its order,
 * with the live list's other items interleaved by their live positions.
 */
function applySetElementOrder(original: JsonMap, patch: JsonMap, schema: PatchSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType(SLICE_TYPE, order);
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, field);
    const foundPatch = has(patch, field);
    const originalList = foundOriginal ? original[field] : [];
    const patchList = foundPatch ? patch[field] : [];
    if (!Array.isArray(originalList)) throw badArgType(SLICE_TYPE, originalList);
    if (!Array.isArray(patchList)) throw badArgType(SLICE_TYPE, patchList);
    const { schema: sub, meta } = schema.listField(field);
    const strategy = patchStrategy(meta);
    validateOrder(patchList, order, meta.mergeKey);
    if (!foundOriginal && !foundPatch) continue;

    let merged = originalList;
    let liveOrder = originalList;
    if (!foundOriginal) merged = removeDirectives(patchList) as unknown[];
    else if (foundPatch) {
      // kube's list surgery reuses the live list's backing array, and the live order it then sorts server-only items
      // by is that array: deleted items shifted out, new items written into the freed tail. mergeSlice edits
      // originalList the same way.
      const liveLength = originalList.length;
      merged = mergeSliceHandler(originalList, patchList, sub, strategy, meta.mergeKey, false);
      liveOrder = originalList.slice(0, liveLength);
    }
    const [patchItems, serverOnly] = meta.mergeKey ? partitionMaps(merged, order, meta.mergeKey) : partitionPrimitives(merged, order);
    const kind = sliceElementKind(liveOrder, patchList);
    put(original, field, normalizeElementOrder(patchItems, serverOnly, order, liveOrder, meta.mergeKey, kind));
    delete patch[field];
  }
}

/** The patch list's items (deletions aside) must appear in the $setElementOrder list, in the same order. */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? splitDeletions(patchList)[0] : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && has(items[p] as JsonMap, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length)
    throw fail(`The order in patch list:\n${goV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goV(order)}\n`);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return goEqual(left, right);
  if (!isMap(left)) throw badArgType(MAP_TYPE, left);
  if (!isMap(right)) throw badArgType(MAP_TYPE, right);
  if (!has(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

/** Lists with strategy merge are merged, and so is any deletion list; other lists are replaced by the patch's. */
function mergeSliceHandler(original: unknown[], patch: unknown[], schema: PatchSchema, strategy: string, mergeKey: string,
  isDeleteList: boolean): unknown[] {
  return strategy === MERGE || isDeleteList ? mergeSlice(original, patch, schema, mergeKey, isDeleteList) : patch;
}

/**
 * Merges a list: primitives as a set (or removes a deletion list's items), maps by merge key. `original` is edited
 * in place the way kube edits its backing array (see applySetElementOrder).
 */
function mergeSlice(original: unknown[], patch: unknown[], schema: PatchSchema, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  if (kind !== MAP_TYPE) {
    if (isDeleteList) return deleteFromSlice(original, patch);
    // kube deduplicates in an order of its own, but the normalization below fixes every item's place.
    const merged = [...new Set([...original, ...patch])];
    const [patchItems, serverOnly] = mergeKey ? partitionMaps(merged, patch, mergeKey) : partitionPrimitives(merged, patch);
    return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
  }
  if (!mergeKey) throw fail(`cannot merge lists without merge key for ${schema.kindName()}`);

  let length = original.length;
  const plain: JsonMap[] = [];
  let replace = false;
  for (const v of patch as JsonMap[]) {
    if (!has(v, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = v[DIRECTIVE];
    if (directive === DELETE) {
      if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
      length = deleteMatching(original, length, mergeKey, v[mergeKey]);
    } else if (directive === REPLACE) replace = true;
    else if (directive === MERGE) throw fail('merging lists cannot yet be specified in the patch');
    else throw badPatchType(directive, v);
  }
  if (replace) {
    // $patch: replace anywhere in the list makes its plain items the list, in their own order.
    const [, items] = partitionMaps(plain, [], mergeKey);
    return normalizeElementOrder([], items, [], plain, mergeKey, kind);
  }

  const kept = length;
  for (const v of plain) {
    if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    const i = findByKey(original, length, mergeKey, v[mergeKey]);
    if (i >= 0) original[i] = mergeMap(original[i] as JsonMap, v, schema);
    else original[length++] = v;
  }
  const [patchItems, serverOnly] = partitionMaps(original.slice(0, length), plain, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, plain, original.slice(0, kept), mergeKey, kind);
}

/** Removes every item whose merge key matches, shifting later items left; returns the new length. */
function deleteMatching(list: unknown[], length: number, key: string, value: unknown): number {
  for (let i = findByKey(list, length, key, value); i >= 0; i = findByKey(list, length, key, value)) {
    list.copyWithin(i, i + 1, length);
    length--;
  }
  return length;
}

function findByKey(list: unknown[], length: number, key: string, value: unknown): number {
  for (let i = 0; i < length; i++) {
    const item = list[i];
    if (!isMap(item)) throw fail(`value for key ${i} is not a map`);
    if (has(item, key) && goEqual(item[key], value)) return i;
  }
  return -1;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const deleted = hashSet(toDelete);
  return current.filter((v) => !deleted.has(hashable(v)));
}

/** Splits maps into those whose merge key appears among `by` and the rest. */
function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType(MAP_TYPE, v);
    if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByKey(by, by.length, mergeKey, v[mergeKey]) >= 0 ? present : absent).push(v);
  }
  return [present, absent];
}

function partitionPrimitives(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inBy = hashSet(by);
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const v of list) (inBy.has(hashable(v)) ? present : absent).push(v);
  return [present, absent];
}

/**
 * Sorts the patch's items by `patchOrder` and the server-only items by `serverOrder`, then interleaves them: a
 * server-only item goes first when the live list has it before the next patch item; otherwise the patch item does.
 */
function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[],
  mergeKey: string, kind: string): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const position = positions(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = position(left[i]);
    const ri = position(right[j]);
    out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
  }
  return out.concat(left.slice(i), right.slice(j));
}

/** Orders `toSort` by positions in `order`; deletion directives go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: string): unknown[] {
  let deletions: unknown[] = [];
  if (kind === MAP_TYPE) {
    for (const item of [...toSort, ...order]) {
      if (!isMap(item)) throw badArgType(MAP_TYPE, item);
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
    [toSort, deletions] = splitDeletions(toSort);
  }
  const position = positions(order, mergeKey, kind);
  // kube's comparison: by position when both are in `order`, otherwise "less" — sliceStable reproduces its outcome.
  sliceStable(toSort, (a, b) => {
    const pa = position(a);
    if (pa >= 0) {
      const pb = position(b);
      if (pb >= 0) return pa < pb;
    }
    return true;
  });
  return toSort.concat(deletions);
}

function splitDeletions(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const deletions: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType(MAP_TYPE, v);
    (v[DIRECTIVE] === DELETE ? deletions : keep).push(v);
  }
  return [keep, deletions];
}

/**
 * Finds an item's first position in `list` as kube's index() does: by merge key value for maps, by value otherwise,
 * compared with Go's == (a missing merge key is nil and matches another missing one).
 */
function positions(list: unknown[], mergeKey: string, kind: string): (item: unknown) => number {
  const keyOf = (item: unknown) => (kind !== MAP_TYPE ? item : isMap(item) && has(item, mergeKey) ? (item[mergeKey] ?? null) : null);
  const first = new Map<unknown, number>();
  const objectTypes = new Set<string>();
  list.forEach((item, i) => {
    const key = keyOf(item);
    if (isObject(key)) objectTypes.add(goTypeName(key));
    else if (!first.has(key)) first.set(key, i);
  });
  return (item) => {
    const key = keyOf(item);
    if (!isObject(key)) return first.get(key) ?? -1;
    if (objectTypes.has(goTypeName(key))) throw uncomparable(key);
    return -1;
  };
}

/** The one Go type of a list's items (all lists together); kube refuses mixed types and lists of lists. */
function sliceElementKind(...lists: unknown[][]): string {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goTypeName(v);
      if (kind === undefined) {
        if (t === 'nil') throw panic('runtime error: invalid memory address or nil pointer dereference');
        if (t === SLICE_TYPE) throw new StrategicMergePatchError('lists of lists are not supported', 422);
        kind = t;
      } else if (t !== kind) throw fail(`list element types are not identical: ${goV(lists)}`);
    }
  }
  if (kind === undefined) throw fail('no elements in any of the given slices');
  return kind;
}

function patchStrategy({ strategies }: PatchMeta): string {
  if (strategies.length <= 2) {
    const [a = '', b] = strategies;
    if (b === undefined) return a === RETAIN_KEYS_STRATEGY ? '' : a;
    if (a === RETAIN_KEYS_STRATEGY) return b;
    if (b === RETAIN_KEYS_STRATEGY) return a;
  }
  throw fail(`unexpected patch strategy: ${goV(strategies)}`);
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw badRequest(prefix === SET_ELEMENT_ORDER ? BAD_SET_ELEMENT_ORDER : BAD_PRIMITIVE_LIST);
  return key.slice(slash + 1);
}

function putPatchValue(original: JsonMap, key: string, value: unknown): void {
  discardNulls(value);
  const v = removeDirectives(value);
  if (v === undefined) delete original[key];
  else put(original, key, v);
}

function discardNulls(v: unknown): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

/** Drops every map carrying $patch (undefined when `v` itself is one). */
function removeDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(removeDirectives).filter((e) => e !== undefined);
  if (!isMap(v)) return v;
  if (has(v, DIRECTIVE)) return undefined;
  for (const k of Object.keys(v)) {
    const e = removeDirectives(v[k]);
    if (e === undefined) delete v[k];
    else put(v, k, e);
  }
  return v;
}

/** Go's == on interface values: equal types and values; comparing two maps or two slices panics. */
function goEqual(a: unknown, b: unknown): boolean {
  const t = goTypeName(a);
  if (t !== goTypeName(b)) return false;
  if (isObject(a)) throw uncomparable(a);
  return a === b || t === 'nil';
}

const uncomparable = (v: unknown) => panic(`runtime error: comparing uncomparable type ${goTypeName(v)}`);

/** Items used as Go map keys: maps and slices cannot be, and panic. */
function hashable(v: unknown): unknown {
  if (isObject(v)) throw panic(`runtime error: hash of unhashable type ${goTypeName(v)}`);
  return v ?? null;
}

function hashSet(list: unknown[]): Set<unknown> {
  return new Set(list.map(hashable));
}

function jsonKind(v: unknown): string {
  return Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
}

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function has(obj: JsonMap, key: string): boolean {
  return Object.hasOwn(obj, key);
}

function put(obj: JsonMap, key: string, value: unknown): void {
  // defineProperty keeps a "__proto__" member as data instead of setting the prototype.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const k of Object.keys(v)) put(out, k, clone(v[k]));
  return out;
}

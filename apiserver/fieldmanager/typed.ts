// Values walked under a type, as structured-merge-diff's typed package walks them: validation of an apply
// configuration, the set of fields a value names, the comparison of two objects, the merge of a configuration into an
// object and the removal of a set of fields. Values are plain JSON; `undefined` means absent, which is not `null`.
import { deepEqual } from '../../storage/json.js';
import { FieldSet, fieldElement, indexElement, keyElement, pathString, valueElement, type Path, type PathElement } from './fieldpath.js';
import { cloneJSON, goQuote, isObject } from './json.js';
import { DEDUCED, DEDUCED_LIST, DEDUCED_MAP, type ListType, type MapType, type ScalarKind, type TypeNode } from './schema.js';

/** The path element naming a list item; throws kube's text when the item cannot be named. */
function itemElement(t: ListType, item: unknown, index: number): PathElement {
  if (t.atomic) return indexElement(index);
  if (t.keys.length) {
    if (item === null) throw new Error('associative list with keys may not have a null element');
    if (!isObject(item)) throw new Error('associative list with keys may not have non-map elements');
    const fields: Record<string, unknown> = {};
    for (const k of t.keys) {
      const v = item[k] !== undefined ? item[k] : t.keyDefault(k);
      if (v === undefined)
        throw new Error(`associative list with keys has an element that omits key field ${goQuote(k)} (and doesn't have default value)`);
      fields[k] = v;
    }
    return keyElement(fields);
  }
  if (isObject(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error('not supported: associative list with lists as elements');
  if (item === null) throw new Error("associative list without keys has an element that's an explicit null");
  return valueElement(item);
}

/** The element of an item of a stored list, which may not be valid: an item that cannot be named goes by position. */
function storedItemElement(t: ListType, item: unknown, index: number): PathElement {
  try {
    return itemElement(t, item, index);
  } catch {
    return indexElement(index);
  }
}

/** A list's items by element, in first-seen order; duplicates stay together. */
interface IndexedList {
  order: PathElement[];
  items: Map<PathElement, unknown[]>;
}

function indexList(t: ListType, list: unknown): IndexedList {
  const out: IndexedList = { order: [], items: new Map() };
  if (!Array.isArray(list)) return out;
  list.forEach((item, i) => {
    const pe = storedItemElement(t, item, i);
    const seen = out.items.get(pe);
    if (seen) seen.push(item);
    else {
      out.items.set(pe, [item]);
      out.order.push(pe);
    }
  });
  return out;
}

const isEmptyContainer = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

/**
 * The granular map or list type the values are walked as, or undefined when they are a leaf: scalars, atomic
 * containers, and values whose shape contradicts the type. A deduced type takes the shape of the (right-most) value;
 * null deduces to a map, as in structured-merge-diff.
 */
function granular(t: TypeNode, a: unknown, b?: unknown): MapType | ListType | undefined {
  let node = t;
  if (node.kind === 'deduced') {
    const v = b ?? a;
    // Deduced lists are atomic and scalars are leaves.
    if (v !== undefined && v !== null && !isObject(v)) return undefined;
    node = DEDUCED_MAP;
  }
  const fits = (is: (v: unknown) => boolean) => (a == null || is(a)) && (b == null || is(b));
  if (node.kind === 'map' && !node.atomic && fits(isObject)) return node;
  if (node.kind === 'list' && !node.atomic && fits(Array.isArray)) return node;
  return undefined;
}

const mapEntryType = (t: MapType, key: string): TypeNode => t.field(key) ?? t.elem ?? DEDUCED;

// ---- validation ----

// Go's %v of a decoded JSON value, which kube's type errors print.
function goValue(v: unknown): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  return String(v);
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  return typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : 'string';
}

function scalarError(kind: ScalarKind, v: unknown): string | undefined {
  switch (kind) {
    case 'numeric':
      return typeof v === 'number' ? undefined : `expected numeric (int or float), got ${goType(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `expected string, got &value.valueUnstructured{Value:${goValue(v)}}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected boolean, got &{${goValue(v)}}`;
    default:
      return typeof v !== 'object' ? undefined : `expected any scalar, got &{${goValue(v)}}`;
  }
}

interface ValidationError {
  path: Path;
  message: string;
}

function validateAt(t: TypeNode, v: unknown, path: PathElement[], errs: ValidationError[]): void {
  if (v === undefined || v === null || t.kind === 'deduced') return;
  const fail = (message: string) => errs.push({ path: [...path], message });
  if (t.kind === 'scalar') {
    const msg = scalarError(t.scalar, v);
    if (msg) fail(msg);
  } else if (t.kind === 'map') {
    if (!isObject(v)) return void fail(`expected map, got &{${goValue(v)}}`);
    for (const k of Object.keys(v)) {
      const ft = t.field(k) ?? t.elem;
      path.push(fieldElement(k));
      if (!ft) {
        // kube stops at the first undeclared field of a map.
        fail('field not declared in schema');
        path.pop();
        return;
      }
      validateAt(ft, v[k], path, errs);
      path.pop();
    }
  } else {
    if (!Array.isArray(v)) return void fail(`expected list, got &{${goValue(v)}}`);
    const seen = new Set<PathElement>();
    for (let i = 0; i < v.length; i++) {
      let pe: PathElement;
      try {
        pe = itemElement(t, v[i], i);
      } catch (e) {
        // An item that cannot be named ends the list's validation.
        return void fail(`element ${i}: ${(e as Error).message}`);
      }
      if (seen.has(pe)) fail(`duplicate entries for key ${pathString([pe])}`);
      seen.add(pe);
      path.push(pe);
      validateAt(t.elem, v[i], path, errs);
      path.pop();
    }
  }
}

/** kube's text for a value that does not conform to its type, or undefined when it conforms. */
export function validationMessage(t: TypeNode, v: unknown): string | undefined {
  const errs: ValidationError[] = [];
  validateAt(t, v, [], errs);
  const text = (e: ValidationError) => (e.path.length ? `${pathString(e.path)}: ${e.message}` : e.message);
  if (!errs.length) return undefined;
  return errs.length === 1 ? text(errs[0]) : ['errors:', ...errs.map((e) => '  ' + text(e))].join('\n');
}

// ---- field sets ----

/** Adds to `parent` what the value at its element `pe` sets: pe itself for a leaf, else what the value holds. */
function collectAt(t: TypeNode, v: unknown, parent: FieldSet, pe: PathElement): void {
  const g = granular(t, v);
  if (!g) return void parent.members.add(pe);
  if (v === null) return;
  const node = new FieldSet();
  collectInto(g, v, node);
  if (!node.empty) parent.children.set(pe, node);
}

function collectInto(g: MapType | ListType, v: unknown, node: FieldSet): void {
  if (g.kind === 'map') {
    for (const [k, cv] of Object.entries(v as object)) {
      if (cv === undefined) continue;
      const declared = g.field(k);
      const pe = fieldElement(k);
      collectAt(declared ?? g.elem ?? DEDUCED, cv, node, pe);
      // Entries of free-form maps are owned themselves; struct fields only through what they hold.
      if (!declared) node.members.add(pe);
    }
    return;
  }
  const { order, items } = indexList(g, v);
  for (const pe of order) {
    const occurrences = items.get(pe)!;
    // A duplicated item is owned as a whole.
    if (occurrences.length === 1) collectAt(g.elem, occurrences[0], node, pe);
    node.members.add(pe);
  }
}

/** The fields a value sets: leaves, list items, free-form map entries (kube's ToFieldSet). */
export function toFieldSet(t: TypeNode, v: unknown): FieldSet {
  const out = new FieldSet();
  const g = granular(t, v);
  if (g && v !== null && v !== undefined) collectInto(g, v, out);
  return out;
}

/**
 * The set with every declared struct field that has owned fields below it made a member too, so that removing the
 * set removes such fields when they end up empty (kube's EnsureNamedFieldsAreMembers).
 */
export function withNamedFields(set: FieldSet, t: TypeNode | undefined): FieldSet {
  if (!set.children.size) return set;
  const out = new FieldSet();
  for (const m of set.members) out.members.add(m);
  const asMap = t?.kind === 'map' ? t : t?.kind === 'deduced' ? DEDUCED_MAP : undefined;
  const asList = t?.kind === 'list' ? t : t?.kind === 'deduced' ? DEDUCED_LIST : undefined;
  for (const [pe, child] of set.children) {
    let ct: TypeNode | undefined;
    if (pe[0] === 'f' && asMap) {
      const declared = asMap.field(pe.slice(2));
      if (declared) out.members.add(pe);
      ct = declared ?? asMap.elem;
    } else if (pe[0] === 'k' && asList) ct = asList.elem;
    out.children.set(pe, withNamedFields(child, ct));
  }
  return out;
}

// ---- comparison ----

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function compareLeaf(l: unknown, r: unknown, path: Path, c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function compareAt(t: TypeNode, l: unknown, r: unknown, path: PathElement[], c: Comparison): void {
  const g = granular(t, l, r);
  // Two empty (or null) containers compare as leaves, which keeps {} and null apart.
  if (!g || (isEmptyContainer(l) && isEmptyContainer(r))) return compareLeaf(l, r, path, c);
  if (g.kind === 'map') {
    const lm = isObject(l) ? l : {};
    const rm = isObject(r) ? r : {};
    for (const k of Object.keys(lm)) {
      if (lm[k] === undefined) continue;
      path.push(fieldElement(k));
      compareAt(mapEntryType(g, k), lm[k], rm[k], path, c);
      path.pop();
    }
    for (const k of Object.keys(rm)) {
      if (lm[k] !== undefined || rm[k] === undefined) continue;
      path.push(fieldElement(k));
      compareAt(mapEntryType(g, k), undefined, rm[k], path, c);
      path.pop();
    }
  } else {
    const li = indexList(g, l);
    const ri = indexList(g, r);
    const item = (pe: PathElement) => {
      const ls = li.items.get(pe);
      const rs = ri.items.get(pe);
      path.push(pe);
      if ((ls?.length ?? 0) > 1 || (rs?.length ?? 0) > 1) compareLeaf(ls, rs, path, c);
      else compareAt(g.elem, ls?.[0], rs?.[0], path, c);
      path.pop();
    };
    li.order.forEach(item);
    ri.order.filter((pe) => !li.items.has(pe)).forEach(item);
  }
  // A container that appears or disappears as a whole is itself added or removed.
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

/** The fields added, modified and removed from lhs to rhs (kube's typed Compare). */
export function compare(t: TypeNode, lhs: unknown, rhs: unknown): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(t, lhs, rhs, [], c);
  return c;
}

// ---- merge ----

function mergeList(t: ListType, l: unknown, r: unknown): unknown[] {
  const li = indexList(t, l);
  const ri = indexList(t, r);
  const out: unknown[] = [];
  const mergeItem = (pe: PathElement) => {
    const ls = li.items.get(pe);
    const rItem = ri.items.get(pe)![0];
    // Applying an item replaces all duplicates of it.
    out.push(ls?.length === 1 ? merge(t.elem, ls[0], rItem) : cloneJSON(rItem));
  };
  // Items both sides have keep the configuration's order; items only the object has stay where they were relative
  // to them, and new items come before the next shared one (kube's merge order).
  const shared = ri.order.filter((pe) => li.items.has(pe));
  let s = 0;
  let lI = 0;
  let rI = 0;
  while (lI < li.order.length || rI < ri.order.length) {
    if (lI < li.order.length && rI < ri.order.length) {
      const pe = li.order[lI];
      if (pe === ri.order[rI]) {
        mergeItem(pe);
        lI++;
        rI++;
        s++;
        continue;
      }
      if (ri.items.has(pe) && s < shared.length && shared[s] !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < li.order.length && !ri.items.has(li.order[lI])) {
      for (const item of li.items.get(li.order[lI])!) out.push(cloneJSON(item));
      lI++;
      continue;
    }
    // Here rI is in range: an object item still pending here is a shared one, whose turn comes from this side.
    const pe = ri.order[rI++];
    mergeItem(pe);
    if (shared[s] === pe) s++;
  }
  return out;
}

/** The configuration r merged into the object l: leaves and atomic values from r win. A fresh copy. */
export function merge(t: TypeNode, l: unknown, r: unknown): unknown {
  if (r === undefined) return cloneJSON(l);
  if (l === undefined) return cloneJSON(r);
  const g = granular(t, l, r);
  if (!g || (isEmptyContainer(l) && isEmptyContainer(r))) return cloneJSON(r);
  if (g.kind === 'list') return mergeList(g, l, r);
  const lm = isObject(l) ? l : {};
  const rm = isObject(r) ? r : {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(lm)) {
    const v = merge(mapEntryType(g, k), lm[k], rm[k]);
    if (v !== undefined) out[k] = v;
  }
  for (const k of Object.keys(rm)) if (lm[k] === undefined && rm[k] !== undefined) out[k] = cloneJSON(rm[k]);
  return out;
}

// ---- removal ----

/**
 * The value without the fields in set (a member goes with everything below it). A map or list left empty by the
 * removal is dropped from its parent: kube leaves a null that decoding into the kind's type (or pruning of custom
 * resources) then drops.
 */
export function removeFields(t: TypeNode, v: unknown, set: FieldSet): unknown {
  if (set.empty || isEmptyContainer(v)) return v;
  const g = granular(t, v);
  if (!g) return v;
  if (g.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const [k, cv] of Object.entries(v as object)) {
      const pe = fieldElement(k);
      if (set.members.has(pe)) continue;
      const below = set.children.get(pe);
      const kept = below ? removeFields(mapEntryType(g, k), cv, below) : cv;
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length ? out : undefined;
  }
  const out: unknown[] = [];
  (v as unknown[]).forEach((item, i) => {
    const pe = storedItemElement(g, item, i);
    if (set.members.has(pe)) return;
    const below = set.children.get(pe);
    const kept = below ? removeFields(g.elem, item, below) : item;
    if (kept !== undefined) out.push(kept);
  });
  return out.length ? out : undefined;
}

// Field paths and sets of them, as sigs.k8s.io/structured-merge-diff models ownership, and their FieldsV1 wire form.
//
// A path element is kept as its FieldsV1 key: "f:name" (a field), "k:{...}" (a map-list item by its keys, keys in
// sorted order), "v:..." (a set item by its JSON value) or "i:3" (an index, only inside atomic lists). Serialized
// canonically, two elements are equal exactly when their strings are, so sets are plain Maps and Sets of strings;
// the structured order kube sorts FieldsV1 by is only needed when encoding.
import { goJSON, goQuote, isObject } from './json.js';

export type PathElement = string;
export type Path = readonly PathElement[];

const NEEDS_GO_ESCAPE = /[<>&\u2028\u2029]/;

// goJSON, without its detour for the scalars list items are named by.
function scalarJSON(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return goJSON(v);
  const s = JSON.stringify(v);
  return NEEDS_GO_ESCAPE.test(s) ? goJSON(v) : s;
}

export const fieldElement = (name: string): PathElement => 'f:' + name;
export const valueElement = (v: unknown): PathElement => 'v:' + scalarJSON(v);
export const indexElement = (i: number): PathElement => 'i:' + i;

export function keyElement(fields: Record<string, unknown>): PathElement {
  let s = 'k:{';
  for (const name of Object.keys(fields).sort()) s += (s.length > 3 ? ',' : '') + scalarJSON(name) + ':' + scalarJSON(fields[name]);
  return s + '}';
}

// Every write of an object decodes and sorts the same item elements again, so what is parsed out of them is
// remembered, in bounded memos.
const MEMO_SIZE = 10_000;

function memoized<T>(compute: (key: string) => T): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    if (memo.has(key)) return memo.get(key)!;
    const value = compute(key);
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(key, value);
    return value;
  };
}

const canonicalItemElement = memoized((key) => parseElement(key));

function canonicalElement(key: string): PathElement | undefined {
  return key[0] === 'f' && key[1] === ':' ? key : canonicalItemElement(key);
}

/** The element's text for a valid FieldsV1 key, canonicalized; undefined for element kinds kube ignores. */
function parseElement(key: string): PathElement | undefined {
  if (key.length < 2 || key[1] !== ':') throw new Error(`invalid path element ${goQuote(key)}`);
  const body = key.slice(2);
  switch (key[0]) {
    case 'k': {
      const fields = JSON.parse(body) as unknown;
      if (!isObject(fields)) throw new Error(`invalid key ${goQuote(key)}`);
      return keyElement(fields);
    }
    case 'v':
      return valueElement(JSON.parse(body));
    case 'i': {
      const i = Number(body);
      if (!Number.isInteger(i)) throw new Error(`invalid index ${goQuote(key)}`);
      return indexElement(i);
    }
    default:
      return undefined;
  }
}

// Go's value.Compare: numbers < strings < booleans < lists < maps < null.
function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  return v === null ? 5 : 4;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) - (b as number);
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return Number(a) - Number(b);
    case 3:
      return compareSequences(a as unknown[], b as unknown[], compareValues);
    case 4:
      return compareFieldLists(a as Record<string, unknown>, b as Record<string, unknown>);
    default:
      return 0;
  }
}

function compareSequences<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): number {
  for (let i = 0; ; i++) {
    if (i >= a.length) return i >= b.length ? 0 : -1;
    if (i >= b.length) return 1;
    const c = cmp(a[i], b[i]);
    if (c !== 0) return c;
  }
}

// Keys compare field by field in name order, name first, then value; a shorter list sorts first.
function compareFieldLists(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const fa = Object.keys(a).sort();
  const fb = Object.keys(b).sort();
  return compareSequences(fa.map((k) => [k, a[k]] as const), fb.map((k) => [k, b[k]] as const),
    (x, y) => compareStrings(x[0], y[0]) || compareValues(x[1], y[1]));
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** An element with what it is ordered by: its kind, then its name, keys, value or index. */
interface SortKey {
  pe: PathElement;
  rank: number;
  body: unknown;
}

const itemSortKey = memoized((pe): SortKey => {
  const kind = pe[0];
  return { pe, rank: KIND_ORDER[kind], body: kind === 'i' ? Number(pe.slice(2)) : JSON.parse(pe.slice(2)) };
});

const sortKey = (pe: PathElement): SortKey => (pe[0] === 'f' ? { pe, rank: 0, body: pe } : itemSortKey(pe));

function compareSortKeys(a: SortKey, b: SortKey): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  switch (a.rank) {
    case 0:
      return compareStrings(a.pe, b.pe);
    case 1:
      return compareFieldLists(a.body as Record<string, unknown>, b.body as Record<string, unknown>);
    case 2:
      return compareValues(a.body, b.body);
    default:
      return (a.body as number) - (b.body as number);
  }
}

/** Sorts elements (in place) into kube's PathElement order: fields, then keys, then values, then indexes. */
function sortElements(pes: PathElement[]): PathElement[] {
  // Field names alone sort as plain strings.
  if (pes.every((pe) => pe[0] === 'f')) return pes.sort();
  return pes.map(sortKey).sort(compareSortKeys).map((k) => k.pe);
}

// value.ToString, as conflict messages print key and set values.
function valueString(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(', ')}]`;
  if (isObject(v)) return Object.keys(v).map((k) => `${k}=${valueString(v[k])}`).join('');
  return String(v);
}

/** The path as kube prints it: `.spec.containers[name="app"].image`, `.metadata.finalizers[="x"]`, `[0]`. */
export function pathString(path: Path): string {
  let s = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        s += '.' + body;
        break;
      case 'k': {
        const fields = JSON.parse(body) as Record<string, unknown>;
        s += `[${Object.keys(fields).map((k) => `${k}=${valueString(fields[k])}`).join(',')}]`;
        break;
      }
      case 'v':
        s += `[=${valueString(JSON.parse(body))}]`;
        break;
      default:
        s += `[${body}]`;
    }
  }
  return s;
}

/**
 * A set of field paths, as a tree: `members` are the paths ending at this node, `children` the subtrees below.
 * Invariant: no child is empty, so emptiness is a size check. Sets returned by the operations share subtrees with
 * their operands and are never mutated after they are built.
 */
export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static readonly EMPTY = new FieldSet();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  get empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** Adds a path (only while building a fresh set). The empty path names the whole object, which nobody owns. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let child = node.children.get(path[i]);
      if (!child) node.children.set(path[i], (child = new FieldSet()));
      node = child;
    }
    node.members.add(path[path.length - 1]);
  }

  has(path: Path): boolean {
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]);
    return path.length > 0 && !!node && node.members.has(path[path.length - 1]);
  }

  union(o: FieldSet): FieldSet {
    if (o.empty) return this;
    if (this.empty) return o;
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const m of o.members) out.members.add(m);
    for (const [pe, c] of this.children) out.children.set(pe, c);
    for (const [pe, c] of o.children) {
      const mine = out.children.get(pe);
      out.children.set(pe, mine ? mine.union(c) : c);
    }
    return out;
  }

  /** Paths in this set and not in o (a member of o does not take the subtree below it). */
  difference(o: FieldSet): FieldSet {
    if (o.empty || this.empty) return this;
    return this.filtered((m) => !o.members.has(m), (pe, c) => {
      const theirs = o.children.get(pe);
      return theirs ? c.difference(theirs) : c;
    });
  }

  /** Like difference, but a member of o also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.empty || this.empty) return this;
    return this.filtered((m) => !o.members.has(m), (pe, c) => {
      if (o.members.has(pe)) return FieldSet.EMPTY;
      const theirs = o.children.get(pe);
      return theirs ? c.recursiveDifference(theirs) : c;
    });
  }

  intersection(o: FieldSet): FieldSet {
    if (this.empty || o.empty) return FieldSet.EMPTY;
    return this.filtered((m) => o.members.has(m), (pe, c) => {
      const theirs = o.children.get(pe);
      return theirs ? c.intersection(theirs) : FieldSet.EMPTY;
    });
  }

  private filtered(keepMember: (m: PathElement) => boolean, childOf: (pe: PathElement, c: FieldSet) => FieldSet): FieldSet {
    const out = new FieldSet();
    let same = true;
    for (const m of this.members) {
      if (keepMember(m)) out.members.add(m);
      else same = false;
    }
    for (const [pe, c] of this.children) {
      const next = childOf(pe, c);
      if (next !== c) same = false;
      if (!next.empty) out.children.set(pe, next);
    }
    return same ? this : out;
  }

  /** Every path, members before subtrees, each level in kube's element order (the order conflicts are listed in). */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = sortElements([...this.members]).map((m) => [...prefix, m]);
    for (const pe of sortElements([...this.children.keys()])) out.push(...this.children.get(pe)!.paths([...prefix, pe]));
    return out;
  }

  /** The FieldsV1 form: sorted keys, "." first where a node is both a member and has children, `{}` for leaves. */
  toFieldsV1(): Record<string, unknown> {
    return this.encode(false);
  }

  private encode(self: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = self ? { '.': {} } : {};
    const keys = [...this.members];
    for (const pe of this.children.keys()) if (!this.members.has(pe)) keys.push(pe);
    for (const pe of sortElements(keys)) {
      const child = this.children.get(pe);
      out[pe] = child ? child.encode(this.members.has(pe)) : {};
    }
    return out;
  }

  /** Parses FieldsV1; keys are canonicalized, element kinds kube does not know are dropped as kube drops them. */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (!isObject(fields)) throw new Error('FieldsV1 must be a JSON object');
    const out = new FieldSet();
    for (const [key, value] of Object.entries(fields)) {
      if (key === '.') continue;
      const pe = canonicalElement(key);
      if (pe === undefined) continue;
      const sub = FieldSet.fromFieldsV1(value ?? {});
      const self = isObject(value) && '.' in value;
      // A node with no (known) children is a member, as is one marked ".".
      if (sub.empty || self) out.members.add(pe);
      if (!sub.empty) out.children.set(pe, out.children.has(pe) ? out.children.get(pe)!.union(sub) : sub);
    }
    return out;
  }
}

import * as crypto from 'node:crypto';

// JSON.parse gives every string value its own copy. The controller-manager caches every Work and every object it
// propagated, and their values repeat: at 20,000 Works a heap snapshot held 148,000 copies of the namespace's name
// and 37,000 of the same 360-character label list: strings were 98 of its 221 MB of live heap. Cached objects
// share one copy of each string instead.

/** Longer strings are rarely equal, and every entry of the table costs memory whether it is shared or not. */
const MAX_INTERNED_LENGTH = 512;

/** SHA-256 in base64; one-shot where Node has it (20.12 and later), which costs half of a Hash object per call. */
const sha256: (text: string) => string = crypto.hash
  ? (text) => crypto.hash('sha256', text, 'base64')
  : (text) => crypto.createHash('sha256').update(text).digest('base64');

/**
 * A bounded table of canonical strings. When it is full it starts again empty: strings that repeat are found again
 * at once, and strings that never repeat (names, uids) cannot make it grow without bound.
 */
export class StringTable {
  private strings = new Map<string, string>();

  constructor(private readonly capacity = 200_000) {}

  intern(s: string): string {
    if (s.length > MAX_INTERNED_LENGTH) return s;
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size >= this.capacity) this.strings = new Map();
    this.strings.set(s, s);
    return s;
  }

  get size(): number {
    return this.strings.size;
  }
}

/**
 * Replaces, in place, every string value in a parsed JSON value by table's copy of it. Returns value. Frozen parts
 * are left alone: they are shared subtrees (SubtreeTable), interned when they were entered.
 */
export function internStrings<T>(value: T, table: StringTable): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'string') value[i] = table.intern(v);
      else if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) internStrings(v, table);
    }
  } else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'string') obj[k] = table.intern(v);
      else if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) internStrings(v, table);
    }
  }
  return value;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

// Shared strings are not enough: a Deployment propagated to 20 members is cached 40 times, as the manifest of 20 Works
// and as the object in 20 members, each with its own parsed copy of the same spec. At 40,000 Works the specs were
// a fifth of the controller-manager's live heap, and the conditions and reflected statuses, which repeat as much (the
// same reason, message and second), a tenth. Cached objects share one copy of each of those subtrees instead.

/**
 * A bounded table of canonical JSON subtrees, keyed by a digest of their text: keyed by the text itself, a full table
 * held 13 MiB of keys in a controller-manager, and most of the scheduler's table (binding specs, which do not repeat)
 * was keys. Entered subtrees are frozen, deeply: a cached object is read-only, and with parts of it shared a write to
 * it would change other objects too, so one fails at once. When full it starts again empty, as StringTable does.
 */
export class SubtreeTable {
  private trees = new Map<string, object>();

  constructor(
    private readonly strings: StringTable,
    private readonly capacity = 20_000,
  ) {}

  /** The table's copy of a subtree equal to tree; tree itself, interned and frozen, if it has none. */
  share<T extends object>(tree: T): T {
    // SHA-256, not a cheaper hash: objects' contents come from users, and a collision would show one object's spec in another.
    const key = sha256(JSON.stringify(tree));
    const known = this.trees.get(key);
    if (known !== undefined) return known as T;
    if (this.trees.size >= this.capacity) this.trees = new Map();
    deepFreeze(internStrings(tree, this.strings));
    this.trees.set(key, tree);
    return tree;
  }

  get size(): number {
    return this.trees.size;
  }
}

type Parsed = { kind?: unknown; metadata?: any; spec?: any; status?: any };

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * Replaces, in place, the parts of a freshly parsed object that repeat across objects by table's copies of them: its
 * finalizers, spec, status.conditions and a binding's status.aggregatedStatus; for a Work, whose own spec holds the
 * manifests (and with them labels unique to the Work), the spec of each manifest and each reflected status instead of
 * its spec. Returns obj.
 */
export function shareSubtrees<T extends object>(obj: T, table: SubtreeTable): T {
  const o = obj as Parsed;
  if (Array.isArray(o.metadata?.finalizers)) o.metadata.finalizers = table.share(o.metadata.finalizers);
  if (o.kind === 'Work') {
    const manifests: unknown = o.spec?.workload?.manifests;
    if (Array.isArray(manifests)) for (const m of manifests) if (isObject(m)) shareSubtrees(m, table);
    const statuses: unknown = o.status?.manifestStatuses;
    if (Array.isArray(statuses)) for (const s of statuses) if (isObject(s) && isObject((s as Parsed).status)) (s as Parsed).status = table.share((s as Parsed).status);
  } else if (isObject(o.spec)) {
    o.spec = table.share(o.spec);
  }
  const status: { conditions?: unknown; aggregatedStatus?: unknown } | undefined = isObject(o.status) ? o.status : undefined;
  if (Array.isArray(status?.conditions)) status.conditions = table.share(status.conditions);
  // Bindings placed by one policy on the same clusters end up with equal aggregated statuses once their workloads are
  // ready: 7,500 bindings of 20 clusters each held 37 MiB of a heap with their own copies, and 16 MiB sharing them.
  if (Array.isArray(status?.aggregatedStatus)) status.aggregatedStatus = table.share(status.aggregatedStatus);
  return obj;
}

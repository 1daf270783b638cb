// JSON.parse gives every string value its own copy. The controller-manager caches every Work and every object it
// propagated, and their values repeat: at 20,000 Works a heap snapshot held 148,000 copies of the namespace's name
// and 37,000 of the same 360-character label list: strings were 98 of its 221 MB of live heap. Cached objects
// share one copy of each string instead.

/** Longer strings are rarely equal, and every entry of the table costs memory whether it is shared or not. */
const MAX_INTERNED_LENGTH = 512;

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

/** Replaces, in place, every string value in a parsed JSON value by table's copy of it. Returns value. */
export function internStrings<T>(value: T, table: StringTable): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'string') value[i] = table.intern(v);
      else if (typeof v === 'object' && v !== null) internStrings(v, table);
    }
  } else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'string') obj[k] = table.intern(v);
      else if (typeof v === 'object' && v !== null) internStrings(v, table);
    }
  }
  return value;
}

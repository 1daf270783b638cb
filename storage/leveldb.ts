// The LevelDB-backed Store. Every change and the new global resourceVersion go into one atomic LevelDB batch, so the
// counter survives restarts and crashes together with the data it versions. Writes are validated synchronously
// against the latest state (committed or queued), given the next resourceVersion, and queued; one writer loop commits
// whatever has queued up as a single batch (group commit), then records and broadcasts the events in order.
import { ClassicLevel } from 'classic-level';
import type { Logger } from 'pino';
import { Broadcaster } from './broadcaster.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { DEFLATED, EventHistory, PLAIN, type HistoryEvent } from './history.js';
import { deepEqual } from './json.js';
import {
  rememberWritten,
  StorageError,
  type KObject,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Store,
  type StoreEvent,
  type Watcher,
  type WatchOptions,
} from './store.js';

// Objects live under "o" + key and bookkeeping under "m", so no object key can collide with the counter and a
// prefix scan never meets it.
const OBJECT = 'o';
const RESOURCE_VERSION_KEY = 'mresourceVersion';
// Like etcd's first revision: clients read "0" as "any version", so no list may ever report it.
const INITIAL_RV = 1;
const MAX_BATCH = 1000;
/** How many recently written keys keep their latest version parsed (see LevelStore.recent). */
const RECENT_KEYS = 512;
const LIST_CHUNK = 1000;
/**
 * How many bytes one step of an iterator may read. classic-level's default (16 KiB) ends a step after a handful of
 * objects, and every step is a trip through the thread pool and then a wait for the event loop: on a busy apiserver
 * the 80 steps of one page of 500 Works took up to 4.5 s. The page is held whole anyway (but see scan's last step).
 */
const SCAN_BYTES = 64 * 1024 * 1024;

/** The size of a scan's next step while want entries are still wanted: the last one is read alone (see scan). */
function nextStep(want: number): number {
  return want > 1 ? Math.min(want - 1, LIST_CHUNK) : 1;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter.';
const MODIFIED_CONFLICT = 'the object has been modified; please apply your changes to the latest version and try again';

export interface LevelStoreOptions {
  /** Keep at least this many of the newest events for watches and continued lists (default 10,000). */
  historyCount?: number;
  /** Keep every event younger than this (default 5 minutes). */
  historyAgeMs?: number;
  /**
   * Overrides both: drop the oldest events while the history's deflated JSON text is longer than this (default 48
   * MiB, about as many events as 128 MiB of the text before it was deflated). A burst of writes is all younger than
   * historyAgeMs, and this is what bounds the memory it takes.
   */
  historyBytes?: number;
  /**
   * Keep the history's texts deflated (the default), for 40% of their length at a few tens of µs per write; false
   * keeps them as they are, and historyBytes then counts their plain length (default 128 MiB).
   */
  deflateHistory?: boolean;
  /**
   * Table files LevelDB keeps open (default 74, the least it allows: 64 tables). LevelDB maps each open table file
   * into memory, and a cold start reads every object (the collector's graph, the controllers' lists): with its
   * default of 1,000 every table of a 235 MB store stayed mapped, 262 of an apiserver's 542 MiB of RSS at 100,000
   * Works. A table read after it was closed costs about 20 µs more to open again.
   */
  maxOpenFiles?: number;
  /**
   * Bytes of writes LevelDB gathers in memory before it writes them out as a table (default 16 MiB; LevelDB's own is
   * 4 MiB). Every table is merged into the next level's again and again, and with keys written all over the range
   * each merge rewrites most of that level: with 4 MiB, LevelDB's background merges took more than a quarter of an
   * apiserver's CPU in a burst of Work writes (34 of 124 CPU seconds; 11 with 16 MiB). Larger tables mean fewer
   * merges, and a second write of a key (a Work's status after its create) that lands while the first is still in
   * memory replaces it there. It costs up to twice this in memory, the table being written and the next one filling.
   */
  writeBufferSize?: number;
  logger?: Logger;
  /**
   * fsync every batch. Without it an acknowledged write is in the OS page cache (survives a process kill, not a
   * power loss).
   */
  sync?: boolean;
}

/**
 * A stored text and the object parsed from it on first use. Most written objects are never looked at again in this
 * process: a JSON watch sends the text on, and four writes in five come before the next write of their key, which
 * would read the object, or after it has left the recent keys. Parsing each at once was about 4% of the apiserver's
 * CPU in a burst. A version refers to nothing but its text and object, so an event or entry that keeps one keeps no
 * older version alive.
 */
class Version {
  constructor(
    readonly json: string,
    private parsed?: KObject,
  ) {}

  get obj(): KObject {
    return (this.parsed ??= JSON.parse(this.json) as KObject);
  }
}

/** The latest version of a key, as a write starts from it. */
class Current extends Version {
  constructor(
    json: string,
    readonly rv: string,
    parsed?: KObject,
    /** obj is also the object watchers were sent (kept in LevelStore.recent). */
    readonly shared = false,
  ) {
    super(json, parsed);
  }
}

interface Mutation {
  /** event.json is the value to store; without one the key is deleted. */
  event: StoreEvent;
  /** The stored text event.prevObject was parsed from: the history keeps this instead of the object. */
  prevJson: string | undefined;
  result: KObject;
  resolve: (obj: KObject) => void;
  reject: (err: unknown) => void;
}

export class LevelStore implements Store {
  private readonly history: EventHistory;
  private readonly broadcaster: Broadcaster;
  /** Latest state of every key with a queued or in-flight write; everything else is read from LevelDB. */
  private readonly pending = new Map<string, { rv: number; json: string | undefined }>();
  /**
   * The latest version of the keys written last, oldest first, as text and as the object watchers were sent. An
   * update often follows a write of the same key closely (a workload's status after the member's simulator saw it
   * created, a binding's status after its spec), and reading it back from LevelDB and parsing it again is then
   * wasted. In a 40,000-Work burst every update of the simulated members found its key here (166,000; their CPU 142
   * seconds against 154), and a fifth of the apiserver's did (a Work's status comes too late); 2,048 keys did no
   * better and held 30 MiB more of the apiserver.
   */
  private readonly recent = new Map<string, Current>();
  private queue: Mutation[] = [];
  /** The batch LevelDB is writing: a snapshot may already see it before its events reach the history. */
  private inflight: Mutation[] = [];
  private flushing?: Promise<void>;
  /** Counts writes queued and batches abandoned: either may change what readJson returns for some key. */
  private queuedWrites = 0;
  private closing?: Promise<void>;
  private committedRv: number;
  private assignedRv: number;

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    rv: number,
    private readonly opts: LevelStoreOptions,
  ) {
    this.committedRv = this.assignedRv = rv;
    const deflate = opts.deflateHistory ?? true;
    this.history = new EventHistory(
      { count: opts.historyCount ?? 10_000, ageMs: opts.historyAgeMs ?? 5 * 60_000, bytes: opts.historyBytes ?? (deflate ? 48 : 128) * 1024 * 1024 },
      rv,
      deflate ? DEFLATED : PLAIN,
    );
    this.broadcaster = new Broadcaster(opts.logger);
  }

  static async open(dir: string, opts: LevelStoreOptions = {}): Promise<LevelStore> {
    const db = new ClassicLevel<string, string>(dir, { maxOpenFiles: opts.maxOpenFiles ?? 74, writeBufferSize: opts.writeBufferSize ?? 16 * 1024 * 1024 });
    await db.open();
    try {
      return new LevelStore(db, parseRv(await db.get(RESOURCE_VERSION_KEY)), opts);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  currentResourceVersion(): number {
    return this.committedRv;
  }

  // Synchronous reads: a LevelDB read costs this thread a few microseconds, the hand-off of an asynchronous one to the
  // thread pool and back several times that.
  async get(key: string): Promise<KObject | undefined> {
    const json = this.db.getSync(OBJECT + key);
    return json === undefined ? undefined : (JSON.parse(json) as KObject);
  }

  async getEncoded(key: string): Promise<Buffer | undefined> {
    return this.db.getSync<string, Buffer>(OBJECT + key, { valueEncoding: 'buffer' });
  }

  async create(key: string, obj: KObject): Promise<KObject> {
    this.assertOpen(key);
    const rv = this.assignedRv + 1;
    const { stamped, json } = stamp(key, obj, rv);
    if (obj.metadata?.resourceVersion) {
      throw new StorageError('InvalidObject', key, 'resourceVersion should not be set on objects to be created');
    }
    if (this.readJson(key) !== undefined) throw new StorageError('KeyExists', key);
    this.assignedRv = rv;
    const latest = new Current(json, String(rv), undefined, true);
    return this.enqueue(new StoredEvent('ADDED', key, rv, latest), undefined, stamped, latest);
  }

  async update(key: string, obj: KObject, expectedResourceVersion?: string): Promise<KObject> {
    this.assertOpen(key);
    const current = this.readCurrent(key);
    if (!current) throw new StorageError('KeyNotFound', key);
    if (expectedResourceVersion !== undefined && expectedResourceVersion !== current.rv) {
      throw new StorageError('Conflict', key, MODIFIED_CONFLICT);
    }
    return this.replace(key, obj, current);
  }

  async guaranteedUpdate(key: string, tryUpdate: (current: KObject) => KObject | Promise<KObject>): Promise<KObject> {
    for (;;) {
      this.assertOpen(key);
      const current = this.readCurrent(key);
      if (!current) throw new StorageError('KeyNotFound', key);
      const queued = this.queuedWrites;
      const next = await tryUpdate(current.obj);
      if (next === current.obj) return this.unchanged(current);
      this.assertOpen(key);
      // Any write in between changed the stored text: start over from the new state. Comparing the text spares
      // parsing it again, and with no write queued at all since it was read it cannot have changed.
      if (this.queuedWrites !== queued && this.readJson(key) !== current.json) continue;
      return this.replace(key, next, current);
    }
  }

  /** Queues obj over current, which must still be the latest state of key. */
  private replace(key: string, obj: KObject, current: Current): Promise<KObject> {
    const rv = this.assignedRv + 1;
    const { stamped, json } = stamp(key, obj, rv);
    // As in kube, writing back identical content is not a change: no new resourceVersion, no event. Content is the
    // JSON value, not its text: the same object with its members in another order (kubectl replace of an unchanged
    // manifest) is no change either. Reordering keeps the text's length, so the length test still spares the
    // comparison for most real changes, and equal text spares the walk over both objects.
    if (json.length - String(rv).length === current.json.length - current.rv.length) {
      if (sameButVersion(json, String(rv), current.json, current.rv) || deepEqual(withResourceVersion(obj, current.rv), current.obj)) {
        return Promise.resolve(this.unchanged(current));
      }
    }
    this.assignedRv = rv;
    const latest = new Current(json, String(rv), undefined, true);
    return this.enqueue(new StoredEvent('MODIFIED', key, rv, latest, current), current.json, stamped, latest);
  }

  async delete(key: string, preconditions: Preconditions = {}): Promise<KObject> {
    this.assertOpen(key);
    const current = this.readCurrent(key);
    if (!current) throw new StorageError('KeyNotFound', key);
    const uid = current.obj.metadata?.uid;
    if (preconditions.uid !== undefined && preconditions.uid !== uid) {
      throw new StorageError(
        'Conflict',
        key,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${uid ?? ''}`,
      );
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== current.rv) {
      throw new StorageError(
        'Conflict',
        key,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ` +
          `ResourceVersion in object meta: ${current.rv}`,
      );
    }
    const rv = ++this.assignedRv;
    const tombstone = withResourceVersion(current.obj, String(rv));
    const result = withResourceVersion(JSON.parse(current.json) as KObject, String(rv));
    return this.enqueue({ type: 'DELETED', key, object: tombstone, prevObject: current.obj, rv }, current.json, result);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const page = await this.listEncoded(prefix, opts);
    return { ...page, items: page.items.map((json) => JSON.parse(json.toString()) as KObject) };
  }

  async listEncoded(prefix: string, opts: ListOptions = {}): Promise<ListResult<Buffer>> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const resume = opts.continue ? decodeContinue(prefix, opts.continue) : undefined;
    const snapshot = this.db.snapshot();
    try {
      // The counter is read from the same snapshot as the data, so the reported version is exactly what the scan
      // sees, even when a batch lands between taking the snapshot and reading from it. Read at once: one key, where a
      // read through the thread pool would wait a turn of a busy event loop.
      const seenRv = parseRv(this.db.getSync(RESOURCE_VERSION_KEY, { snapshot }));
      const atRv = resume?.resourceVersion ?? seenRv;
      if (atRv > seenRv) {
        throw new StorageError('InvalidContinue', prefix, 'continue key is not valid: resourceVersion is in the future');
      }
      const startKey = resume?.startKey ?? prefix;
      const rewound = atRv < seenRv ? this.stateBefore(prefix, startKey, atRv, seenRv) : [];
      // One entry beyond the page tells whether another page follows.
      const entries = await this.scan(snapshot, prefix, startKey, limit + 1, rewound);
      const more = entries.length > limit;
      if (more) entries.length = limit;
      const result: ListResult<Buffer> = { items: entries.map((e) => e.json), resourceVersion: atRv };
      if (more) {
        const last = entries[limit - 1].key;
        if (opts.countRemaining) {
          // Counting the rest of the range on every page made a paged list of n objects cost n²/limit key reads (40 s
          // of a controller-manager's start with 100,000 Works): the first page counts, later ones subtract.
          const carried = resume?.remaining === undefined ? undefined : resume.remaining - limit;
          result.remainingItemCount = carried !== undefined && carried > 0 ? carried : await this.countAfter(snapshot, prefix, last, rewound);
        }
        result.continue = encodeContinue(prefix, last, atRv, result.remainingItemCount);
      }
      return result;
    } finally {
      await snapshot.close();
    }
  }

  watch(prefix: string, opts: WatchOptions, onEvent: (e: StoreEvent) => void): Watcher {
    this.assertOpen(prefix);
    const fromRv = opts.resourceVersion ?? this.committedRv;
    const oldest = this.history.completeAfter;
    if (fromRv < oldest) throw new StorageError('Expired', prefix, `too old resource version: ${fromRv} (${oldest})`);
    // Replay and subscribe in one synchronous step: no commit can slip in between, so there is no gap; the
    // subscriber skips anything at or below what replay covered, so there is no duplicate.
    for (const event of this.history.between(fromRv)) {
      if (event.key.startsWith(prefix)) onEvent(replayed(event));
    }
    return this.broadcaster.subscribe(prefix, Math.max(fromRv, this.history.lastRv), onEvent);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flushing;
      this.broadcaster.clear();
      await this.db.close();
    })();
    return this.closing;
  }

  private assertOpen(key: string): void {
    if (this.closing) throw new Error(`storage is closed (${key})`);
  }

  private readJson(key: string): string | undefined {
    const recent = this.recent.get(key);
    if (recent) return recent.json;
    const pending = this.pending.get(key);
    // Synchronous so that checking and queueing a write cannot interleave with another write to the same key.
    return pending ? pending.json : this.db.getSync(OBJECT + key);
  }

  private readCurrent(key: string): Current | undefined {
    const recent = this.recent.get(key);
    if (recent) return recent;
    const json = this.readJson(key);
    if (json === undefined) return undefined;
    const obj = JSON.parse(json) as KObject;
    return new Current(json, String(obj.metadata?.resourceVersion), obj);
  }

  /** current as the answer to a write that changed nothing: callers may change what they are answered. */
  private unchanged(current: Current): KObject {
    return current.shared ? (JSON.parse(current.json) as KObject) : current.obj;
  }

  /** latest: the key's new version, when the change leaves one (the event's own, shared). */
  private enqueue(event: StoreEvent, prevJson: string | undefined, result: KObject, latest?: Current): Promise<KObject> {
    this.queuedWrites++;
    this.pending.set(event.key, { rv: event.rv, json: event.json });
    this.recent.delete(event.key);
    if (latest) {
      // The event's object is never changed by those it is sent to: it is the next change's prevObject as well, parsed
      // once by whichever needs it first.
      this.recent.set(event.key, latest);
      if (this.recent.size > RECENT_KEYS) this.recent.delete(this.recent.keys().next().value!);
      rememberWritten(result, latest.json);
    }
    return new Promise<KObject>((resolve, reject) => {
      this.queue.push({ event, prevJson, result, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // Let writes issued in the same tick join the first batch.
    await undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inflight = batch;
      // A chained batch: an array of operations cost this thread four to five times as much per write (abstract-level
      // copies and checks each operation, and the binding reads each one's properties).
      const ops = this.db.batch();
      try {
        for (const { event } of batch) {
          if (event.json === undefined) ops.del(OBJECT + event.key);
          else ops.put(OBJECT + event.key, event.json);
        }
        ops.put(RESOURCE_VERSION_KEY, String(batch[batch.length - 1].event.rv));
        await ops.write({ sync: this.opts.sync ?? false });
      } catch (err) {
        // A write closes its batch, whatever its outcome; one that failed before it is closed here.
        await ops.close();
        this.inflight = [];
        this.abandon(batch, err);
        continue;
      }
      this.inflight = [];
      this.commit(batch);
    }
    this.flushing = undefined;
  }

  private commit(batch: Mutation[]): void {
    const now = Date.now();
    this.committedRv = batch[batch.length - 1].event.rv;
    for (const { event, prevJson } of batch) {
      if (this.pending.get(event.key)?.rv === event.rv) this.pending.delete(event.key);
      this.history.append({ type: event.type, key: event.key, rv: event.rv, json: event.json, prevJson }, now);
    }
    this.history.trim(now);
    for (const { event } of batch) this.broadcaster.dispatch(event);
    for (const m of batch) m.resolve(m.result);
  }

  /**
   * Every queued write was checked against state that included the failed batch, so none of them may land: reject
   * them all and fall back to what LevelDB holds. Their resourceVersions are simply never used.
   */
  private abandon(batch: Mutation[], err: unknown): void {
    const queued = this.queue.splice(0);
    this.pending.clear();
    this.recent.clear();
    this.queuedWrites++;
    this.opts.logger?.error({ err, writes: batch.length + queued.length }, 'storage batch failed; writes rejected');
    for (const m of batch) m.reject(err);
    for (const m of queued) m.reject(err);
  }

  /**
   * For keys under prefix (from startKey on) changed after atRv and up to seenRv: their stored text at atRv
   * (undefined if they did not exist), in key order. The first change after atRv carries that state as its prevJson.
   */
  private stateBefore(prefix: string, startKey: string, atRv: number, seenRv: number): [string, string | undefined][] {
    if (atRv < this.history.completeAfter) throw new StorageError('Expired', prefix, CONTINUE_EXPIRED);
    const before = new Map<string, string | undefined>();
    // prevJson is read only for the keys it is wanted for: the history inflates it on each read.
    const note = (key: string, prevJson: () => string | undefined) => {
      if (key >= startKey && key.startsWith(prefix) && !before.has(key)) before.set(key, prevJson());
    };
    for (const event of this.history.between(atRv, seenRv)) note(event.key, () => event.prevJson);
    for (const { event, prevJson } of this.inflight) if (event.rv > atRv && event.rv <= seenRv) note(event.key, () => prevJson);
    return [...before].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Up to `want` objects' JSON from the snapshot, in key order, with the rewound keys replaced by their older state. */
  private async scan(
    snapshot: ReturnType<ClassicLevel<string, string>['snapshot']>,
    prefix: string,
    startKey: string,
    want: number,
    rewound: [string, string | undefined][],
  ): Promise<{ key: string; json: Buffer }[]> {
    const out: { key: string; json: Buffer }[] = [];
    let r = 0;
    const takeRewound = () => {
      const [key, json] = rewound[r++];
      if (json !== undefined) out.push({ key, json: Buffer.from(json) });
    };
    // Values as bytes: they are passed on as they are, outside the JavaScript heap.
    const it = this.db.iterator<string, Buffer>({ gte: OBJECT + startKey, lt: successor(OBJECT + prefix), snapshot, valueEncoding: 'buffer', highWaterMarkBytes: SCAN_BYTES });
    let held = 0;
    try {
      while (out.length < want) {
        const chunk = await it.nextv(nextStep(want - out.length));
        held = chunk.length;
        if (chunk.length === 0) break;
        for (const [storedKey, json] of chunk) {
          const key = storedKey.slice(OBJECT.length);
          while (r < rewound.length && rewound[r][0] < key && out.length < want) takeRewound();
          if (out.length >= want) break;
          if (r < rewound.length && rewound[r][0] === key) takeRewound();
          else out.push({ key, json });
          if (out.length >= want) break;
        }
      }
      // classic-level keeps an iterator's last step in native memory until the iterator is garbage-collected, which
      // closing it does not hasten: pages read in one step grew a process by hundreds of MiB. So the last step reads
      // one entry (nextStep), and when rewound keys filled the page before that, a step of one entry lets the rest go.
      if (held > 1) await it.nextv(1);
    } finally {
      await it.close();
    }
    while (r < rewound.length && out.length < want) takeRewound();
    return out;
  }

  /** How many objects under prefix come after lastKey in what scan() shows: the snapshot, rewound keys as they were. */
  private async countAfter(
    snapshot: ReturnType<ClassicLevel<string, string>['snapshot']>,
    prefix: string,
    lastKey: string,
    rewound: [string, string | undefined][],
  ): Promise<number> {
    const later = rewound.filter(([key]) => key > lastKey);
    let count = later.filter(([, json]) => json !== undefined).length;
    const counted = new Set(later.map(([key]) => OBJECT + key));
    const it = this.db.keys({ gt: OBJECT + lastKey, lt: successor(OBJECT + prefix), snapshot, highWaterMarkBytes: SCAN_BYTES });
    try {
      for (let chunk = await it.nextv(LIST_CHUNK); chunk.length > 0; chunk = await it.nextv(LIST_CHUNK)) {
        for (const storedKey of chunk) if (!counted.has(storedKey)) count++;
      }
    } finally {
      await it.close();
    }
    return count;
  }
}

function parseRv(raw: string | undefined): number {
  if (raw === undefined) return INITIAL_RV;
  const rv = Number(raw);
  if (!Number.isSafeInteger(rv) || rv < INITIAL_RV) throw new Error(`corrupt resourceVersion record: ${raw}`);
  return rv;
}

/** A retained event as watchers are sent it: its objects are parsed on first use. */
function replayed(event: Readonly<HistoryEvent>): StoreEvent {
  const { type, key, rv } = event;
  if (type === 'DELETED') {
    const prevObject = JSON.parse(event.prevJson!) as KObject;
    return { type, key, rv, object: withResourceVersion(prevObject, String(rv)), prevObject };
  }
  return new StoredEvent(type, key, rv, new Version(event.json!), event.prevJson === undefined ? undefined : new Version(event.prevJson));
}

/** An event of a stored version, and of the version before it; each object is parsed when first read. */
class StoredEvent implements StoreEvent {
  constructor(
    readonly type: 'ADDED' | 'MODIFIED',
    readonly key: string,
    readonly rv: number,
    private readonly version: Version,
    private readonly previous?: Version,
  ) {}

  get json(): string {
    return this.version.json;
  }

  get object(): KObject {
    return this.version.obj;
  }

  get prevJson(): string | undefined {
    return this.previous?.json;
  }

  get prevObject(): KObject | undefined {
    return this.previous?.obj;
  }
}

function withResourceVersion(obj: KObject, rv: string): KObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
}

/**
 * Whether json, which stamp wrote with resourceVersion rv, is oldJson with oldRv in its place: the text stamp would write
 * with oldRv, found without writing it (a second JSON.stringify of the object on every write that keeps its length, such
 * as a status patch that moves a number). The first occurrence of the version may be another field's (a binding's
 * spec.resource.resourceVersion); the answer is then false, never a wrong true: that text would still hold rv where
 * oldJson's metadata holds oldRv. A false answer only costs the comparison of the objects.
 */
function sameButVersion(json: string, rv: string, oldJson: string, oldRv: string): boolean {
  const marker = `"resourceVersion":"${rv}"`;
  const oldMarker = `"resourceVersion":"${oldRv}"`;
  const at = json.indexOf(marker);
  return (
    at >= 0 &&
    oldJson.startsWith(oldMarker, at) &&
    json.slice(0, at) === oldJson.slice(0, at) &&
    json.slice(at + marker.length) === oldJson.slice(at + oldMarker.length)
  );
}

function stamp(key: string, obj: KObject, rv: number | string): { stamped: KObject; json: string } {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new StorageError('InvalidObject', key, `object to store must be a JSON object: ${key}`);
  }
  const stamped = withResourceVersion(obj, String(rv));
  try {
    return { stamped, json: JSON.stringify(stamped) };
  } catch (err) {
    throw new StorageError('InvalidObject', key, `object is not JSON-serialisable: ${(err as Error).message}`);
  }
}

/** The smallest string above every string that starts with s (s is never empty here). */
function successor(s: string): string {
  return s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);
}

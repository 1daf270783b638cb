// The storage contract the apiserver depends on. Nothing here is LevelDB-specific: an etcd backend must be able to
// implement it unchanged. Objects are plain JSON values (Kubernetes objects); the store owns
// metadata.resourceVersion and writes it into every object it returns.

export type KObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any>;
  [field: string]: any;
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  key: string;
  /** The object after the change; for DELETED, the last state with the deletion's resourceVersion. */
  object: KObject;
  /** object as stored, as JSON text (ADDED and MODIFIED): watchers send it on without serialising object again. */
  json?: string;
  /** The object before the change (MODIFIED and DELETED). */
  prevObject?: KObject;
  /** prevObject as stored, as JSON text, where the store has it at hand. */
  prevJson?: string;
  /** The global resourceVersion of this change. */
  rv: number;
}

export interface ListOptions {
  /** Page size; 0 or undefined means everything. */
  limit?: number;
  /** Opaque token from a previous page's ListResult.continue. */
  continue?: string;
  /**
   * Also count the objects after a page that has a next one (ListResult.remainingItemCount). It costs a keys-only
   * pass over the rest of the range, so only callers that report the count ask for it.
   */
  countRemaining?: boolean;
}

export interface ListResult<T = KObject> {
  items: T[];
  /** The resourceVersion the snapshot was taken at (that of the first page for continued lists). */
  resourceVersion: number;
  /** Set when more items remain. */
  continue?: string;
  /** How many objects the later pages hold, as of resourceVersion; set with continue when countRemaining asked for it. */
  remainingItemCount?: number;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  /**
   * Deliver every change after this resourceVersion. Undefined means "from now". Throws StorageError 'Expired' when
   * the history no longer reaches back that far. Taken literally: 0 is not kube's "any version" (that is for the
   * caller to translate), and a version not reached yet delivers the changes after it once they happen.
   */
  resourceVersion?: number;
}

export interface Watcher {
  stop(): void;
}

export interface Store {
  get(key: string): Promise<KObject | undefined>;
  /** get(), as the stored JSON bytes. */
  getEncoded(key: string): Promise<Buffer | undefined>;
  /**
   * Every object whose key starts with prefix, in key order, over one consistent snapshot (across pages too). A
   * continue token older than the event history fails with 'Expired', a malformed one with 'InvalidContinue'.
   */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** list(), with every item as its stored JSON bytes: a list passed on unchanged is neither parsed nor re-serialised. */
  listEncoded(prefix: string, opts?: ListOptions): Promise<ListResult<Buffer>>;
  /**
   * Fails with 'KeyExists' when the key is present, and with 'InvalidObject' when obj already carries a
   * resourceVersion (kube: "resourceVersion should not be set on objects to be created").
   */
  create(key: string, obj: KObject): Promise<KObject>;
  /**
   * Replaces the object. When expectedResourceVersion is given and differs from the stored one, fails with
   * 'Conflict'; a missing key fails with 'KeyNotFound'. Writing back content identical to the stored object (the
   * same JSON value, whatever the order of object members) is not a change: nothing is written, no event is sent and
   * the stored object is returned.
   */
  update(key: string, obj: KObject, expectedResourceVersion?: string): Promise<KObject>;
  /**
   * Read-modify-write: calls tryUpdate with the current object until the write lands without a concurrent change.
   * tryUpdate must not modify that object (it is also the change's prevObject): it returns a new one, or the same
   * reference it was given, which means "no change" and writes nothing. tryUpdate may throw to abort.
   */
  guaranteedUpdate(key: string, tryUpdate: (current: KObject) => KObject | Promise<KObject>): Promise<KObject>;
  /** Returns the deleted object, carrying the deletion's resourceVersion. */
  delete(key: string, preconditions?: Preconditions): Promise<KObject>;
  /**
   * Calls onEvent, in resourceVersion order and without gaps, for every change under prefix after
   * opts.resourceVersion. Events given to onEvent are shared between watchers and must not be mutated.
   */
  watch(prefix: string, opts: WatchOptions, onEvent: (e: StoreEvent) => void): Watcher;
  /** The resourceVersion of the latest committed write (a fresh store starts at 1, never 0). */
  currentResourceVersion(): number;
  close(): Promise<void>;
}

// What a store wrote for each object it returned from create, update or guaranteedUpdate: serialising the object
// again for the response costs the apiserver as much as a tenth of a write. Valid while the object is left as it
// was returned, which callers do (a written object is only answered with, never changed).
const written = new WeakMap<KObject, string>();

/** Notes that obj, as returned from a write, is exactly json. */
export function rememberWritten(obj: KObject, json: string): void {
  written.set(obj, json);
}

/** The JSON text a store wrote for obj, when obj is an object a write returned. */
export function writtenJSON(obj: KObject): string | undefined {
  return written.get(obj);
}

export type StorageErrorCode = 'KeyNotFound' | 'KeyExists' | 'Conflict' | 'Expired' | 'InvalidContinue' | 'InvalidObject';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message?: string,
  ) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
  }
}

// A Store that keeps its keys under a prefix of another Store, so that many small API instances (simulated member
// clusters) share one database. resourceVersions come from the shared store: still unique and increasing.
import type { KObject, ListOptions, ListResult, Preconditions, Store, StoreEvent, WatchOptions, Watcher } from './store.js';

export class PrefixedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly prefix: string,
  ) {}

  get(key: string): Promise<KObject | undefined> {
    return this.inner.get(this.prefix + key);
  }

  getEncoded(key: string): Promise<Buffer | undefined> {
    return this.inner.getEncoded(this.prefix + key);
  }

  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.inner.list(this.prefix + prefix, opts);
  }

  listEncoded(prefix: string, opts?: ListOptions): Promise<ListResult<Buffer>> {
    return this.inner.listEncoded(this.prefix + prefix, opts);
  }

  create(key: string, obj: KObject): Promise<KObject> {
    return this.inner.create(this.prefix + key, obj);
  }

  update(key: string, obj: KObject, expectedResourceVersion?: string): Promise<KObject> {
    return this.inner.update(this.prefix + key, obj, expectedResourceVersion);
  }

  guaranteedUpdate(key: string, tryUpdate: (current: KObject) => KObject | Promise<KObject>): Promise<KObject> {
    return this.inner.guaranteedUpdate(this.prefix + key, tryUpdate);
  }

  delete(key: string, preconditions?: Preconditions): Promise<KObject> {
    return this.inner.delete(this.prefix + key, preconditions);
  }

  watch(prefix: string, opts: WatchOptions, onEvent: (e: StoreEvent) => void): Watcher {
    const strip = this.prefix.length;
    return this.inner.watch(this.prefix + prefix, opts, (e) => onEvent(new UnprefixedEvent(e, e.key.slice(strip))));
  }

  currentResourceVersion(): number {
    return this.inner.currentResourceVersion();
  }

  /** The shared store is closed by its owner. */
  async close(): Promise<void> {}
}

/** An event of the inner store under its key here; its objects are read from it only when asked for, as it parses them. */
class UnprefixedEvent implements StoreEvent {
  constructor(
    private readonly inner: StoreEvent,
    readonly key: string,
  ) {}

  get type(): StoreEvent['type'] {
    return this.inner.type;
  }

  get rv(): number {
    return this.inner.rv;
  }

  get json(): string | undefined {
    return this.inner.json;
  }

  get object(): KObject {
    return this.inner.object;
  }

  get prevJson(): string | undefined {
    return this.inner.prevJson;
  }

  get prevObject(): KObject | undefined {
    return this.inner.prevObject;
  }
}

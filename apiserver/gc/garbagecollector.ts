// The garbage collector: deletes objects whose owners are gone, and carries out Foreground and Orphan deletion of
// owners (kube's pkg/controller/garbagecollector, run inside the apiserver). The owner→dependents graph is derived
// from the store at start and kept current from its watch; every decision re-reads the objects it acts on.
import type { Logger } from 'pino';
import { StorageError, type KObject, type Store, type StoreEvent, type Watcher } from '../../storage/store.js';
import { WorkQueue } from '../../controllers/runtime/workqueue.js';
import { StringTable } from '../../controllers/runtime/intern.js';
import { APIError } from '../errors.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from '../registry/resourcestore.js';
import type { Registry } from '../registry/registry.js';

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
}

interface Node {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  owners: readonly string[];
  /** Owners whose reference has blockOwnerDeletion: their foreground deletion waits for this object. */
  blocks: readonly string[];
}

/**
 * Objects read per page at start. The graph keeps a few fields of each object; reading a whole resource at once held
 * all of its objects parsed (100,000 Works at a cold start), and the heap that grew for them stayed.
 */
const START_PAGE_SIZE = 500;

/** The owners an object blocks the deletion of, when it blocks none: one empty list for all. */
const NONE: readonly string[] = Object.freeze([]);

/** Whether an object's deletion waits for the collector: it carries the orphan or the foreground finalizer. */
function awaitsCollector(meta: Record<string, any>): boolean {
  return !!meta.deletionTimestamp && !!meta.finalizers?.some((f: string) => f === FINALIZER_ORPHAN || f === FINALIZER_FOREGROUND);
}

/**
 * Whether a stored object may be one the graph holds (see observe): one that has owners or is being deleted names
 * them in its text, and the store writes keys as JSON.stringify does, unescaped. Most objects (Works, templates) are
 * neither, and parsing every object to find that out took 5.1 s of the apiserver's first 12 s in a cold start with
 * 40,000 Works. A match in a value only costs a parse.
 */
function mayBeNode(json: Buffer | string): boolean {
  return json.includes('"ownerReferences"') || json.includes('"deletionTimestamp"');
}

function sameRefs(a: Node, b: Node): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.owners, b.owners) && same(a.blocks, b.blocks);
}

export class GarbageCollector {
  private readonly nodes = new Map<string, Node>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue: WorkQueue<string>;
  /** The apiVersions, kinds and namespaces of the nodes, one copy each. */
  private readonly names = new StringTable(10_000);
  private watcher?: Watcher;
  private synced?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly pageSize = START_PAGE_SIZE,
  ) {
    this.queue = new WorkQueue((uid) => this.process(uid), (uid, err) => this.logger.warn({ uid, err: String(err) }, 'garbage collection failed, will retry'), { workers: 2 });
  }

  /**
   * Reads the graph in the background and then watches: the apiserver serves meanwhile, as kube-apiserver does while
   * kube-controller-manager's collector syncs (at a cold start with 100,000 Works the read held the first request
   * back 5–7 s). Nothing is collected before the graph is whole, and what is written meanwhile the watch replays.
   * Resolves once the collector watches, or has stopped; a read that fails is tried again.
   */
  start(): Promise<void> {
    this.synced ??= this.sync();
    return this.synced;
  }

  private async sync(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const from = this.store.currentResourceVersion();
        this.nodes.clear();
        this.dependents.clear();
        for (const rt of this.registry.storedResources()) {
          if (this.stopped) return;
          await this.observeAll(this.registry.storeFor(rt).prefix());
        }
        if (this.stopped) return;
        // Throws Expired when the writes made during the read have already left the history: read again.
        this.watcher = this.store.watch('/registry/', { resourceVersion: from }, (e) => this.onEvent(e));
        for (const uid of this.nodes.keys()) this.queue.add(uid);
        return;
      } catch (err) {
        this.logger.warn({ err: String(err) }, 'reading the object graph failed; reading it again');
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5_000)));
      }
    }
  }

  /**
   * Observes every object under prefix, page by page. The watch started afterwards replays what changed since start
   * began, so pages need not be one snapshot: a continue token that expires starts the resource again.
   */
  private async observeAll(prefix: string): Promise<void> {
    let token: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.store.listEncoded(prefix, { limit: this.pageSize, continue: token });
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'Expired' && token !== undefined)) throw err;
        token = undefined;
        continue;
      }
      for (const json of page.items) if (mayBeNode(json)) this.observe(JSON.parse(json.toString()));
      if (!page.continue || this.stopped) return;
      token = page.continue;
    }
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.queue.stop();
  }

  /** Resolves when no work is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private onEvent(e: StoreEvent): void {
    if (e.type !== 'DELETED' && e.json !== undefined && !mayBeNode(e.json)) {
      // Most writes: an object the graph does not hold now, whose text need not be parsed for it. The graph drops the
      // previous version if it may have held it (its owners were taken off).
      const uid = e.prevJson === undefined || mayBeNode(e.prevJson) ? e.prevObject?.metadata?.uid : undefined;
      if (uid !== undefined) this.forget(uid);
      return;
    }
    const uid = e.object.metadata?.uid;
    if (!uid) return;
    if (e.type === 'DELETED') {
      const node = this.nodes.get(uid);
      this.forget(uid);
      for (const dep of this.dependents.get(uid) ?? []) this.queue.add(dep);
      // An owner waiting in foreground deletion re-checks when a dependent goes.
      for (const owner of node?.owners ?? []) if (this.nodes.has(owner)) this.queue.add(owner);
      return;
    }
    const before = this.nodes.get(uid);
    this.observe(e.object);
    if (awaitsCollector(e.object.metadata!)) this.queue.add(uid);
    // As kube's graph builder: a dependent's owners are checked when it appears and when its references change, not
    // on every write (a status update leaves them as they were; an owner's deletion queues its dependents).
    const after = this.nodes.get(uid);
    if (after?.owners.length && (!before || !sameRefs(before, after))) this.queue.add(uid);
  }

  private observe(obj: KObject): void {
    const meta = obj.metadata!;
    const uid: string = meta.uid;
    this.forget(uid);
    const refs = ((meta.ownerReferences ?? []) as OwnerReference[]).filter((r) => r.uid);
    // The graph holds the objects the collector acts on: those with owners, and those whose deletion waits for it.
    // What an owner's deletion needs of its dependents is theirs; a node for every object (100,000 Works, which have
    // no owners) was 16 MiB of an apiserver's live heap at 40,000 Works.
    if (!refs.length && !awaitsCollector(meta)) return;
    const owners = refs.map((r) => r.uid);
    const blocking = refs.filter((r) => r.blockOwnerDeletion === true);
    const blocks = blocking.length ? blocking.map((r) => r.uid) : NONE;
    const names = this.names;
    this.nodes.set(uid, {
      apiVersion: names.intern(obj.apiVersion!),
      kind: names.intern(obj.kind!),
      namespace: meta.namespace === undefined ? undefined : names.intern(meta.namespace),
      name: meta.name,
      owners,
      blocks,
    });
    for (const o of owners) {
      let set = this.dependents.get(o);
      if (!set) this.dependents.set(o, (set = new Set()));
      set.add(uid);
    }
  }

  private forget(uid: string): void {
    const node = this.nodes.get(uid);
    if (!node) return;
    this.nodes.delete(uid);
    for (const o of node.owners) {
      const set = this.dependents.get(o);
      set?.delete(uid);
      if (set?.size === 0) this.dependents.delete(o);
    }
  }

  private storeFor(node: { apiVersion: string; kind: string }) {
    const rt = this.registry.forKind(node.apiVersion, node.kind);
    return rt && this.registry.storeFor(rt);
  }

  private async read(node: Node): Promise<KObject | undefined> {
    try {
      return await this.storeFor(node)?.get(node.namespace, node.name);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return undefined;
      throw err;
    }
  }

  private async process(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const obj = await this.read(node);
    if (!obj || obj.metadata?.uid !== uid) return;
    const finalizers: string[] = obj.metadata?.finalizers ?? [];
    if (obj.metadata?.deletionTimestamp && finalizers.includes(FINALIZER_ORPHAN)) await this.orphanDependents(uid, node);
    else if (obj.metadata?.deletionTimestamp && finalizers.includes(FINALIZER_FOREGROUND)) await this.deleteDependentsInForeground(uid, node);
    const refs: OwnerReference[] = obj.metadata?.ownerReferences ?? [];
    if (refs.length) await this.checkOwners(obj, node, refs);
  }

  /**
   * Whether the owner named by ref exists with the same uid (kube resolves owners in the dependent's namespace). An
   * owner of a kind the apiserver does not serve (yet: a CRD may come) is not taken for gone: as kube's collector
   * does with a reference it cannot map, the dependent is tried again later.
   */
  private async ownerExists(ref: OwnerReference, namespace: string | undefined): Promise<boolean> {
    const rt = this.registry.forKind(ref.apiVersion, ref.kind);
    if (!rt) throw new Error(`no resource serves ${ref.kind} of ${ref.apiVersion}, the owner of a dependent`);
    try {
      const owner = await this.registry.storeFor(rt).get(rt.namespaced ? namespace : undefined, ref.name);
      return owner.metadata?.uid === ref.uid;
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return false;
      throw err;
    }
  }

  private async checkOwners(obj: KObject, node: Node, refs: OwnerReference[]): Promise<void> {
    const missing: string[] = [];
    for (const ref of refs) if (!(await this.ownerExists(ref, node.namespace))) missing.push(ref.uid);
    if (missing.length === 0) return;
    const store = this.storeFor(node)!;
    if (missing.length === refs.length) {
      if (obj.metadata?.deletionTimestamp) return;
      this.logger.info({ kind: node.kind, namespace: node.namespace, name: node.name }, 'deleting object whose owners are gone');
      await store.delete(node.namespace, node.name, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata!.uid } }).catch(ignoreNotFound);
      return;
    }
    await store
      .guaranteedUpdate(node.namespace, node.name, (cur) => {
        cur.metadata!.ownerReferences = (cur.metadata!.ownerReferences as OwnerReference[]).filter((r) => !missing.includes(r.uid));
        return cur;
      })
      .catch(ignoreNotFound);
  }

  private async orphanDependents(uid: string, node: Node): Promise<void> {
    for (const depUid of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.nodes.get(depUid);
      if (!dep) continue;
      await this.storeFor(dep)
        ?.guaranteedUpdate(dep.namespace, dep.name, (cur) => {
          cur.metadata!.ownerReferences = (cur.metadata!.ownerReferences as OwnerReference[] | undefined)?.filter((r) => r.uid !== uid);
          if (!cur.metadata!.ownerReferences?.length) delete cur.metadata!.ownerReferences;
          return cur;
        })
        .catch(ignoreNotFound);
    }
    await this.removeFinalizer(node, uid, FINALIZER_ORPHAN);
  }

  private async deleteDependentsInForeground(uid: string, node: Node): Promise<void> {
    const remaining = [...(this.dependents.get(uid) ?? [])];
    for (const depUid of remaining) {
      const dep = this.nodes.get(depUid);
      if (!dep) continue;
      await this.storeFor(dep)?.delete(dep.namespace, dep.name, { propagationPolicy: 'Foreground', preconditions: { uid: depUid } }).catch(ignoreNotFound);
    }
    // The owner is released once no dependent that blocks its deletion is left; their DELETED events bring it back.
    const blocking = [...(this.dependents.get(uid) ?? [])].some((d) => this.nodes.get(d)?.blocks.includes(uid));
    if (!blocking) await this.removeFinalizer(node, uid, FINALIZER_FOREGROUND);
  }

  private async removeFinalizer(node: Node, uid: string, finalizer: string): Promise<void> {
    await this.storeFor(node)
      ?.guaranteedUpdate(node.namespace, node.name, (cur) => {
        if (cur.metadata?.uid !== uid) return cur;
        cur.metadata!.finalizers = (cur.metadata!.finalizers as string[]).filter((f) => f !== finalizer);
        return cur;
      })
      .catch(ignoreNotFound);
  }
}

function ignoreNotFound(err: unknown): void {
  if (err instanceof APIError && err.code === 404) return;
  throw err;
}

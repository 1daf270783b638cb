// Shared informers: one list+watch per resource path (client-node's ListWatch) feeding a local cache and any number
// of event handlers. ListWatch re-watches after a clean close and relists after 410 Expired, but stops for good on
// any other error (connection refused, reset, a failed list); SharedInformer restarts it with backoff, as client-go's
// reflector does, so informers survive apiserver restarts.
import { createHash } from 'node:crypto';
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { STATUS_CODES, request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Logger } from 'pino';
import { listPath } from './client.js';
import { StringTable, SubtreeTable, internStrings, shareSubtrees } from './intern.js';
import type { WorkQueue } from './workqueue.js';

export interface EventHandler<T> {
  add?(obj: T): void;
  update?(obj: T): void;
  delete?(obj: T): void;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

/**
 * Everything of an object but its status and what every write moves (resourceVersion, managedFields): what a
 * controller that acts on what users declare depends on, so that status writes, its own included, queue nothing.
 */
export function nonStatusView(obj: KubernetesObject & { status?: unknown }): string {
  const { metadata, status: _status, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, ...kept } = metadata ?? {};
  return JSON.stringify([kept, rest]);
}

/**
 * nonStatusView of an object whose every spec change moves metadata.generation (a kind with a status subresource,
 * as Work): its metadata alone. A Work's manifests are most of its text, and every status write of every Work passes
 * through the view.
 */
export function generationView(obj: KubernetesObject): string {
  const { resourceVersion: _rv, managedFields: _mf, ...kept } = obj.metadata ?? {};
  return JSON.stringify(kept);
}

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubernetesObject): string {
  const { namespace, name } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * What the caches keep of an object: all of it but metadata.managedFields, which no controller reads and which is
 * often the larger part of an object (client-go's informer transform, as Karmada and kube-scheduler strip it).
 */
export function stripManagedFields<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _mf, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** One table for every informer of the process: a Work and the object it propagated share their strings too. */
const cachedStrings = new StringTable();
/** Likewise for subtrees: a Work's manifest and the member's object of it may share their spec. */
const cachedSubtrees = new SubtreeTable(cachedStrings);

/** The transform of every object an informer caches, freshly parsed: managedFields stripped, repeated subtrees and strings shared. */
function cacheForm<T extends KubernetesObject>(obj: T): T {
  return internStrings(shareSubtrees(stripManagedFields(obj), cachedSubtrees), cachedStrings);
}

/**
 * The Watch ListWatch uses, on a plain HTTP request read line by line (client-node's goes through fetch, a
 * PassThrough and readline, which cost a controller-manager more than parsing the events), and instrumented:
 * ListWatch calls watch() only after a successful list has been applied to its cache (or to resume from a known
 * resourceVersion), which is what tells us the cache has synced; and it can be aborted whatever state its request is
 * in (see abort).
 */
class InstrumentedWatch extends Watch {
  private current?: AbortController;
  /** The agent of the latest request: each watch has its own connection, which abort() cuts. */
  private agent?: Agent;
  private readonly hooks: { watching(): void; event(): void; stopped(): boolean };

  constructor(kc: KubeConfig, hooks: { watching(): void; event(): void; stopped(): boolean }) {
    super(kc);
    this.hooks = hooks;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    this.hooks.watching();
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('No currently active cluster');
    const url = new URL(cluster.server + path);
    url.searchParams.set('watch', 'true');
    for (const [key, val] of Object.entries(queryParams)) if (val !== undefined) url.searchParams.set(key, String(val));
    const ctl = new AbortController();
    const opts: RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, signal: ctl.signal };
    // applyToHTTPSOptions gives every request its own agent: the connection this watch may cut without harming others.
    await this.config.applyToHTTPSOptions(opts);
    this.agent = opts.agent as Agent | undefined;
    this.current = ctl;
    let ended = false;
    const end = (err: unknown) => {
      if (ended) return;
      ended = true;
      ctl.abort();
      done(err);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, opts, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return end(Object.assign(new Error(res.statusMessage || STATUS_CODES[res.statusCode ?? 500]), { statusCode: res.statusCode }));
      }
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // A large object arrives in many chunks: gather them before splitting, rather than split the growing text each time.
        if (!chunk.includes('\n')) {
          partial += chunk;
          return;
        }
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          let event: { type: string; object: KubernetesObject };
          try {
            event = JSON.parse(line);
          } catch {
            continue; // as client-node's Watch: a line that is not an event is skipped
          }
          this.hooks.event();
          callback(event.type, event.object && cacheForm(event.object), event);
        }
      });
      res.on('error', end);
      res.on('close', () => end(null));
    });
    req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    req.on('error', end);
    req.end();
    if (this.hooks.stopped()) this.abort();
    return ctl;
  }

  /** Ends the current watch request, whether it is streaming or still connecting. */
  abort(): void {
    this.current?.abort();
    this.agent?.destroy();
  }
}

/** The keys of the objects under each value of one index function. */
class InformerIndex<T extends KubernetesObject> {
  private readonly byValue = new Map<string, Set<string>>();
  private readonly valuesOf = new Map<string, string[]>();

  constructor(private readonly indexFn: (obj: T) => string[]) {}

  set(obj: T): void {
    this.delete(obj);
    const key = objectKey(obj);
    const values = this.indexFn(obj);
    this.valuesOf.set(key, values);
    for (const v of values) {
      let keys = this.byValue.get(v);
      if (!keys) this.byValue.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  delete(obj: T): void {
    const key = objectKey(obj);
    for (const v of this.valuesOf.get(key) ?? []) {
      const keys = this.byValue.get(v);
      keys?.delete(key);
      if (keys?.size === 0) this.byValue.delete(v);
    }
    this.valuesOf.delete(key);
  }

  keys(value: string): string[] {
    return [...(this.byValue.get(value) ?? [])];
  }
}

export class SharedInformer<T extends KubernetesObject> {
  private readonly lw: ListWatch<T>;
  private readonly watch: InstrumentedWatch;
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly stopCtl = new AbortController();
  private readonly log: Logger;
  private started = false;
  private synced = false;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private readonly indexes = new Map<string, InformerIndex<T>>();
  /** The handlers added with addViewHandler, by view. */
  private readonly viewGroups = new Map<(obj: T) => string, Set<EventHandler<T>>>();

  constructor(
    kc: KubeConfig,
    readonly path: string,
    logger: Logger,
    private readonly backoff: BackoffOptions = {},
  ) {
    this.log = logger.child({ informer: path });
    this.watch = new InstrumentedWatch(kc, {
      watching: () => this.markSynced(),
      event: () => (this.failures = 0),
      stopped: () => this.stopCtl.signal.aborted,
    });
    const list = async () => {
      const result = await listPath<T>(kc, path, this.stopCtl.signal, { transform: cacheForm });
      this.failures = 0;
      return result;
    };
    this.lw = new ListWatch<T>(path, this.watch, list, false);
    this.lw.on('add', (o) => this.dispatch('add', o));
    this.lw.on('update', (o) => this.dispatch('update', o));
    this.lw.on('delete', (o) => this.dispatch('delete', o));

    this.lw.on('error', (err) => this.restart(err));
  }

  /** Starts listing and watching; idempotent. An informer does not start again after stop(). */
  start(): void {
    if (this.started || this.stopCtl.signal.aborted) return;
    this.started = true;
    this.lw.start().catch((err) => this.restart(err));
  }

  async stop(): Promise<void> {
    if (this.stopCtl.signal.aborted) return;
    this.stopCtl.abort();
    clearTimeout(this.restartTimer);
    await this.lw.stop();
    this.watch.abort();
    for (const w of this.syncWaiters.splice(0)) w(false);
  }

  /** True once the cache has been filled by a first complete list; stays true (as client-go's HasSynced). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if signal aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted || this.stopCtl.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        resolve(false);
      };
      const waiter = (synced: boolean) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      };
      this.syncWaiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace);
  }

  /**
   * Registers handler until signal aborts. Objects already in the cache are replayed to it as adds (as client-go
   * does for a handler added to a running informer), so a controller started late still sees every object.
   */
  addEventHandler(handler: EventHandler<T>, signal?: AbortSignal): void {
    if (signal?.aborted) return;
    this.handlers.add(handler);
    signal?.addEventListener('abort', () => this.handlers.delete(handler), { once: true });
    if (handler.add) for (const obj of this.lw.list()) handler.add(obj);
  }

  /**
   * addEventHandler for a handler that depends on only part of an object: an add or update whose view is the one
   * last seen of that object is not passed on (controller-runtime's predicates; nonStatusView ignores status
   * writes). The handlers of one view share its bookkeeping, which keeps a digest per object: the view of each event
   * is made once, and costs little memory however large the objects are.
   */
  addViewHandler(view: (obj: T) => string, handler: EventHandler<T>, signal?: AbortSignal): void {
    if (signal?.aborted) return;
    let group = this.viewGroups.get(view);
    if (!group) {
      const seen = new Map<string, string>();
      const handlers = new Set<EventHandler<T>>();
      const changed = (obj: T) => {
        const key = objectKey(obj);
        const digest = createHash('sha1').update(view(obj)).digest('base64');
        if (seen.get(key) === digest) return false;
        seen.set(key, digest);
        return true;
      };
      this.viewGroups.set(view, (group = handlers));
      // Registered before the handler below, while the group is empty: the cache's objects are only remembered.
      this.addEventHandler({
        add: (obj) => changed(obj) && handlers.forEach((h) => h.add?.(obj)),
        update: (obj) => changed(obj) && handlers.forEach((h) => h.update?.(obj)),
        delete: (obj) => {
          seen.delete(objectKey(obj));
          handlers.forEach((h) => h.delete?.(obj));
        },
      });
    }
    const handlers = group;
    handlers.add(handler);
    signal?.addEventListener('abort', () => handlers.delete(handler), { once: true });
    if (handler.add) for (const obj of this.lw.list()) handler.add(obj);
  }

  /** Enqueues the key of every added, updated and deleted object into each queue, until signal aborts. */
  enqueueTo(queues: WorkQueue<string> | WorkQueue<string>[], signal?: AbortSignal, keyOf: (obj: T) => string = objectKey): void {
    const targets = Array.isArray(queues) ? queues : [queues];
    const enqueue = (obj: T) => {
      const key = keyOf(obj);
      for (const q of targets) q.add(key);
    };
    this.addEventHandler({ add: enqueue, update: enqueue, delete: enqueue }, signal);
  }

  /**
   * Adds an index (client-go's Indexer): indexFn gives the values an object is found under, byIndex the cached objects
   * under a value. Looking objects up by a label this way costs what they number, not what the cache holds.
   */
  addIndex(name: string, indexFn: (obj: T) => string[]): void {
    if (this.indexes.has(name)) return;
    const index = new InformerIndex(indexFn);
    for (const obj of this.lw.list()) index.set(obj);
    this.indexes.set(name, index);
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.path} has no index ${name}`);
    return index.keys(value).flatMap((key) => {
      const { namespace, name: objName } = splitKey(key);
      return this.get(namespace, objName) ?? [];
    });
  }

  private dispatch(verb: keyof EventHandler<T>, obj: T): void {
    for (const index of this.indexes.values()) {
      if (verb === 'delete') index.delete(obj);
      else index.set(obj);
    }
    for (const h of [...this.handlers]) {
      try {
        h[verb]?.(obj);
      } catch (err) {
        this.log.error({ err, verb }, 'informer event handler failed');
      }
    }
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.log.debug({ objects: this.lw.list().length }, 'informer synced');
    for (const w of this.syncWaiters.splice(0)) w(true);
  }

  private restart(err: unknown): void {
    // ListWatch reports the abort of its own request as an error when stopped.
    if (this.stopCtl.signal.aborted) return;
    const initial = this.backoff.initialMs ?? 800;
    const delay = Math.min(initial * 2 ** this.failures, this.backoff.maxMs ?? 30_000);
    this.failures++;
    // Jitter (client-go's factor 1.0) keeps the informers of many processes from reconnecting in lockstep.
    const jittered = delay + Math.random() * delay;
    this.log.warn({ err: String(err), retryInMs: Math.round(jittered) }, 'list/watch failed; restarting');
    this.restartTimer = setTimeout(() => this.lw.start().catch((e) => this.restart(e)), jittered);
  }
}

/** One SharedInformer per resource path, shared by every controller of a process; started on first use. */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<any>>();
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly logger: Logger,
    private readonly backoff: BackoffOptions = {},
  ) {}

  /** The informer for path, e.g. /api/v1/namespaces or /apis/work.karmada.io/v1alpha2/resourcebindings. */
  forResource<T extends KubernetesObject>(path: string): SharedInformer<T> {
    if (this.stopped) throw new Error('informer factory is stopped');
    const key = path.replace(/\/+$/, '');
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!inf) {
      inf = new SharedInformer<T>(this.kc, key, this.logger, this.backoff);
      this.informers.set(key, inf);
      inf.start();
    }
    return inf;
  }

  /** True when every informer created so far has synced. */
  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

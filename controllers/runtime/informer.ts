// Shared informers: one list+watch per resource path (a Reflector) feeding a local cache, its indexes and any number
// of event handlers. The reflector re-watches after a clean close and relists after 410 Expired, but stops on any
// other error (connection refused, reset, a failed list); SharedInformer restarts it with backoff, as client-go's
// reflector does, so informers survive apiserver restarts.
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { STATUS_CODES, request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Logger } from 'pino';
import { listPath } from './client.js';
import { StringTable, SubtreeTable, internStrings, shareSubtrees } from './intern.js';
import { Reflector } from './reflector.js';
import type { WorkQueue } from './workqueue.js';

export interface EventHandler<T> {
  add?(obj: T): void;
  /** old: the object obj replaced in the cache. */
  update?(obj: T, old: T): void;
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
 * The Watch the reflector uses, on a plain HTTP request read line by line (client-node's goes through fetch, a
 * PassThrough and readline, which cost a controller-manager more than parsing the events), and instrumented: the
 * reflector calls watch() only after a successful list has been applied to its cache (or to resume from a known
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

/**
 * The cached objects under each value of one index function: the object itself when it is the only one (most values
 * name one object), else a Set. An object leaves the index under the values its function gives for it, so nothing
 * is kept per object but its entries: the informer hands over the object an update replaced.
 */
class InformerIndex<T extends KubernetesObject> {
  private readonly byValue = new Map<string, T | Set<T>>();

  constructor(private readonly indexFn: (obj: T) => string[]) {}

  add(obj: T): void {
    for (const v of this.indexFn(obj)) {
      const held = this.byValue.get(v);
      if (held === undefined) this.byValue.set(v, obj);
      else if (held instanceof Set) held.add(obj);
      else if (held !== obj) this.byValue.set(v, new Set([held, obj]));
    }
  }

  /** obj must be the object that was added. */
  remove(obj: T): void {
    for (const v of this.indexFn(obj)) {
      const held = this.byValue.get(v);
      if (held === obj) this.byValue.delete(v);
      else if (held instanceof Set && held.delete(obj) && held.size === 0) this.byValue.delete(v);
    }
  }

  objects(value: string): T[] {
    const held = this.byValue.get(value);
    return held === undefined ? [] : held instanceof Set ? [...held] : [held];
  }
}

export class SharedInformer<T extends KubernetesObject> {
  private readonly lw: Reflector<T>;
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
    this.lw = new Reflector<T>(
      path,
      this.watch,
      list,
      { add: (o) => this.dispatch('add', o), update: (o, old) => this.dispatch('update', o, old), delete: (o, old) => this.dispatch('delete', o, old) },
      (err) => this.restart(err),
    );
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
    this.lw.stop();
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
   * does for a handler added to a running informer), so a controller started late still sees every object. A
   * handler that only queues what another handler's replay queued already (a Work's binding, when every binding is
   * replayed too) is registered with replay false: at a start with 100,000 Works, that is 100,000 adds for nothing.
   */
  addEventHandler(handler: EventHandler<T>, signal?: AbortSignal, replay = true): void {
    if (signal?.aborted) return;
    this.handlers.add(handler);
    signal?.addEventListener('abort', () => this.handlers.delete(handler), { once: true });
    if (replay && handler.add) for (const obj of this.lw.list()) handler.add(obj);
  }

  /**
   * addEventHandler for a handler that depends on only part of an object: an update whose view is that of the object
   * it replaced is not passed on (controller-runtime's predicates; nonStatusView ignores status writes).
   */
  addViewHandler(view: (obj: T) => string, handler: EventHandler<T>, signal?: AbortSignal, replay = true): void {
    if (signal?.aborted) return;
    this.addEventHandler(
      {
        ...(handler.add && { add: (obj: T) => handler.add!(obj) }),
        ...(handler.update && { update: (obj: T, old: T) => view(obj) !== view(old) && handler.update!(obj, old) }),
        ...(handler.delete && { delete: (obj: T) => handler.delete!(obj) }),
      },
      signal,
      replay,
    );
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
    for (const obj of this.lw.list()) index.add(obj);
    this.indexes.set(name, index);
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.path} has no index ${name}`);
    return index.objects(value);
  }

  /** old: the cached object an update or delete replaced. */
  private dispatch(verb: keyof EventHandler<T>, obj: T, old?: T): void {
    for (const index of this.indexes.values()) {
      if (old) index.remove(old);
      if (verb !== 'delete') index.add(obj);
    }
    for (const h of [...this.handlers]) {
      try {
        h[verb]?.(obj, old!);
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
    // The reflector reports the abort of its own request as an error when stopped.
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

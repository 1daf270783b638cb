// The namespace controller: once a namespace is marked for deletion, delete everything in it, then remove the
// "kubernetes" finalizer so that the namespace itself goes (kube's pkg/controller/namespace).
import type { Logger } from 'pino';
import type { Store, Watcher } from '../../storage/store.js';
import { WorkQueue } from '../../controllers/runtime/workqueue.js';
import { APIError } from '../errors.js';
import type { Registry } from '../registry/registry.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
const RECHECK_MS = 1000;

export class NamespaceController {
  private readonly queue: WorkQueue<string>;
  private watcher?: Watcher;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {
    this.queue = new WorkQueue((name) => this.sync(name), (name, err) => this.logger.warn({ namespace: name, err: String(err) }, 'namespace cleanup failed, will retry'));
  }

  private namespaces() {
    return this.registry.storeFor(this.registry.lookup('', 'v1', 'namespaces')!);
  }

  async start(): Promise<void> {
    const ns = this.namespaces();
    const page = await ns.list(undefined, {});
    this.watcher = this.store.watch(ns.prefix(), { resourceVersion: Number(page.resourceVersion) }, (e) => {
      if (e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp) this.queue.add(e.object.metadata.name);
    });
    for (const obj of page.items) if (obj.metadata?.deletionTimestamp) this.queue.add(obj.metadata.name);
  }

  stop(): void {
    this.watcher?.stop();
    this.queue.stop();
  }

  private async sync(name: string): Promise<void | { requeueAfterMs: number }> {
    const nsStore = this.namespaces();
    let ns;
    try {
      ns = await nsStore.get(undefined, name);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const rt of this.registry.storedResources()) {
      if (!rt.namespaced) continue;
      const store = this.registry.storeFor(rt);
      const { items } = await store.list(name, {});
      for (const obj of items) {
        remaining++;
        if (obj.metadata?.deletionTimestamp) continue;
        await store.delete(name, obj.metadata!.name, { propagationPolicy: 'Background' }).then(
          (r) => r.deleted && remaining--,
          (err) => {
            if (!(err instanceof APIError && err.code === 404)) throw err;
            remaining--;
          },
        );
      }
    }
    if (remaining > 0) {
      this.logger.info({ namespace: name, remaining }, 'namespace content still being deleted');
      return { requeueAfterMs: RECHECK_MS };
    }
    await nsStore.guaranteedUpdate(undefined, name, (cur) => {
      cur.spec = { ...(cur.spec ?? {}), finalizers: (cur.spec?.finalizers ?? []).filter((f: string) => f !== FINALIZER_KUBERNETES) };
      return cur;
    }, { subresource: 'finalize' });
    this.logger.info({ namespace: name }, 'namespace finalized');
  }
}

// NamespaceLifecycle: no new content in a namespace that is missing or terminating, and the system namespaces
// cannot be deleted. Namespaces are read from a watch-fed cache (as kube's plugin reads an informer): the store
// delivers events before it acknowledges a write, so the cache never lags a namespace a client was told exists.
import type { KObject, Watcher } from '../../storage/store.js';
import { forbidden, notFound } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { AdmissionPlugin } from './chain.js';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export interface NamespaceLifecycle extends AdmissionPlugin {
  start(): Promise<void>;
  stop(): void;
}

export function namespaceLifecycle(registry: Registry): NamespaceLifecycle {
  const namespaces = new Map<string, KObject>();
  const store = registry.storeFor(registry.lookup('', 'v1', 'namespaces')!);
  let watcher: Watcher | undefined;
  return {
    name: 'NamespaceLifecycle',
    async start() {
      const page = await store.list(undefined, {});
      for (const ns of page.items) namespaces.set(ns.metadata!.name, ns);
      watcher = store.watch(undefined, { resourceVersion: Number(page.resourceVersion) }, (e) => {
        if (e.type === 'DELETED') namespaces.delete(e.object.metadata!.name);
        else namespaces.set(e.object.metadata!.name, e.object);
      });
    },
    stop() {
      watcher?.stop();
    },
    validate(a) {
      const gr = { group: a.resource.group, resource: a.resource.plural };
      if (a.operation === 'DELETE' && a.resource.kind === 'Namespace' && !a.resource.group && IMMORTAL_NAMESPACES.includes(a.name))
        throw forbidden(gr, a.name, 'this namespace may not be deleted');
      if (a.operation !== 'CREATE' || !a.resource.namespaced || !a.namespace) return;
      const ns = namespaces.get(a.namespace);
      if (!ns) throw notFound({ group: '', resource: 'namespaces' }, a.namespace);
      if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating')
        throw forbidden(gr, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`, [
          { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
        ]);
    },
  };
}

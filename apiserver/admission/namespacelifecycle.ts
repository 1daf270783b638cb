// NamespaceLifecycle: no new content in a namespace that is missing or terminating, and the system namespaces
// cannot be deleted.
import { APIError, forbidden, notFound } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { AdmissionPlugin } from './chain.js';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecycle(registry: Registry): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a) {
      const gr = { group: a.resource.group, resource: a.resource.plural };
      if (a.operation === 'DELETE' && a.resource.kind === 'Namespace' && !a.resource.group && IMMORTAL_NAMESPACES.includes(a.name))
        throw forbidden(gr, a.name, 'this namespace may not be deleted');
      if (a.operation !== 'CREATE' || !a.resource.namespaced || !a.namespace) return;
      const nsType = registry.lookup('', 'v1', 'namespaces')!;
      let ns;
      try {
        ns = await registry.storeFor(nsType).get(undefined, a.namespace);
      } catch (err) {
        if (err instanceof APIError && err.code === 404) throw notFound({ group: '', resource: 'namespaces' }, a.namespace);
        throw err;
      }
      if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating')
        throw forbidden(gr, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`, [
          { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
        ]);
    },
  };
}

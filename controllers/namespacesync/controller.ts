// Karmada's namespace sync controller: every namespace of the control plane, bar the reserved ones, the ones matching
// --skipped-propagating-namespaces and the ones labelled namespace.karmada.io/skip-auto-propagation=true, exists in
// every Ready Push-mode member. Karmada does this through a Work per namespace and member; until Flotilla has an
// execution controller to apply Works, this controller applies namespaces to members directly, through each member's
// own credentials, reconciling one member at a time: it creates what is missing, carries labels and annotations set
// on the control plane over (one removed there stays: Karmada records which keys it manages, this does not), and
// deletes the namespaces it propagated (labelled karmada.io/managed=true) once they are gone from the control plane.
import type { V1Namespace } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { Cluster } from '../../openapi/karmada/types.js';
import { findCondition } from '../cluster/condition.js';
import { EXECUTION_SPACE_PREFIX } from '../cluster/controller.js';
import type { ConfigurationOptions } from '@kubernetes/client-node';
import { callWithin } from '../runtime/client.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { MemberClientError, MemberClients } from '../runtime/memberclient.js';

export const SKIP_AUTO_PROPAGATION_LABEL = 'namespace.karmada.io/skip-auto-propagation';
export const MANAGED_BY_KARMADA_LABEL = 'karmada.io/managed';
/** kubectl's record of the last applied manifest describes the control-plane object, not the member's copy. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface NamespaceSyncOptions {
  /** --skipped-propagating-namespaces (regular expressions matched against the whole name). */
  skippedPropagatingNamespaces: RegExp[];
  /** How often each member is compared again, to restore namespaces deleted there by hand. */
  resyncPeriodMs: number;
  concurrentSyncs: number;
}

export const DEFAULT_NAMESPACE_SYNC_OPTIONS: NamespaceSyncOptions = {
  skippedPropagatingNamespaces: [/^kube-.*$/],
  resyncPeriodMs: 60_000,
  concurrentSyncs: 5,
};

/** names.IsReservedNamespace, and default. */
function reserved(name: string): boolean {
  return name === 'karmada-system' || name === 'karmada-cluster' || name.startsWith(EXECUTION_SPACE_PREFIX) || name.startsWith('kube-') || name === 'default';
}

/** Whether a namespace of that name may ever be propagated (whatever its labels say). */
function eligible(name: string, skipped: readonly RegExp[]): boolean {
  return !reserved(name) && !skipped.some((re) => re.test(name));
}

/** Whether the control-plane namespace ns belongs in every member. */
export function shouldPropagate(ns: V1Namespace, skipped: readonly RegExp[]): boolean {
  if (!eligible(ns.metadata?.name ?? '', skipped)) return false;
  if (ns.metadata?.deletionTimestamp) return false;
  return (ns.metadata?.labels?.[SKIP_AUTO_PROPAGATION_LABEL] ?? '').toLowerCase() !== 'true';
}

/** The member's copy of ns: its labels (marked as Karmada's) and annotations. */
export function memberNamespace(ns: V1Namespace): { labels: Record<string, string>; annotations: Record<string, string> } {
  const annotations = { ...(ns.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  return { labels: { ...(ns.metadata?.labels ?? {}), [MANAGED_BY_KARMADA_LABEL]: 'true' }, annotations };
}

const isReady = (c: Cluster) => findCondition(c.status?.conditions, 'Ready')?.status === 'True';

export class NamespaceSyncController implements Controller {
  readonly name = 'namespace';

  constructor(private readonly opts: NamespaceSyncOptions = DEFAULT_NAMESPACE_SYNC_OPTIONS) {}

  async start(ctx: ControllerContext): Promise<void> {
    const members = MemberClients.shared(ctx);
    const clusters = members.clusters;
    const namespaces = ctx.informers.forResource<V1Namespace>('/api/v1/namespaces');
    const skipped = this.opts.skippedPropagatingNamespaces;

    const queue = newControllerQueue<string>(
      ctx,
      this.name,
      async (name) => {
        const cluster = clusters.get(undefined, name);
        if (!cluster || cluster.metadata?.deletionTimestamp || cluster.spec.syncMode !== 'Push' || !isReady(cluster)) return;
        let member;
        try {
          member = members.get(name);
        } catch (err) {
          // The cluster status controller reports a cluster it cannot reach; it will not be Ready.
          if (err instanceof MemberClientError) return;
          throw err;
        }
        const within = <T>(call: (opts: ConfigurationOptions) => Promise<T>) => callWithin(30_000, ctx.signal, call);
        const desired = new Map(namespaces.list().filter((ns) => shouldPropagate(ns, skipped)).map((ns) => [ns.metadata!.name!, memberNamespace(ns)]));
        const existing = new Map((await within((o) => member.core.listNamespace({}, o))).items.map((ns) => [ns.metadata!.name!, ns]));
        for (const [nsName, want] of desired) {
          const have = existing.get(nsName);
          if (!have) {
            await within((o) => member.core.createNamespace({ body: { metadata: { name: nsName, ...want } } }, o)).catch(ignore(409));
            continue;
          }
          // A namespace the member had before Karmada came is left as it is.
          if (have.metadata?.labels?.[MANAGED_BY_KARMADA_LABEL] !== 'true' || have.metadata.deletionTimestamp) continue;
          const current = { labels: have.metadata.labels ?? {}, annotations: have.metadata.annotations ?? {} };
          const merged = { labels: { ...current.labels, ...want.labels }, annotations: { ...current.annotations, ...want.annotations } };
          if (!isDeepStrictEqual(merged, current)) {
            await within((o) => member.core.replaceNamespace({ name: nsName, body: { ...have, metadata: { ...have.metadata, ...merged } } }, o));
          }
        }
        for (const [nsName, have] of existing) {
          if (have.metadata?.labels?.[MANAGED_BY_KARMADA_LABEL] !== 'true' || have.metadata.deletionTimestamp || reserved(nsName)) continue;
          // One still on the control plane but now skipped keeps its copy, as Karmada keeps its Work.
          const source = namespaces.get(undefined, nsName);
          if (source && !source.metadata?.deletionTimestamp) continue;
          await within((o) => member.core.deleteNamespace({ name: nsName }, o)).catch(ignore(404));
        }
        return { requeueAfterMs: this.opts.resyncPeriodMs };
      },
      { workers: this.opts.concurrentSyncs },
    );

    // Nothing is queued before the Secrets are listed too: a member's client needs its credentials. (With every
    // controller starting at once, clusters queued as soon as they were listed met members without clients yet.)
    if (!(await members.waitForSync(ctx.signal)) || !(await namespaces.waitForSync(ctx.signal))) throw new Error('cluster, secret and namespace caches did not sync');
    // Execution spaces come and go with every join: only a namespace that may be propagated concerns the members.
    const everyMember = (ns: V1Namespace) => {
      if (!eligible(ns.metadata?.name ?? '', skipped)) return;
      for (const c of clusters.list()) if (c.spec.syncMode === 'Push' && isReady(c)) queue.add(c.metadata!.name);
    };
    namespaces.addEventHandler({ add: everyMember, update: everyMember, delete: everyMember }, ctx.signal);
    clusters.enqueueTo(queue, ctx.signal);
  }
}

function ignore(code: number): (err: unknown) => void {
  return (err) => {
    if ((err as { code?: number }).code !== code) throw err;
  };
}

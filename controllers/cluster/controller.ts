// Karmada's cluster controller: gives every Cluster its finalizer and its execution space (namespace karmada-es-NAME,
// where its Works live), taints it for scheduling from its Ready condition, and on deletion removes the execution
// space (and with it every Work in it) before letting the Cluster go. Its health monitor marks Ready Unknown when a
// Pull-mode cluster's agent stops reporting; Push-mode clusters are probed by this process's status controller.
import type { KubernetesObject, V1Lease, V1Namespace } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { Cluster, ClusterSpec, Taint } from '../../openapi/karmada/types.js';
import type { ConfigurationOptions } from '@kubernetes/client-node';
import { callWithin } from '../runtime/client.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { CLUSTER_API, CLUSTERS_PATH } from '../runtime/memberclient.js';
import { findCondition, metaTime, setCondition } from './condition.js';
import { CLUSTER_FINALIZER } from './status.js';

export const EXECUTION_SPACE_PREFIX = 'karmada-es-';
export const TAINT_CLUSTER_NOT_READY = 'cluster.karmada.io/not-ready';
export const TAINT_CLUSTER_UNREACHABLE = 'cluster.karmada.io/unreachable';
export const TAINT_CLUSTER_TERMINATING = 'cluster.karmada.io/terminating';
/** Where Pull-mode agents renew a Lease named after their cluster. */
const CLUSTER_LEASE_NAMESPACE = 'karmada-cluster';

export function executionSpaceName(cluster: string): string {
  return EXECUTION_SPACE_PREFIX + cluster;
}

export interface ClusterControllerOptions {
  /** --cluster-monitor-period: how often the health monitor runs. */
  monitorPeriodMs: number;
  /** --cluster-monitor-grace-period: how long a reporting cluster may stay silent before it is Unknown. */
  monitorGracePeriodMs: number;
  /** --cluster-startup-grace-period: the same for a cluster that has never reported. */
  startupGracePeriodMs: number;
}

export const DEFAULT_CLUSTER_CONTROLLER_OPTIONS: ClusterControllerOptions = {
  monitorPeriodMs: 5_000,
  monitorGracePeriodMs: 40_000,
  startupGracePeriodMs: 60_000,
};

const noSchedule = (key: string): Taint => ({ key, effect: 'NoSchedule' });

/** Taints match by key and effect, as corev1.Taint.MatchTaint. */
const matches = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/** UpdateClusterControllerTaint: taints with toAdd (stamped with timeAdded) and without toRemove. */
export function updateTaints(taints: readonly Taint[] | undefined, toAdd: Taint[], toRemove: Taint[], now: () => string = metaTime): Taint[] {
  const kept = (taints ?? []).filter((t) => !toRemove.some((r) => matches(r, t)));
  const added = toAdd.filter((a) => !kept.some((t) => matches(a, t))).map((a) => ({ ...a, timeAdded: now() }));
  return [...kept, ...added];
}

/**
 * taintClusterByCondition: NoSchedule not-ready while Ready is False (or has never been reported), unreachable while
 * it is Unknown, neither once it is True.
 */
export function schedulingTaints(cluster: Cluster, now?: () => string): Taint[] {
  const notReady = noSchedule(TAINT_CLUSTER_NOT_READY);
  const unreachable = noSchedule(TAINT_CLUSTER_UNREACHABLE);
  const ready = findCondition(cluster.status?.conditions, 'Ready');
  const taints = cluster.spec.taints;
  switch (ready?.status) {
    case undefined:
      return updateTaints(taints, [notReady], [], now);
    case 'False':
      return updateTaints(taints, [notReady], [unreachable], now);
    case 'Unknown':
      return updateTaints(taints, [unreachable], [notReady], now);
    default:
      return updateTaints(taints, [], [notReady, unreachable], now);
  }
}

/** What the health monitor last saw of a cluster, and when it last saw it change. */
interface ClusterHealth {
  probeTimestamp: number;
  ready?: unknown;
  leaseRenewTime?: number;
}

export class ClusterController implements Controller {
  readonly name = 'cluster';

  constructor(private readonly opts: ClusterControllerOptions = DEFAULT_CLUSTER_CONTROLLER_OPTIONS) {}

  async start(ctx: ControllerContext): Promise<void> {
    const clusters = ctx.informers.forResource<Cluster & KubernetesObject>(CLUSTERS_PATH);
    const namespaces = ctx.informers.forResource<V1Namespace>('/api/v1/namespaces');
    const leases = ctx.informers.forResource<V1Lease>(`/apis/coordination.k8s.io/v1/namespaces/${CLUSTER_LEASE_NAMESPACE}/leases`);
    const health = new Map<string, ClusterHealth>();
    const within = <T>(call: (opts: ConfigurationOptions) => Promise<T>) => callWithin(30_000, ctx.signal, call);
    const { core, customObjects } = ctx.client;
    const replace = async (cluster: Cluster): Promise<Cluster> =>
      (await within((o) => customObjects.replaceClusterCustomObject({ ...CLUSTER_API, name: cluster.metadata!.name, body: cluster }, o))) as Cluster;

    const queue = newControllerQueue<string>(ctx, this.name, async (name) => {
      const cluster = clusters.get(undefined, name);
      if (!cluster) {
        health.delete(name);
        return;
      }
      const space = executionSpaceName(name);
      if (cluster.metadata?.deletionTimestamp) {
        if (!(cluster.metadata.finalizers ?? []).includes(CLUSTER_FINALIZER)) return;
        const taints = updateTaints(cluster.spec.taints, [{ key: TAINT_CLUSTER_TERMINATING, effect: 'NoExecute' }], []);
        const terminating = isDeepStrictEqual(taints, cluster.spec.taints ?? []) ? cluster : await replace({ ...cluster, spec: withTaints(cluster.spec, taints) });
        const ns = namespaces.get(undefined, space);
        if (ns) {
          if (!ns.metadata?.deletionTimestamp) await within((o) => core.deleteNamespace({ name: space }, o)).catch(ignoreNotFound);
          // Its deletion (once its Works are gone) requeues the cluster through the namespace informer.
          return;
        }
        health.delete(name);
        const finalizers = (terminating.metadata!.finalizers as string[]).filter((f) => f !== CLUSTER_FINALIZER);
        await replace({ ...terminating, metadata: { ...terminating.metadata, finalizers } });
        return;
      }
      if (!namespaces.get(undefined, space)) {
        await within((o) => core.createNamespace({ body: { metadata: { name: space } } }, o)).catch(ignoreConflict);
      }
      const finalizers: string[] = cluster.metadata?.finalizers ?? [];
      const taints = schedulingTaints(cluster);
      const withFinalizer = finalizers.includes(CLUSTER_FINALIZER) ? finalizers : [...finalizers, CLUSTER_FINALIZER];
      if (withFinalizer !== finalizers || !isDeepStrictEqual(taints, cluster.spec.taints ?? [])) {
        await replace({ ...cluster, metadata: { ...cluster.metadata, finalizers: withFinalizer }, spec: withTaints(cluster.spec, taints) });
      }
    });

    clusters.enqueueTo(queue, ctx.signal);
    namespaces.addEventHandler(
      {
        // Only the end of an execution space matters here (and one deleted by hand is made again).
        delete: (ns) => {
          const name = ns.metadata?.name ?? '';
          if (name.startsWith(EXECUTION_SPACE_PREFIX)) queue.add(name.slice(EXECUTION_SPACE_PREFIX.length));
        },
      },
      ctx.signal,
    );
    for (const inf of [clusters, namespaces, leases]) if (!(await inf.waitForSync(ctx.signal))) throw new Error(`${inf.path} did not sync`);

    let running = false;
    const monitor = setInterval(() => {
      if (running) return;
      running = true;
      this.monitorClusterHealth(ctx, clusters.list(), (name) => leases.get(CLUSTER_LEASE_NAMESPACE, name), health)
        .catch((err) => ctx.logger.error({ err }, 'monitoring cluster health failed'))
        .finally(() => (running = false));
    }, this.opts.monitorPeriodMs);
    ctx.signal.addEventListener('abort', () => clearInterval(monitor), { once: true });
  }

  /**
   * monitorClusterHealth for Pull-mode clusters: when neither their Ready condition nor their agent's Lease has
   * changed for the grace period, Ready becomes Unknown (which the reconcile turns into the unreachable taint).
   * The timestamps live in memory: after a restart every cluster gets a fresh grace period, as in Karmada.
   */
  async monitorClusterHealth(ctx: ControllerContext, clusters: readonly Cluster[], lease: (name: string) => V1Lease | undefined, health: Map<string, ClusterHealth>, now = Date.now): Promise<void> {
    for (const cluster of clusters) {
      if (cluster.spec.syncMode !== 'Pull' || cluster.metadata?.deletionTimestamp) continue;
      await this.tryUpdateClusterHealth(ctx, cluster, lease(cluster.metadata!.name), health, now).catch((err) =>
        ctx.logger.error({ err, cluster: cluster.metadata?.name }, 'updating cluster health failed; retrying next period'),
      );
    }
  }

  private async tryUpdateClusterHealth(ctx: ControllerContext, cluster: Cluster, lease: V1Lease | undefined, health: Map<string, ClusterHealth>, now: () => number): Promise<void> {
    const name = cluster.metadata!.name as string;
    const ready = findCondition(cluster.status?.conditions, 'Ready');
    const saved = health.get(name);
    // A change of the condition counts as a sign of life; a cluster never heard from is timed from its creation.
    let h: ClusterHealth;
    if (!saved) h = { probeTimestamp: ready ? now() : Date.parse(cluster.metadata!.creationTimestamp), ready };
    else if (!isDeepStrictEqual(saved.ready, ready)) h = { probeTimestamp: now(), ready, leaseRenewTime: saved.leaseRenewTime };
    else h = { ...saved };
    const renewTime = lease?.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : undefined;
    if (renewTime !== undefined && (h.leaseRenewTime === undefined || h.leaseRenewTime < renewTime)) {
      h.leaseRenewTime = renewTime;
      h.probeTimestamp = now();
    }
    health.set(name, h);
    const grace = ready ? this.opts.monitorGracePeriodMs : this.opts.startupGracePeriodMs;
    if (now() <= h.probeTimestamp + grace || ready?.status === 'Unknown') return;
    const unknown = ready
      ? { type: 'Ready', status: 'Unknown' as const, reason: 'ClusterStatusUnknown', message: 'Cluster status controller stopped posting cluster status.' }
      : { type: 'Ready', status: 'Unknown' as const, reason: 'ClusterStatusNeverUpdated', message: 'Cluster status controller never posted cluster status.' };
    const status = { ...(cluster.status ?? {}), conditions: setCondition(cluster.status?.conditions, { ...unknown, lastTransitionTime: metaTime(now()) }) };
    ctx.logger.info({ cluster: name, reason: unknown.reason }, 'cluster stopped reporting; marking Ready Unknown');
    await callWithin(30_000, ctx.signal, (o) => ctx.client.customObjects.replaceClusterCustomObjectStatus({ ...CLUSTER_API, name, body: { ...cluster, status } }, o));
    health.set(name, { ...h, ready: findCondition(status.conditions, 'Ready') });
  }
}

/** spec with taints, left out when there are none (as Karmada's empty list serializes). */
function withTaints(spec: ClusterSpec, taints: Taint[]): ClusterSpec {
  const { taints: _, ...rest } = spec;
  return taints.length ? { ...rest, taints } : rest;
}

function ignoreNotFound(err: unknown): void {
  if ((err as { code?: number }).code !== 404) throw err;
}

function ignoreConflict(err: unknown): void {
  if ((err as { code?: number }).code !== 409) throw err;
}

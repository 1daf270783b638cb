// Karmada's cluster status controller: every --cluster-status-update-frequency it probes each Push-mode member
// through its own credentials and records in Cluster status the Ready condition (smoothed by the success and failure
// thresholds), the member's Kubernetes version, the APIs it serves, and a summary of its Nodes and Pods read through
// informers on the member. The status is written through the status subresource, and only when it changed.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import client from 'prom-client';
import type { Cluster, ClusterStatus } from '../../openapi/karmada/types.js';
import { callWithin } from '../runtime/client.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { CLUSTER_API, MemberClientError, MemberClients, type MemberClient } from '../runtime/memberclient.js';
import { findCondition, setCondition, type ObservedCondition } from './condition.js';
import { ClusterConditionCache } from './conditioncache.js';
import { apiEnablements, kubernetesVersion, probeHealth, type Health } from './probe.js';
import { allocatableModelings, nodeSummary, resourceSummary, type NodeLike, type PodLike } from './resourcesummary.js';
import { withDeadline } from '../runtime/deadline.js';

/** Added by the cluster controller; status is only collected once it is there (so deletion can clean up after it). */
export const CLUSTER_FINALIZER = 'karmada.io/cluster-controller';

export interface ClusterStatusOptions {
  /** --cluster-status-update-frequency */
  statusUpdateFrequencyMs: number;
  /** --cluster-success-threshold */
  successThresholdMs: number;
  /** --cluster-failure-threshold */
  failureThresholdMs: number;
  /** --cluster-cache-sync-timeout: how long the member's Node and Pod informers may take to sync. */
  cacheSyncTimeoutMs: number;
  /** --concurrent-cluster-syncs */
  concurrentSyncs: number;
}

export const DEFAULT_CLUSTER_STATUS_OPTIONS: ClusterStatusOptions = {
  statusUpdateFrequencyMs: 10_000,
  successThresholdMs: 30_000,
  failureThresholdMs: 30_000,
  cacheSyncTimeoutMs: 30_000,
  concurrentSyncs: 5,
};

// Karmada's reasons and messages, which tools and users match on.
const CLUSTER_READY: ObservedCondition = { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads' };
const CLUSTER_NOT_READY: ObservedCondition = { type: 'Ready', status: 'False', reason: 'ClusterNotReady', message: 'cluster is reachable but health endpoint responded without ok' };
const CLUSTER_NOT_REACHABLE: ObservedCondition = { type: 'Ready', status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable' };

function readyCondition(health: Health): ObservedCondition {
  return !health.online ? CLUSTER_NOT_REACHABLE : !health.healthy ? CLUSTER_NOT_READY : CLUSTER_READY;
}

function apiEnablementsCondition(count: number, complete: boolean): ObservedCondition {
  const type = 'CompleteAPIEnablements';
  if (count === 0) return { type, status: 'False', reason: 'Empty', message: 'collected empty APIEnablements from the cluster' };
  if (!complete) return { type, status: 'False', reason: 'Partial', message: `might collect partial APIEnablements(${count}) from the cluster` };
  return { type, status: 'True', reason: 'Complete', message: 'collected complete APIEnablements from the cluster' };
}

/** Karmada's cluster metrics, labelled cluster_name. */
class ClusterStatusMetrics {
  readonly ready: client.Gauge<'cluster_name'>;
  readonly nodes: client.Gauge<'cluster_name'>;
  readonly readyNodes: client.Gauge<'cluster_name'>;
  readonly syncDuration: client.Histogram<'cluster_name'>;

  constructor(registry: client.Registry) {
    const gauge = (name: string, help: string) =>
      (registry.getSingleMetric(name) as client.Gauge<'cluster_name'> | undefined) ?? new client.Gauge({ name, help, labelNames: ['cluster_name'], registers: [registry] });
    this.ready = gauge('cluster_ready_state', 'State of the cluster(1 if ready, 0 otherwise).');
    this.nodes = gauge('cluster_node_number', 'Number of nodes in the cluster.');
    this.readyNodes = gauge('cluster_ready_node_number', 'Number of ready nodes in the cluster.');
    this.syncDuration =
      (registry.getSingleMetric('cluster_sync_status_duration_seconds') as client.Histogram<'cluster_name'> | undefined) ??
      new client.Histogram({ name: 'cluster_sync_status_duration_seconds', help: 'Duration in seconds for syncing the status of the cluster once.', labelNames: ['cluster_name'], registers: [registry] });
  }

  record(name: string, status: ClusterStatus | undefined, startedAt: number): void {
    const labels = { cluster_name: name };
    this.ready.set(labels, findCondition(status?.conditions, 'Ready')?.status === 'True' ? 1 : 0);
    if (status?.nodeSummary) {
      this.nodes.set(labels, status.nodeSummary.totalNum ?? 0);
      this.readyNodes.set(labels, status.nodeSummary.readyNum ?? 0);
    }
    this.syncDuration.observe(labels, (Date.now() - startedAt) / 1000);
  }

  remove(name: string): void {
    for (const m of [this.ready, this.nodes, this.readyNodes, this.syncDuration]) m.remove({ cluster_name: name });
  }
}

export class ClusterStatusController implements Controller {
  readonly name = 'clusterStatus';

  constructor(private readonly opts: ClusterStatusOptions = DEFAULT_CLUSTER_STATUS_OPTIONS) {}

  async start(ctx: ControllerContext): Promise<void> {
    const members = MemberClients.shared(ctx);
    const clusters = members.clusters;
    const conditions = new ClusterConditionCache(this.opts);
    const metrics = new ClusterStatusMetrics(ctx.metrics.registry);
    const frequency = this.opts.statusUpdateFrequencyMs;
    const queue = newControllerQueue<string>(ctx, this.name, async (name) => {
      const cluster = clusters.get(undefined, name);
      if (!cluster) {
        conditions.delete(name);
        metrics.remove(name);
        return;
      }
      const meta = cluster.metadata ?? {};
      // A Pull-mode member reports its own status through its agent; a deleting one needs no more probing.
      if (cluster.spec.syncMode !== 'Push' || meta.deletionTimestamp) return;
      if (!(meta.finalizers ?? []).includes(CLUSTER_FINALIZER)) return;
      const startedAt = Date.now();
      const status = await this.sync(ctx, cluster, members, conditions);
      metrics.record(name, status, startedAt);
      return { requeueAfterMs: frequency };
    }, { workers: this.opts.concurrentSyncs });

    // No probe before the Secrets are listed too: a member without its credentials yet is not a failing member.
    if (!(await members.waitForSync(ctx.signal))) throw new Error('cluster and secret caches did not sync');
    // Status writes (this controller's own included) change neither generation nor finalizers: only spec changes,
    // the finalizer appearing and deletion are worth an immediate probe; the periodic requeue does the rest.
    const seen = new Map<string, string>();
    const trigger = (c: Cluster) => JSON.stringify([c.metadata?.generation, c.metadata?.finalizers?.includes(CLUSTER_FINALIZER), !!c.metadata?.deletionTimestamp]);
    clusters.addEventHandler(
      {
        add: (c) => {
          seen.set(c.metadata!.name, trigger(c));
          queue.add(c.metadata!.name);
        },
        update: (c) => {
          const t = trigger(c);
          if (seen.get(c.metadata!.name) === t) return;
          seen.set(c.metadata!.name, t);
          queue.add(c.metadata!.name);
        },
        delete: (c) => {
          seen.delete(c.metadata!.name);
          queue.add(c.metadata!.name);
        },
      },
      ctx.signal,
    );
  }

  /** Probes the member and records what it found; returns the status as recorded. */
  private async sync(ctx: ControllerContext, cluster: Cluster, members: MemberClients, conditions: ClusterConditionCache): Promise<ClusterStatus> {
    const name = cluster.metadata!.name as string;
    const current = cluster.status ?? {};
    let member: MemberClient;
    try {
      member = members.get(name);
    } catch (err) {
      if (!(err instanceof MemberClientError)) throw err;
      const failed: ObservedCondition = { type: 'Ready', status: 'False', reason: 'StatusCollectionFailed', message: `failed to create a ClusterClient: ${err.message}` };
      return this.updateIfNeeded(ctx, cluster, { ...current, conditions: setCondition(current.conditions, failed) });
    }
    const signal = ctx.signal;
    const health = await probeHealth(member, signal);
    const ready = conditions.thresholdAdjusted(name, current.conditions, readyCondition(health));
    if (!health.online && ready.status !== 'True') {
      // Offline past the failure threshold: its informers would only fail and retry until it returns.
      member.stopInformers();
      return this.updateIfNeeded(ctx, cluster, { ...current, conditions: setCondition(current.conditions, ready) });
    }
    if (!(health.online && health.healthy && ready.status === 'True')) {
      return this.updateIfNeeded(ctx, cluster, { ...current, conditions: setCondition(current.conditions, ready) });
    }
    const [version, apis, workload] = await Promise.all([kubernetesVersion(member, signal), apiEnablements(member, signal), this.nodesAndPods(member, signal)]);
    const summary = resourceSummary(workload.nodes, workload.pods);
    const modelings = allocatableModelings(cluster.spec.resourceModels, workload.nodes, workload.pods);
    const next: ClusterStatus = {
      ...current,
      kubernetesVersion: version,
      apiEnablements: apis.enablements,
      nodeSummary: nodeSummary(workload.nodes),
      resourceSummary: modelings ? { ...summary, allocatableModelings: modelings } : summary,
      conditions: setCondition(setCondition(current.conditions, apiEnablementsCondition(apis.enablements.length, apis.complete)), ready),
    };
    return this.updateIfNeeded(ctx, cluster, next);
  }

  /** The member's Nodes and Pods from informers on it, started (and waited for) on first use. */
  private async nodesAndPods(member: MemberClient, signal: AbortSignal): Promise<{ nodes: readonly NodeLike[]; pods: readonly PodLike[] }> {
    const nodes = member.informers.forResource<NodeLike & KubernetesObject>('/api/v1/nodes');
    const pods = member.informers.forResource<PodLike & KubernetesObject>('/api/v1/pods');
    const synced = await withDeadline(this.opts.cacheSyncTimeoutMs, signal, async (s) => (await nodes.waitForSync(s)) && (await pods.waitForSync(s)));
    if (!synced) {
      member.stopInformers();
      throw new Error(`the node and pod informers of cluster ${member.cluster} did not sync within ${this.opts.cacheSyncTimeoutMs} ms`);
    }
    return { nodes: nodes.list(), pods: pods.list() };
  }

  private async updateIfNeeded(ctx: ControllerContext, cluster: Cluster, status: ClusterStatus): Promise<ClusterStatus> {
    if (isDeepStrictEqual(status, cluster.status ?? {})) return status;
    await callWithin(30_000, ctx.signal, (o) =>
      ctx.client.customObjects.replaceClusterCustomObjectStatus({ ...CLUSTER_API, name: cluster.metadata!.name, body: { ...cluster, status } }, o),
    );
    return status;
  }
}

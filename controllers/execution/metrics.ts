// The execution controller's metrics. The Work sync histogram and the member write counters carry the names and
// labels karmada-controller-manager registers (pkg/metrics/resource.go, without a prefix), so dashboards and alerts
// written for Karmada read them unchanged. flotilla_propagation_duration_seconds is Flotilla's own: Karmada has no
// measure of how long a template takes to reach a member.
import client from 'prom-client';
import type { Obj } from '../overrides/jsonpatch.js';
import type { MemberWrite } from './objectwatcher.js';

export type SyncResult = 'success' | 'error';

/**
 * 10 ms to 5 min: from an idle control plane to a backlogged one. The start has whole seconds, so the buckets under
 * one second fill only when the template was created late in its second.
 */
const PROPAGATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class ExecutionMetrics {
  readonly syncDuration: client.Histogram<'result'>;
  readonly creates: client.Counter<'result' | 'apiversion' | 'kind' | 'member_cluster' | 'recreate'>;
  readonly updates: client.Counter<'result' | 'apiversion' | 'kind' | 'member_cluster' | 'operationResult'>;
  readonly deletes: client.Counter<'result' | 'apiversion' | 'kind' | 'member_cluster'>;
  readonly propagation: client.Histogram;

  constructor(registry: client.Registry) {
    const registers = [registry];
    this.syncDuration = new client.Histogram({
      name: 'work_sync_workload_duration_seconds',
      help: 'Seconds the execution controller took to sync a Work to its member cluster (apply every manifest and record the Applied condition); result is error when any of it failed.',
      labelNames: ['result'] as const,
      // Karmada's: 1 ms to 2 s, doubling.
      buckets: client.exponentialBuckets(0.001, 2, 12),
      registers,
    });
    this.creates = new client.Counter({
      name: 'create_resource_to_cluster',
      help: 'Objects of Works the execution controller created in member clusters; result is error when the member refused the create.',
      labelNames: ['result', 'apiversion', 'kind', 'member_cluster', 'recreate'] as const,
      registers,
    });
    this.updates = new client.Counter({
      name: 'update_resource_to_cluster',
      help: 'Objects of Works the execution controller updated in member clusters; operationResult tells whether the member object changed (updated) or already matched (unchanged).',
      labelNames: ['result', 'apiversion', 'kind', 'member_cluster', 'operationResult'] as const,
      registers,
    });
    this.deletes = new client.Counter({
      name: 'delete_resource_from_cluster',
      help: 'Objects of deleted Works the execution controller deleted from member clusters.',
      labelNames: ['result', 'apiversion', 'kind', 'member_cluster'] as const,
      registers,
    });
    this.propagation = new client.Histogram({
      name: 'flotilla_propagation_duration_seconds',
      help: "Seconds from a resource template's creation (its metadata.creationTimestamp, whole seconds) to its object being created in a member cluster by the first sync of its Work.",
      // No cluster label: with hundreds of members, a histogram per member is more series than the answer is worth.
      buckets: PROPAGATION_BUCKETS,
      registers,
    });
  }

  observeSync(result: SyncResult, startedMs: number): void {
    this.syncDuration.observe({ result }, (performance.now() - startedMs) / 1000);
  }

  /** A create, update or delete of manifest's object in cluster, counted as Karmada counts it. */
  countWrite(cluster: string, manifest: Obj, write: MemberWrite): void {
    const labels = { result: write.ok ? 'success' : 'error', apiversion: String(manifest.apiVersion), kind: String(manifest.kind), member_cluster: cluster };
    switch (write.operation) {
      case 'create':
        // recreate=true is Karmada's count of objects deleted in a member and created again by the work status
        // controller; the execution controller only ever creates.
        this.creates.inc({ ...labels, recreate: 'false' });
        break;
      case 'update':
        // Karmada reports a failed update as "unchanged" (its OperationResultNone).
        this.updates.inc({ ...labels, operationResult: write.changed ? 'updated' : 'unchanged' });
        break;
      case 'delete':
        this.deletes.inc(labels);
        break;
    }
  }
}

const byRegistry = new WeakMap<client.Registry, ExecutionMetrics>();

/** The execution metrics registered in registry: one set per process, however often the controller starts. */
export function executionMetrics(registry: client.Registry): ExecutionMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) byRegistry.set(registry, (metrics = new ExecutionMetrics(registry)));
  return metrics;
}

// What the scheduler shares across its plugins, spread selection, replica division and loop: Karmada's names for
// the binding fields it reads, the errors a scheduling attempt ends in, and the small accessors Karmada keeps on its
// API types (Placement.ReplicaSchedulingType, ResourceBindingSpec.TargetContains, ...).
import type {
  Cluster,
  Placement,
  ReplicaSchedulingStrategy,
  ResourceBindingSpec,
  ResourceBindingStatus,
  TargetCluster,
} from '../openapi/karmada/types.js';

/** The annotation the scheduler stamps with the placement it scheduled (util.PolicyPlacementAnnotation). */
export const APPLIED_PLACEMENT_ANNOTATION = 'policy.karmada.io/applied-placement';

/** A binding is the scheduler's when one of these labels is set: it was made for a policy, or is managed by one. */
export const BINDING_OWNER_LABELS = [
  'propagationpolicy.karmada.io/permanent-id',
  'clusterpropagationpolicy.karmada.io/permanent-id',
  'binding.karmada.io/managed-by',
];

/** Bindings with no spec.schedulerName belong to this scheduler. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** The Scheduled condition and its reasons (workv1alpha2.Scheduled, BindingReason*). */
export const SCHEDULED_CONDITION = 'Scheduled';
export type ScheduledReason = 'Success' | 'NoClusterFit' | 'Unschedulable' | 'SchedulerError';
export const SUCCESSFUL_SCHEDULING_MESSAGE = 'Binding has been scheduled successfully.';

/** Scores are in [MIN_CLUSTER_SCORE, MAX_CLUSTER_SCORE] (framework.MinClusterScore / MaxClusterScore). */
export const MIN_CLUSTER_SCORE = 0;
export const MAX_CLUSTER_SCORE = 100;

/**
 * No cluster passed the filters (framework.FitError). Its message counts the clusters per reason, sorted, in
 * Karmada's words: `0/3 clusters are available: 1 cluster(s) did not have the API resource, 2 cluster(s) ...`.
 * reasons names each filtered cluster and why, for the log.
 */
export class FitError extends Error {
  constructor(
    readonly numAllClusters: number,
    readonly reasons: ReadonlyMap<string, string>,
  ) {
    super(fitErrorMessage(numAllClusters, reasons));
  }
}

function fitErrorMessage(numAllClusters: number, reasons: ReadonlyMap<string, string>): string {
  if (numAllClusters === 0 || reasons.size === 0) return `0/${numAllClusters} clusters are available: no cluster exists.`;
  const histogram = new Map<string, number>();
  for (const reason of reasons.values()) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
  // Go's sort.Strings over "<count> <reason>": byte order, which for these ASCII texts is JavaScript's default.
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${numAllClusters} clusters are available: ${parts.join(', ')}.`;
}

/** Clusters fit, but not with enough room for the replicas (framework.UnschedulableError): retried with backoff. */
export class UnschedulableError extends Error {}

/** Placement.ReplicaSchedulingType(): Duplicated unless Divided is asked for. */
export function replicaSchedulingType(placement: Placement | undefined): 'Duplicated' | 'Divided' {
  return placement?.replicaScheduling?.replicaSchedulingType === 'Divided' ? 'Divided' : 'Duplicated';
}

/**
 * Divided by static weights (Karmada's isStaticWeightedStrategy): Weighted without a dynamic weight, including no
 * weight preference at all (every cluster weighs 1).
 */
export function isStaticWeighted(strategy: ReplicaSchedulingStrategy | undefined): boolean {
  if (strategy?.replicaSchedulingType !== 'Divided' || strategy.replicaDivisionPreference !== 'Weighted') return false;
  const pref = strategy.weightPreference;
  return !pref || ((pref.staticWeightList?.length ?? 0) > 0 && !pref.dynamicWeight);
}

/** ResourceBindingSpec.TargetContains: the cluster is in the current schedule result. */
export function targetContains(spec: ResourceBindingSpec, cluster: string): boolean {
  return (spec.clusters ?? []).some((c) => c.name === cluster);
}

/** ResourceBindingSpec.AssignedReplicasForCluster. */
export function assignedReplicas(spec: ResourceBindingSpec, cluster: string): number {
  return spec.clusters?.find((c) => c.name === cluster)?.replicas ?? 0;
}

export function sumReplicas(clusters: readonly TargetCluster[] | undefined): number {
  return (clusters ?? []).reduce((sum, c) => sum + (c.replicas ?? 0), 0);
}

export function clusterName(cluster: Cluster): string {
  return cluster.metadata?.name ?? '';
}

/** A target with replicas 0 is written without the field, as Go's omitempty does. */
export function target(name: string, replicas: number): TargetCluster {
  return replicas ? { name, replicas } : { name };
}

/** util.RescheduleRequired: spec.rescheduleTriggeredAt is after the last successful schedule. */
export function rescheduleRequired(spec: ResourceBindingSpec, status: ResourceBindingStatus): boolean {
  if (!spec.rescheduleTriggeredAt || !status.lastScheduledTime) return false;
  return Date.parse(spec.rescheduleTriggeredAt) > Date.parse(status.lastScheduledTime);
}

/** Prefixes an error's message as Karmada wraps it, keeping whether it is an UnschedulableError. */
export function withContext<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    const message = `${what}: ${(err as Error).message}`;
    throw err instanceof UnschedulableError ? new UnschedulableError(message) : new Error(message, { cause: err });
  }
}

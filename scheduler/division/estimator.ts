// Karmada's general replica estimator: how many more replicas of the binding's pod a cluster can take. Two ways, as
// Karmada's GeneralEstimator with CustomizedClusterResourceModeling (on by default): when the cluster reports
// status.resourceSummary.allocatableModelings (how many of its nodes fall into each grade of spec.resourceModels),
// every node of a grade is assumed to have that grade's minimum free, and each holds as many replicas as fit in that
// minimum (at least one); otherwise the whole cluster is one pool, allocatable - allocated - allocating. The pods
// the cluster can still run are a limit either way.
import { milliValue } from '../../apiserver/member/simulator-capacity.js';
import type { Cluster, ReplicaRequirements, ResourceBindingSpec, ResourceSummary } from '../../openapi/karmada/types.js';
import { clusterName } from '../api.js';

/** What Karmada reports for a binding without replicas (math.MaxInt32): capacity does not limit it. */
const UNLIMITED_REPLICAS = 2 ** 31 - 1;

/** The replicas each cluster can still take, by cluster name (Karmada's calAvailableReplicas). */
export function availableReplicas(clusters: readonly Cluster[], spec: ResourceBindingSpec): Map<string, number> {
  return new Map(clusters.map((c) => [clusterName(c), spec.replicas ? maxAvailableReplicas(c, spec.replicaRequirements) : UNLIMITED_REPLICAS]));
}

/** A requested resource and its amount as Karmada divides it: millicores for cpu, whole units for the rest. */
interface Request {
  name: string;
  amount: number;
}

/**
 * A quantity as Karmada's estimator counts it: MilliValue for cpu, Value (rounded up to a whole unit) for the
 * rest; undefined when it does not parse.
 */
function amount(resource: string, quantity: unknown): number | undefined {
  const milli = milliValue(quantity);
  if (milli === undefined) return undefined;
  return resource === 'cpu' ? milli : Math.ceil(milli / 1000);
}

/** GeneralEstimator.maxAvailableReplicas. A cluster that has not reported its resources can take nothing. */
export function maxAvailableReplicas(cluster: Cluster, requirements: ReplicaRequirements | undefined): number {
  const summary = cluster.status?.resourceSummary;
  if (!summary) return 0;
  const pods = allowedPodNumber(summary);
  if (pods <= 0) return 0;
  // Requests of zero (or that do not parse) limit nothing, as Karmada skips them.
  const requests: Request[] = [];
  for (const [name, quantity] of Object.entries(requirements?.resourceRequest ?? {})) {
    const a = amount(name, quantity);
    if (a !== undefined && a > 0) requests.push({ name, amount: a });
  }
  // Karmada adds up MaxInt64 per node here when a claim has no resource request (and overflows); nothing is
  // requested, so only the pods limit.
  if (requests.length === 0) return pods;
  if (summary.allocatableModelings?.length) {
    const byModels = replicasByResourceModels(cluster, summary, requests);
    if (byModels !== undefined) return Math.min(pods, byModels);
  }
  return Math.min(pods, replicasBySummary(summary, requests));
}

/** getAllowedPodNumber: allocatable - allocated - allocating pods; too many pods already created leave none. */
function allowedPodNumber(summary: ResourceSummary): number {
  const pods = (list: Record<string, number | string> | undefined) => amount('pods', list?.pods) ?? 0;
  return Math.max(0, pods(summary.allocatable) - pods(summary.allocated) - pods(summary.allocating));
}

/** getMaximumReplicasBasedOnClusterSummary: the whole cluster as one pool. */
function replicasBySummary(summary: ResourceSummary, requests: Request[]): number {
  let max = Infinity;
  for (const { name, amount: request } of requests) {
    const allocatable = milliValue(summary.allocatable?.[name]);
    if (allocatable === undefined) return 0;
    const free = allocatable - (milliValue(summary.allocated?.[name]) ?? 0) - (milliValue(summary.allocating?.[name]) ?? 0);
    const left = name === 'cpu' ? free : Math.ceil(free / 1000);
    if (left <= 0) return 0;
    max = Math.min(max, Math.floor(left / request));
  }
  return max;
}

/**
 * getMaximumReplicasBasedOnResourceModels: the lowest grade whose minimum holds one replica in every requested
 * resource, then, for it and every higher grade, its node count times the replicas that grade's minimum holds (at
 * least one: a node of a suitable grade takes one). Undefined when a requested resource is not modelled (the
 * summary decides then); 0 when no grade is large enough.
 */
function replicasByResourceModels(cluster: Cluster, summary: ResourceSummary, requests: Request[]): number | undefined {
  const models = cluster.spec.resourceModels ?? [];
  const minimums = new Map<string, number[]>();
  for (const model of models)
    for (const range of model.ranges) minimums.set(range.name, [...(minimums.get(range.name) ?? []), amount(range.name, range.min) ?? 0]);

  let lowest = 0;
  for (const { name, amount: request } of requests) {
    const grades = minimums.get(name);
    if (!grades) return undefined;
    const index = grades.findIndex((min) => min >= request);
    if (index < 0) return 0;
    lowest = Math.max(lowest, index);
  }
  let total = 0;
  for (let i = lowest; i < models.length; i++) {
    const count = summary.allocatableModelings?.[i]?.count ?? 0;
    if (count === 0) continue;
    const perNode = Math.min(...requests.map(({ name, amount: request }) => Math.floor((minimums.get(name)![i] ?? 0) / request)));
    total += count * Math.max(1, perNode);
  }
  return total;
}

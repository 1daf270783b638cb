// Karmada's general replica estimator: how many more replicas of the binding's pod a cluster can take, from the
// cluster's status.resourceSummary (allocatable - allocated - allocating) and the binding's
// spec.replicaRequirements.resourceRequest. The pod count is a limit too.
import { milliValue } from '../../apiserver/member/simulator-capacity.js';
import type { Cluster, ReplicaRequirements, ResourceBindingSpec } from '../../openapi/karmada/types.js';
import { clusterName } from '../api.js';

/** What Karmada reports for a binding without replicas (math.MaxInt32): capacity does not limit it. */
const UNLIMITED_REPLICAS = 2 ** 31 - 1;

/** The replicas each cluster can still take, by cluster name (Karmada's calAvailableReplicas). */
export function availableReplicas(clusters: readonly Cluster[], spec: ResourceBindingSpec): Map<string, number> {
  return new Map(clusters.map((c) => [clusterName(c), spec.replicas ? maxAvailableReplicas(c, spec.replicaRequirements) : UNLIMITED_REPLICAS]));
}

/** GeneralEstimator.maxAvailableReplicas. A cluster that has not reported its resources can take nothing. */
export function maxAvailableReplicas(cluster: Cluster, requirements: ReplicaRequirements | undefined): number {
  const summary = cluster.status?.resourceSummary;
  if (!summary) return 0;
  const free = (resource: string): number | undefined => {
    const allocatable = milliValue(summary.allocatable?.[resource]);
    if (allocatable === undefined) return undefined;
    return allocatable - (milliValue(summary.allocated?.[resource]) ?? 0) - (milliValue(summary.allocating?.[resource]) ?? 0);
  };
  // Too many pods already created makes allocating huge: nothing more then.
  let max = Math.max(0, Math.floor((free('pods') ?? 0) / 1000));
  for (const [resource, quantity] of Object.entries(requirements?.resourceRequest ?? {})) {
    const request = milliValue(quantity);
    if (!request || request <= 0) continue;
    const left = free(resource);
    if (left === undefined || left <= 0) return 0;
    max = Math.min(max, Math.floor(left / request));
  }
  return max;
}

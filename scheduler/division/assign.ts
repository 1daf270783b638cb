// Replica assignment over the selected clusters (Karmada's AssignReplicas): Duplicated gives every cluster all the
// replicas; Divided by static weights apportions them by the weight list; Divided by available replicas (dynamic
// weight) or Aggregated (as few clusters as hold them) follows what the clusters can take, and is steady: scaling up
// divides only the added replicas, scaling down re-divides in proportion to the current assignment, and a reschedule
// triggered by spec.rescheduleTriggeredAt starts afresh.
import type { Cluster, ResourceBindingSpec, ResourceBindingStatus, StaticClusterWeight, TargetCluster } from '../../openapi/karmada/types.js';
import { UnschedulableError, clusterName, replicaSchedulingType, rescheduleRequired, sumReplicas, target, withContext } from '../api.js';
import { clusterMatches } from '../cluster.js';
import { type ClusterWeight, spreadByTargetClusters, takeByWeight } from './dispenser.js';

export interface AssignInput {
  /** The selected clusters, best first. */
  clusters: readonly Cluster[];
  spec: ResourceBindingSpec;
  status: ResourceBindingStatus;
  /** The replicas each cluster can still take (availableReplicas), by name. */
  available: ReadonlyMap<string, number>;
  /** Breaks ties between equal shares: the binding's uid. */
  seed: string;
}

type Strategy = 'Duplicated' | 'Aggregated' | 'StaticWeight' | 'DynamicWeight';

/** The schedule result. Throws UnschedulableError when the clusters cannot hold the replicas, Error otherwise. */
export function assignReplicas(input: AssignInput): TargetCluster[] {
  const { clusters, spec } = input;
  if (clusters.length === 0) throw new Error('no clusters available to schedule');
  const replicas = spec.replicas ?? 0;
  // Not a workload (ConfigMap, Secret, ...): every cluster gets it, without replicas.
  if (replicas <= 0) return clusters.map((c) => target(clusterName(c), 0));

  const strategy = strategyOf(spec);
  let result: TargetCluster[];
  switch (strategy) {
    case 'Duplicated':
      result = clusters.map((c) => target(clusterName(c), replicas));
      break;
    case 'StaticWeight':
      result = takeByWeight(replicas, staticWeights(clusters, spec), [], input.seed);
      break;
    case 'Aggregated':
    case 'DynamicWeight':
      result = assignByResources(input, strategy);
      break;
    default: {
      const scheduling = spec.placement?.replicaScheduling;
      throw new Error(
        `unsupported replica scheduling strategy, replicaSchedulingType: ${replicaSchedulingType(spec.placement)}, ` +
          `replicaDivisionPreference: ${scheduling?.replicaDivisionPreference ?? ''}, please try another scheduling strategy`,
      );
    }
  }
  return result.filter((c) => (c.replicas ?? 0) > 0);
}

function strategyOf(spec: ResourceBindingSpec): Strategy | undefined {
  if (replicaSchedulingType(spec.placement) === 'Duplicated') return 'Duplicated';
  const scheduling = spec.placement?.replicaScheduling;
  if (scheduling?.replicaDivisionPreference === 'Aggregated') return 'Aggregated';
  if (scheduling?.replicaDivisionPreference === 'Weighted') return scheduling.weightPreference?.dynamicWeight ? 'DynamicWeight' : 'StaticWeight';
  return undefined;
}

/**
 * Each cluster weighs the most of the static weights whose targetCluster it matches; clusters no rule matches get
 * nothing. With no weight at all (no weightPreference, or no rule matching), every cluster weighs 1.
 */
function staticWeights(clusters: readonly Cluster[], spec: ResourceBindingSpec): ClusterWeight[] {
  const rules: StaticClusterWeight[] = spec.placement?.replicaScheduling?.weightPreference?.staticWeightList ?? [];
  const last = new Map((spec.clusters ?? []).map((c) => [c.name, c.replicas ?? 0]));
  const weights = clusters.map((c) => ({
    name: clusterName(c),
    weight: Math.max(0, ...rules.filter((r) => clusterMatches(c, r.targetCluster)).map((r) => r.weight)),
    lastReplicas: last.get(clusterName(c)) ?? 0,
  }));
  const weighted = weights.filter((w) => w.weight > 0);
  return weighted.length > 0 ? weighted : weights.map((w) => ({ ...w, weight: 1 }));
}

/** Karmada's assignByDynamicStrategy, Steady unless a reschedule was asked for (Fresh). */
function assignByResources(input: AssignInput, strategy: 'Aggregated' | 'DynamicWeight'): TargetCluster[] {
  const { clusters, spec, status, available, seed } = input;
  const replicas = spec.replicas ?? 0;
  const names = new Set(clusters.map(clusterName));
  // What stays scheduled: the current result on clusters still selected. Replicas on clusters no longer selected
  // count as not placed, so they are placed again elsewhere.
  const scheduled = (spec.clusters ?? []).filter((c) => names.has(c.name));
  const assigned = sumReplicas(scheduled);
  const capacity = (extra: (name: string) => number): TargetCluster[] =>
    byReplicasDesc(clusters.map((c) => ({ name: clusterName(c), replicas: (available.get(clusterName(c)) ?? 0) + extra(clusterName(c)) })));
  const divide = (what: string, target: number, capacities: TargetCluster[], init: TargetCluster[]) =>
    withContext(what, () => divideByCapacity(strategy, target, capacities, init, seed));

  if (rescheduleRequired(spec, status)) {
    // Fresh: everything is divided again, counting what each cluster already runs as room it has.
    const current = new Map(scheduled.map((c) => [c.name, c.replicas ?? 0]));
    return divide('failed to do fresh scale', replicas, capacity((n) => current.get(n) ?? 0), []);
  }
  // Scaling down: the current assignment is the weight, as if it were a first schedule of the new count. (Karmada
  // weighs by all of spec.clusters here, which can put replicas back on a cluster no longer selected.)
  if (assigned > replicas) return divide('failed to scale down', replicas, byReplicasDesc(scheduled), []);
  // Scaling up (a first schedule included): only the added replicas are divided; the placed ones stay.
  if (assigned < replicas) return divide('failed to scale up', replicas - assigned, capacity(() => 0), scheduled);
  return scheduled;
}

/**
 * Karmada's dynamicDivideReplicas: the clusters must hold target between them; Aggregated keeps only as many as
 * needed, those already scheduled first, the roomiest next; the target is then spread in proportion to capacity.
 */
function divideByCapacity(strategy: 'Aggregated' | 'DynamicWeight', target: number, capacities: TargetCluster[], init: TargetCluster[], seed: string): TargetCluster[] {
  const total = sumReplicas(capacities);
  if (total < target) throw new UnschedulableError(`Clusters available replicas ${total} are not enough to schedule.`);
  let weights = capacities;
  if (strategy === 'Aggregated') {
    const prior = new Set(init.filter((c) => (c.replicas ?? 0) > 0).map((c) => c.name));
    const ordered = [...capacities.filter((c) => prior.has(c.name)), ...capacities.filter((c) => !prior.has(c.name))];
    let sum = 0;
    const needed = ordered.findIndex((c) => (sum += c.replicas ?? 0) >= target);
    weights = ordered.slice(0, needed + 1);
  }
  return spreadByTargetClusters(target, weights, init, seed);
}

function byReplicasDesc(list: readonly TargetCluster[]): TargetCluster[] {
  return [...list].sort((a, b) => (b.replicas ?? 0) - (a.replicas ?? 0));
}

// The scheduling algorithm, pure: filter the clusters, score the feasible ones, select under the spread constraints
// and assign the replicas (Karmada's genericScheduler.Schedule); and, for placements with clusterAffinities, the
// affinity terms tried in order from the one being observed, moving on only while a term cannot fit.
import type { Cluster, ResourceBindingSpec, ResourceBindingStatus, TargetCluster } from '../openapi/karmada/types.js';
import { FitError, assignedReplicas, clusterName, withContext } from './api.js';
import { assignReplicas } from './division/assign.js';
import { availableReplicas } from './division/estimator.js';
import { runFilters, runScores } from './plugins/framework.js';
import { selectClusters } from './spread/select.js';

export interface ScheduleInput {
  spec: ResourceBindingSpec;
  status: ResourceBindingStatus;
  /** Every cluster the scheduler knows. */
  clusters: readonly Cluster[];
  /** The binding's uid: breaks ties between equal shares of replicas the same way every time. */
  seed: string;
}

/**
 * The schedule result for one placement (one affinity term). Throws FitError when no cluster passes the filters,
 * UnschedulableError when the feasible clusters cannot hold the replicas, Error for any other failure.
 */
export function scheduleOnce({ spec, status, clusters, seed }: ScheduleInput): TargetCluster[] {
  const feasible: Cluster[] = [];
  const reasons = new Map<string, string>();
  for (const cluster of clusters) {
    // A cluster being deleted has its results cleaned up: nothing new goes there.
    if (cluster.metadata?.deletionTimestamp) continue;
    const reason = runFilters(spec, status, cluster);
    if (reason === undefined) feasible.push(cluster);
    else reasons.set(clusterName(cluster), reason);
  }
  if (feasible.length === 0) throw new FitError(clusters.length, reasons);

  const available = availableReplicas(feasible, spec);
  const selected = withContext('failed to select clusters', () =>
    selectClusters(
      feasible.map((cluster) => ({
        name: clusterName(cluster),
        score: runScores(spec, cluster),
        available: available.get(clusterName(cluster))! + assignedReplicas(spec, clusterName(cluster)),
        cluster,
      })),
      spec,
    ),
  );
  return withContext('failed to assign replicas', () => assignReplicas({ clusters: selected.map((c) => c.cluster), spec, status, available, seed }));
}

export interface ScheduleOutcome {
  /**
   * The new spec.clusters: empty when no cluster fits (the old result is cleaned up, as Karmada does); undefined
   * when the attempt failed otherwise and the current result stays.
   */
  clusters?: TargetCluster[];
  /** The affinity term now observed (status.schedulerObservingAffinityName), for placements with clusterAffinities. */
  affinityName?: string;
  error?: Error;
}

/** Schedules a binding: its clusterAffinity, or its clusterAffinities term by term. Never throws. */
export function scheduleBinding(input: ScheduleInput): ScheduleOutcome {
  const terms = input.spec.placement?.clusterAffinities ?? [];
  if (terms.length === 0) return attempt(() => ({ clusters: scheduleOnce(input) }));

  // Start from the term being observed: an earlier term that became feasible again is not returned to.
  const observed = input.status.schedulerObservingAffinityName;
  const start = Math.max(0, terms.findIndex((t) => t.affinityName === observed));
  let firstError: Error | undefined;
  for (const term of terms.slice(start)) {
    const status = { ...input.status, schedulerObservingAffinityName: term.affinityName };
    try {
      return { clusters: scheduleOnce({ ...input, status }), affinityName: term.affinityName };
    } catch (err) {
      firstError ??= err as Error;
    }
  }
  // No term fits: the first term's error is reported, and the observed term stays.
  return attempt(() => {
    throw firstError;
  });
}

function attempt(run: () => ScheduleOutcome): ScheduleOutcome {
  try {
    return run();
  } catch (err) {
    if (err instanceof FitError) return { clusters: [], error: err };
    return { error: err as Error };
  }
}

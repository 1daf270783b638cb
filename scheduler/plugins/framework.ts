// The scheduling framework's two extension points as Karmada runs them: filter plugins, in a fixed order, where the
// first to reject a cluster gives the reason it is not fit; and score plugins, whose scores add up per cluster.
import type { Cluster, ResourceBindingSpec, ResourceBindingStatus } from '../../openapi/karmada/types.js';
import { apiEnablement } from './apienablement.js';
import { clusterAffinity } from './clusteraffinity.js';
import { clusterEviction } from './clustereviction.js';
import { clusterLocality } from './clusterlocality.js';
import { spreadConstraint } from './spreadconstraint.js';
import { taintToleration } from './tainttoleration.js';

export interface FilterPlugin {
  readonly name: string;
  /** Undefined when the cluster fits; otherwise why not, in Karmada's words (it goes into the FitError message). */
  filter(spec: ResourceBindingSpec, status: ResourceBindingStatus, cluster: Cluster): string | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  /** A score in [MIN_CLUSTER_SCORE, MAX_CLUSTER_SCORE]. */
  score(spec: ResourceBindingSpec, cluster: Cluster): number;
}

/**
 * Karmada keeps its plugins in a Go map, so which reason a cluster failing several filters reports varies from run
 * to run; here the order is fixed, the user's own choice (affinity) first.
 */
export const FILTER_PLUGINS: readonly FilterPlugin[] = [clusterAffinity, taintToleration, apiEnablement, spreadConstraint, clusterEviction];
export const SCORE_PLUGINS: readonly ScorePlugin[] = [clusterLocality];

/** The first filter's reason for rejecting cluster, or undefined when every filter passes it. */
export function runFilters(spec: ResourceBindingSpec, status: ResourceBindingStatus, cluster: Cluster): string | undefined {
  for (const plugin of FILTER_PLUGINS) {
    const reason = plugin.filter(spec, status, cluster);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** The sum of every score plugin's score for cluster. */
export function runScores(spec: ResourceBindingSpec, cluster: Cluster): number {
  return SCORE_PLUGINS.reduce((sum, plugin) => sum + plugin.score(spec, cluster), 0);
}

// Cluster selection under spread constraints (Karmada's spreadconstraint package): which of the feasible clusters a
// binding goes to. Clusters are ranked by score, then by the replicas they can take; spreading by cluster keeps the
// best maxGroups clusters (swapping in roomier ones until the replicas fit); spreading by a topology (provider,
// region, zone or a cluster label) first chooses groups with Karmada's group selection, takes the best cluster of
// each, then fills up to the cluster constraint's maxGroups with the best of the rest.
import type { Cluster, Placement, ResourceBindingSpec, SpreadConstraint } from '../../openapi/karmada/types.js';
import { isStaticWeighted, replicaSchedulingType } from '../api.js';
import { clusterZones } from '../cluster.js';
import { compare, selectGroups } from './select-groups.js';

/** A feasible cluster as selection sees it (spreadconstraint.ClusterDetailInfo). */
export interface ClusterDetail {
  name: string;
  score: number;
  /** What the cluster can take: its estimated free replicas plus those already scheduled to it. */
  available: number;
  cluster: Cluster;
}

/**
 * The clusters the binding goes to, best first. Throws when the constraints cannot be met (the scheduler reports a
 * SchedulerError then, as Karmada does).
 */
export function selectClusters(feasible: readonly ClusterDetail[], spec: ResourceBindingSpec): ClusterDetail[] {
  const ranked = [...feasible].sort(byScoreThenAvailable);
  const placement = spec.placement ?? {};
  const constraints = placement.spreadConstraints ?? [];
  // Static weights name their clusters themselves: spread constraints do not apply to them.
  if (constraints.length === 0 || isStaticWeighted(placement.replicaScheduling)) return ranked;

  // Without divided replicas, what the clusters can hold does not matter.
  const needReplicas = !placement.replicaScheduling || replicaSchedulingType(placement) === 'Duplicated' ? undefined : spec.replicas ?? 0;
  const byCluster = constraints.find((c) => c.spreadByField === 'cluster');
  const topology = topologyConstraint(constraints);
  if (topology) return selectByGroups(ranked, topology, byCluster, spec);
  if (!byCluster) throw new Error('spread constraints must spread by cluster, provider, region, zone or a label');
  return selectByCluster(ranked, byCluster, needReplicas);
}

/**
 * The topology level to spread over. Karmada selects by region only (and cluster); the other levels work the same
 * way here, and when several are given the widest one is used.
 */
function topologyConstraint(constraints: SpreadConstraint[]): SpreadConstraint | undefined {
  for (const field of ['provider', 'region', 'zone'] as const) {
    const c = constraints.find((s) => s.spreadByField === field);
    if (c) return c;
  }
  return constraints.find((s) => s.spreadByLabel);
}

function byScoreThenAvailable(a: ClusterDetail, b: ClusterDetail): number {
  return b.score - a.score || b.available - a.available || compare(a.name, b.name);
}

/** Karmada's selectBestClustersByCluster. */
function selectByCluster(ranked: ClusterDetail[], constraint: SpreadConstraint, needReplicas: number | undefined): ClusterDetail[] {
  if (ranked.length < (constraint.minGroups ?? 0)) throw new Error('the number of feasible clusters is less than spreadConstraint.MinGroups');
  const needCount = Math.min(constraint.maxGroups ?? 0, ranked.length);
  if (needReplicas === undefined) return ranked.slice(0, needCount);
  const chosen = selectByAvailableResource(ranked, needCount, needReplicas);
  if (!chosen) throw new Error(`no enough resource when selecting ${needCount} clusters`);
  return chosen;
}

/**
 * The best needCount clusters by score; while they cannot hold needReplicas together, the lowest-ranked of them is
 * swapped, from the last upwards, for the roomiest of the rest when that one is roomier.
 *
 *   needCount 2, needReplicas 80:   member1 (score 60, 40 free)  member2 (50, 30)  member3 (40, 60)
 *   → member1 and member3: the two best by score hold only 70.
 */
function selectByAvailableResource(ranked: ClusterDetail[], needCount: number, needReplicas: number): ClusterDetail[] | undefined {
  const chosen = ranked.slice(0, needCount);
  const rest = ranked.slice(needCount);
  const fits = () => chosen.reduce((sum, c) => sum + c.available, 0) >= needReplicas;
  for (let i = chosen.length - 1; i >= 0 && !fits(); i--) {
    let best = -1;
    for (let j = 0; j < rest.length; j++) if (rest[j].available > (best < 0 ? chosen[i].available : rest[best].available)) best = j;
    if (best >= 0) [chosen[i], rest[best]] = [rest[best], chosen[i]];
  }
  return fits() ? chosen : undefined;
}

interface TopologyGroup {
  name: string;
  score: number;
  /** Best first, in the order the group's score ranks them. */
  clusters: ClusterDetail[];
}

/** Karmada's selectBestClustersByRegion, for any topology level. */
function selectByGroups(ranked: ClusterDetail[], topology: SpreadConstraint, byCluster: SpreadConstraint | undefined, spec: ResourceBindingSpec): ClusterDetail[] {
  const groups = groupClusters(ranked, topology, spec);
  const level = topology.spreadByField ?? `${topology.spreadByLabel} label value`;
  if (groups.size < (topology.minGroups ?? 0)) throw new Error(`the number of feasible ${level} is less than spreadConstraint.MinGroups`);

  const chosenGroups = selectGroups(
    [...groups.values()].map((g) => ({ name: g.name, value: g.clusters.length, weight: g.score })),
    topology.minGroups ?? 0,
    topology.maxGroups ?? 0,
    byCluster?.minGroups ?? 0,
  );
  if (chosenGroups.length === 0) throw new Error('the number of clusters is less than the cluster spreadConstraint.MinGroups');

  // The best cluster of each chosen group first (a cluster in several zones is taken once), then the best of the
  // rest up to the cluster constraint's maxGroups.
  const chosen: ClusterDetail[] = [];
  const taken = new Set<string>();
  const candidates: ClusterDetail[] = [];
  for (const { name } of chosenGroups) {
    const members = groups.get(name)!.clusters.filter((c) => !taken.has(c.name));
    if (members.length === 0) continue;
    chosen.push(members[0]);
    taken.add(members[0].name);
    candidates.push(...members.slice(1));
  }
  const rest = [...new Map(candidates.filter((c) => !taken.has(c.name)).map((c) => [c.name, c])).values()].sort(byScoreThenAvailable);
  const needCount = Math.min(rest.length + chosen.length, byCluster?.maxGroups ?? 0);
  return [...chosen, ...rest.slice(0, Math.max(0, needCount - chosen.length))];
}

function groupKeys(cluster: Cluster, topology: SpreadConstraint): string[] {
  switch (topology.spreadByField) {
    case 'provider':
      return cluster.spec.provider ? [cluster.spec.provider] : [];
    case 'region':
      return cluster.spec.region ? [cluster.spec.region] : [];
    case 'zone':
      return clusterZones(cluster);
    default: {
      const value = topology.spreadByLabel ? cluster.metadata?.labels?.[topology.spreadByLabel] : undefined;
      return value === undefined ? [] : [value];
    }
  }
}

function groupClusters(ranked: ClusterDetail[], topology: SpreadConstraint, spec: ResourceBindingSpec): Map<string, TopologyGroup> {
  const members = new Map<string, ClusterDetail[]>();
  for (const c of ranked) for (const key of groupKeys(c.cluster, topology)) members.set(key, [...(members.get(key) ?? []), c]);
  const averageScore = ranked.length ? Math.trunc(ranked.reduce((s, c) => s + c.score, 0) / ranked.length) : 0;
  const groups = new Map<string, TopologyGroup>();
  for (const [name, clusters] of members) groups.set(name, { name, ...groupScore(clusters, spec.placement, spec.replicas ?? 0, averageScore) });
  return groups;
}

/**
 * Karmada's calcGroupScore: the mean of the better half of the scores, less their spread; for duplicated replicas
 * raised by the share of clusters that can hold them all; for replicas divided by resources lowered when the
 * clusters' score order departs from their capacity order. Returns the clusters in the order it leaves them:
 * by capacity for divided-by-resources, else by score.
 */
export function groupScore(
  clusters: readonly ClusterDetail[],
  placement: Placement | undefined,
  replicas: number,
  averageScore: number,
): { score: number; clusters: ClusterDetail[] } {
  const byScore = [...clusters].sort((a, b) => b.score - a.score || compare(a.name, b.name));
  const better = byScore.slice(0, Math.floor((byScore.length - 1) / 2) + 1);
  const base = Math.trunc(better.reduce((s, c) => s + c.score, 0) / better.length) - (byScore[0].score - byScore[byScore.length - 1].score);

  if (!placement?.replicaScheduling || replicaSchedulingType(placement) === 'Duplicated') {
    const good = byScore.filter((c) => c.available >= replicas).length;
    return { score: base + Math.trunc(base * (good / byScore.length)), clusters: byScore };
  }
  if (isStaticWeighted(placement.replicaScheduling)) return { score: base, clusters: byScore };

  const rank = new Map(byScore.map((c, i) => [c.name, i]));
  const byAvailable = [...byScore].sort((a, b) => b.available - a.available || compare(a.name, b.name));
  const distance = byAvailable.reduce((s, c, i) => s + Math.abs(rank.get(c.name)! - i), 0);
  return { score: base - Math.trunc(distance / byAvailable.length) * averageScore, clusters: byAvailable };
}

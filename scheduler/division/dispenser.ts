// Karmada's replica dispenser (helper.Dispenser.TakeByWeight): each cluster gets the floor of its share of the
// replicas by weight, and the replicas left over go one each to the clusters in order of weight, then of what they
// had in the last schedule (so a remainder stays where it was). Karmada breaks the remaining ties at random; here
// they are broken by a hash of the binding's uid and the cluster name: as even across bindings, but the same on
// every run, so a level-triggered scheduler does not move replicas back and forth.
import type { TargetCluster } from '../../openapi/karmada/types.js';
import { target } from '../api.js';
import { compare } from '../spread/select-groups.js';

export interface ClusterWeight {
  name: string;
  weight: number;
  /** Replicas the cluster had in the previous schedule result. */
  lastReplicas: number;
}

/**
 * Divides replicas by weights and merges the result into init (replicas already placed, which keep their place).
 * With all weights 0 nothing is divided.
 */
export function takeByWeight(replicas: number, weights: readonly ClusterWeight[], init: readonly TargetCluster[], seed: string): TargetCluster[] {
  const sum = weights.reduce((s, w) => s + w.weight, 0);
  if (sum === 0) return [...init];
  const ordered = [...weights].sort(
    (a, b) => b.weight - a.weight || b.lastReplicas - a.lastReplicas || tieBreak(seed, a.name) - tieBreak(seed, b.name) || compare(a.name, b.name),
  );
  const shares = ordered.map((w) => ({ name: w.name, replicas: Math.floor((w.weight * replicas) / sum) }));
  let remain = replicas - shares.reduce((s, c) => s + c.replicas, 0);
  for (const share of shares) {
    if (remain === 0) break;
    share.replicas++;
    remain--;
  }
  return mergeTargetClusters(init, shares.map((s) => target(s.name, s.replicas)));
}

/**
 * helper.SpreadReplicasByTargetClusters: divides replicas using each cluster's replicas in tcs as its weight, on top
 * of init.
 */
export function spreadByTargetClusters(replicas: number, tcs: readonly TargetCluster[], init: readonly TargetCluster[], seed: string): TargetCluster[] {
  const last = new Map(init.map((c) => [c.name, c.replicas ?? 0]));
  return takeByWeight(replicas, tcs.map((c) => ({ name: c.name, weight: c.replicas ?? 0, lastReplicas: last.get(c.name) ?? 0 })), init, seed);
}

/** util.MergeTargetClusters: the added replicas on top of the old ones; clusters only in old keep theirs. */
export function mergeTargetClusters(old: readonly TargetCluster[], added: readonly TargetCluster[]): TargetCluster[] {
  const before = new Map(old.map((c) => [c.name, c.replicas ?? 0]));
  const merged = added.map((c) => target(c.name, (c.replicas ?? 0) + (before.get(c.name) ?? 0)));
  const addedNames = new Set(added.map((c) => c.name));
  return [...merged, ...old.filter((c) => !addedNames.has(c.name))];
}

/** 32-bit FNV-1a of the seed and cluster name: a fixed, well-mixed order for clusters that tie. */
function tieBreak(seed: string, name: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(`${seed}/${name}`)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

// Karmada's replica dispenser (helper.Dispenser.TakeByWeight), which apportions replicas by weight with the Webster
// (Sainte-Laguë) method: each next replica goes to the cluster with the highest weight ÷ (2 × replicas so far + 1).
// Ties go, as in Karmada, to the cluster with fewer replicas so far; then to the one that had more in the last
// schedule (so a remainder stays where it was); then by a hash of the binding's uid and the cluster name, where
// Karmada falls back to the name: as even across bindings, but the same on every run, so a level-triggered scheduler
// does not move replicas back and forth.
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
  const n = weights.length;
  // Every cluster's Webster share is above weight × (replicas − n/2) ÷ sum − 1/2: starting from that floor, the
  // highest-averages loop hands out at most about 2n replicas, however large the count.
  const seats = weights.map((w) => ({ ...w, replicas: Math.max(0, Math.floor((w.weight * (replicas - n / 2)) / sum - 0.5)) }));
  let remain = replicas - seats.reduce((s, c) => s + c.replicas, 0);
  // a before b: a higher weight ÷ (2 × replicas + 1), compared without division.
  const before = (a: (typeof seats)[number], b: (typeof seats)[number]) =>
    a.weight * (2 * b.replicas + 1) - b.weight * (2 * a.replicas + 1) ||
    b.replicas - a.replicas ||
    a.lastReplicas - b.lastReplicas ||
    tieBreak(seed, b.name) - tieBreak(seed, a.name) ||
    compare(b.name, a.name);
  for (; remain > 0; remain--) {
    let next = seats[0];
    for (const c of seats) if (before(c, next) > 0) next = c;
    next.replicas++;
  }
  const ordered = seats.sort(
    (a, b) => b.weight - a.weight || b.lastReplicas - a.lastReplicas || tieBreak(seed, a.name) - tieBreak(seed, b.name) || compare(a.name, b.name),
  );
  return mergeTargetClusters(init, ordered.map((s) => target(s.name, s.replicas)));
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

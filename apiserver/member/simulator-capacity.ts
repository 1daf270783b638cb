// The simulated member's capacity model. It is deliberately not a scheduler: the cluster is one pool holding the sum
// of its Nodes' allocatable, and each workload asks the pool for `desired` pods of one pod's requests. That is enough
// for what the control plane observes (a workload larger than its member stays partially ready, and becomes ready
// when room is freed) without placing pods on Nodes.
import type { KObject } from '../../storage/store.js';

/** Amounts in thousandths of a unit (cpu millicores, memory millibytes, 1000 per pod), as kube's MilliValue. */
export type Resources = Map<string, number>;

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** A resource.Quantity ("500m", "1.5", "32Gi", "1e3") in thousandths; undefined when it does not parse. */
export function milliValue(q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  const m = QUANTITY.exec(String(q).trim());
  if (!m) return undefined;
  const scale = m[2] !== undefined ? 10 ** Number(m[2]) : SUFFIXES[m[3] ?? ''];
  // Rounded rather than ceiled: binary floating point turns "0.1" into 100.00000000000001 thousandths.
  return Math.round(Number(m[1]) * scale * 1000);
}

function containerRequests(c: any): Resources {
  const out: Resources = new Map();
  const requests = c?.resources?.requests ?? {};
  const limits = c?.resources?.limits ?? {};
  // A limit without a request is also the request (kube defaults requests from limits).
  for (const name of new Set([...Object.keys(limits), ...Object.keys(requests)])) {
    const v = milliValue(requests[name] ?? limits[name]);
    if (v) out.set(name, v);
  }
  return out;
}

/**
 * What one pod of this pod spec asks for, as the scheduler counts it: the containers' sum, or the largest init
 * container when that is larger (init containers run one at a time, before the others), plus one pod.
 */
export function podRequests(podSpec: any): Resources {
  const sum: Resources = new Map();
  for (const c of podSpec?.containers ?? []) for (const [r, v] of containerRequests(c)) sum.set(r, (sum.get(r) ?? 0) + v);
  for (const c of podSpec?.initContainers ?? []) for (const [r, v] of containerRequests(c)) sum.set(r, Math.max(sum.get(r) ?? 0, v));
  sum.set('pods', 1000);
  return sum;
}

/** The pool: every Node's status.allocatable added up. */
export function totalAllocatable(nodes: Iterable<KObject>): Resources {
  const total: Resources = new Map();
  for (const node of nodes)
    for (const [r, q] of Object.entries(node.status?.allocatable ?? {})) {
      const v = milliValue(q);
      if (v !== undefined) total.set(r, (total.get(r) ?? 0) + v);
    }
  return total;
}

export interface Demand {
  key: string;
  /** metadata.creationTimestamp: earlier workloads are served first. */
  created: string;
  /** Pods the workload wants. */
  desired: number;
  /** Pods it already runs: they are not evicted to make room for others. */
  running: number;
  perPod: Resources;
}

/** How many pods of perPod fit in what is left. Only resources some Node reports are counted. */
function fits(left: Resources, perPod: Resources): number {
  if (left.size === 0) return 0; // no Nodes, no pods
  let n = Infinity;
  for (const [r, have] of left) {
    const need = perPod.get(r) ?? 0;
    if (need > 0) n = Math.min(n, Math.floor(have / need));
  }
  return n;
}

/** The outcome of allocate: pods placed per workload key, and what is left of the pool. */
export interface Allocation {
  placed: Map<string, number>;
  left: Resources;
}

/** Serving order: creation order, ties by key. */
function servedBefore(a: Pick<Demand, 'created' | 'key'>, b: Pick<Demand, 'created' | 'key'>): boolean {
  return a.created < b.created || (a.created === b.created && a.key < b.key);
}

function take(a: Allocation, d: Demand, want: number): void {
  const n = Math.max(0, Math.min(want, fits(a.left, d.perPod)));
  for (const [r, need] of d.perPod) if (a.left.has(r)) a.left.set(r, a.left.get(r)! - n * need);
  a.placed.set(d.key, (a.placed.get(d.key) ?? 0) + n);
}

/**
 * Pods that fit, per workload key. Two greedy passes in creation order (ties by key): first every workload keeps
 * the pods it already runs (up to what it still wants), then what is left goes to the pods still missing. So a
 * workload never loses ready pods to another one, and a restart, which rebuilds this from the stored statuses,
 * changes nothing.
 */
export function allocate(total: Resources, demands: Demand[]): Allocation {
  const a: Allocation = { placed: new Map(), left: new Map(total) };
  const ordered = [...demands].sort((x, y) => (servedBefore(x, y) ? -1 : servedBefore(y, x) ? 1 : 0));
  for (const d of ordered) take(a, d, Math.min(d.running, d.desired));
  for (const d of ordered) take(a, d, d.desired - a.placed.get(d.key)!);
  return a;
}

/**
 * The simulator's next allocation with d added, in place, for a d that runs no pods yet; undefined (a left alone) for
 * one that runs some. That allocation runs allocate with every demand running the pods a placed for it. Its first
 * pass places them all again; in its second, every demand of a that is short of pods already took all the room left
 * for its pod shape (take stops only there), so it takes nothing more. So d gets what is left wherever it is served,
 * and nobody else's share moves: a member receiving workloads one by one costs one step per workload rather than a
 * pass over all of them, however full it is.
 */
export function addDemand(a: Allocation, d: Demand): number | undefined {
  if (d.running !== 0) return undefined;
  take(a, d, d.desired);
  return a.placed.get(d.key)!;
}

// When a binding needs scheduling, by Karmada's rules (Scheduler.doScheduleBinding): its placement differs from the
// one last scheduled (the applied-placement annotation), its replicas differ from the scheduled sum, a reschedule
// was asked for, it is duplicated or not a workload (always re-evaluated), or a cluster it is on is being deleted.
import type { Cluster, ClusterAffinityTerm, Placement, ResourceBinding } from '../openapi/karmada/types.js';
import {
  APPLIED_PLACEMENT_ANNOTATION,
  BINDING_OWNER_LABELS,
  DEFAULT_SCHEDULER_NAME,
  clusterName,
  replicaSchedulingType,
  rescheduleRequired,
  sumReplicas,
  targetContains,
} from './api.js';

/** Karmada's schedule_type metric label: a placement change, or a change of replicas. */
export type ScheduleType = 'ReconcileSchedule' | 'ScaleSchedule';

export interface Trigger {
  type: ScheduleType;
  /** Why, for the log. */
  reason: string;
}

/** Whether this scheduler handles the binding: made for a policy, for this scheduler, and not suspended. */
export function isOwnBinding(binding: ResourceBinding, schedulerName = DEFAULT_SCHEDULER_NAME): boolean {
  const labels = binding.metadata?.labels ?? {};
  if (!BINDING_OWNER_LABELS.some((l) => labels[l])) return false;
  if ((binding.spec.schedulerName || DEFAULT_SCHEDULER_NAME) !== schedulerName) return false;
  return !binding.spec.suspension?.scheduling;
}

/** Why the binding needs scheduling now, or undefined when its current result stands. */
export function scheduleTrigger(binding: ResourceBinding, clusters: readonly Cluster[]): Trigger | undefined {
  const { spec } = binding;
  const status = binding.status ?? {};
  const placement = spec.placement ?? {};
  const applied = binding.metadata?.annotations?.[APPLIED_PLACEMENT_ANNOTATION];
  if (placementChanged(placement, applied, status.schedulerObservingAffinityName)) return { type: 'ReconcileSchedule', reason: 'placement changed' };
  if (replicasChanged(binding)) return { type: 'ScaleSchedule', reason: 'replicas scaled' };
  if (rescheduleRequired(spec, status)) return { type: 'ReconcileSchedule', reason: 'reschedule triggered' };
  if (!spec.replicas || replicaSchedulingType(placement) === 'Duplicated') return { type: 'ReconcileSchedule', reason: 'duplicated' };
  const deleting = clusters.find((c) => c.metadata?.deletionTimestamp && targetContains(spec, clusterName(c)));
  if (deleting) return { type: 'ReconcileSchedule', reason: `scheduled cluster ${clusterName(deleting)} is being deleted` };
  return undefined;
}

/**
 * util.IsBindingReplicasChanged: a duplicated binding whose clusters do not all run spec.replicas, or a divided one
 * whose clusters' replicas do not add up to it. A placement without replicaScheduling never counts as changed.
 */
function replicasChanged({ spec }: ResourceBinding): boolean {
  const strategy = spec.placement?.replicaScheduling;
  if (!strategy) return false;
  const replicas = spec.replicas ?? 0;
  if (strategy.replicaSchedulingType === 'Divided') return sumReplicas(spec.clusters) !== replicas;
  if (strategy.replicaSchedulingType === 'Duplicated') return (spec.clusters ?? []).some((c) => (c.replicas ?? 0) !== replicas);
  return false;
}

/**
 * Karmada's placementChanged: no applied placement yet, or one that differs outside clusterAffinities, or whose
 * observed affinity term differs. A placement that cannot be parsed counts as unchanged, as in Karmada.
 */
export function placementChanged(placement: Placement, appliedJSON: string | undefined, observedAffinity: string | undefined): boolean {
  if (!appliedJSON) return true;
  let applied: Placement;
  try {
    applied = JSON.parse(appliedJSON) as Placement;
  } catch {
    return false;
  }
  if (semanticEqual(placement, applied)) return false;
  for (const field of ['clusterAffinity', 'clusterTolerations', 'spreadConstraints', 'replicaScheduling'] as const) {
    if (!semanticEqual(placement[field], applied[field])) return true;
  }
  if (!observedAffinity) return true;
  const term = (terms: ClusterAffinityTerm[] | undefined) => terms?.find((t) => t.affinityName === observedAffinity);
  const current = term(placement.clusterAffinities);
  const before = term(applied.clusterAffinities);
  return !current || !before || !semanticEqual(current, before);
}

/**
 * Equality as Karmada sees it after a JSON round trip through Go structs with omitempty: an absent field, null, an
 * empty string, zero, false, an empty list and an empty object are all the same.
 */
function semanticEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(v: unknown): unknown {
  if (v === null || v === '' || v === 0 || v === false) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => normalize(x) ?? null);
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => [k, normalize(x)] as const)
      .filter(([, x]) => x !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return v;
}

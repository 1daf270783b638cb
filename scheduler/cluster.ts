// What the scheduler reads off a Cluster: whether it matches a ClusterAffinity (Karmada's util.ClusterMatches), and
// the taints it carries for scheduling, including those Karmada's cluster controller derives from readiness.
import { matchesLabels, type Operator, type Requirement } from '../apiserver/registry/selectors.js';
import type { Cluster, ClusterAffinity, LabelSelector, SelectorRequirement, Taint } from '../openapi/karmada/types.js';
import { clusterName } from './api.js';

/**
 * util.ClusterMatches: not excluded, and every part that is set matches: labelSelector on the labels, fieldSelector
 * on provider/region (zone against spec.zones), clusterNames on the name. Nothing set matches every cluster.
 */
export function clusterMatches(cluster: Cluster, affinity: ClusterAffinity): boolean {
  const name = clusterName(cluster);
  if (affinity.exclude?.includes(name)) return false;
  if (affinity.labelSelector) {
    const selector = labelSelectorRequirements(affinity.labelSelector);
    if (!selector || !matchesLabels(selector, cluster.metadata?.labels)) return false;
  }
  if (affinity.fieldSelector) {
    const others: SelectorRequirement[] = [];
    for (const expr of affinity.fieldSelector.matchExpressions ?? []) {
      if (expr.key !== 'zone') others.push(expr);
      else if (!zonesMatch(expr, clusterZones(cluster))) return false;
    }
    const selector = nodeSelectorRequirements(others);
    if (!selector || !matchesLabels(selector, clusterFields(cluster))) return false;
  }
  const names = affinity.clusterNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** Karmada's zones: spec.zones, or the deprecated single spec.zone. */
export function clusterZones(cluster: Cluster): string[] {
  return cluster.spec.zones?.length ? cluster.spec.zones : cluster.spec.zone ? [cluster.spec.zone] : [];
}

function clusterFields(cluster: Cluster): Record<string, string> {
  const fields: Record<string, string> = {};
  if (cluster.spec.provider) fields.provider = cluster.spec.provider;
  if (cluster.spec.region) fields.region = cluster.spec.region;
  return fields;
}

/**
 * A zone requirement against all the cluster's zones (Karmada's matchZones): In holds when every zone is listed,
 * NotIn when none is, Exists when there are zones, DoesNotExist when there are none.
 */
function zonesMatch(expr: SelectorRequirement, zones: string[]): boolean {
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return zones.length > 0 && zones.every((z) => values.includes(z));
    case 'NotIn':
      return !zones.some((z) => values.includes(z));
    case 'Exists':
      return zones.length > 0;
    case 'DoesNotExist':
      return zones.length === 0;
    default:
      return false;
  }
}

const SET_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/** metav1.LabelSelectorAsSelector; undefined for an invalid selector, which matches nothing (as Karmada treats it). */
function labelSelectorRequirements(sel: LabelSelector): Requirement[] | undefined {
  const out: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: '=', values: [v] }));
  for (const expr of sel.matchExpressions ?? []) {
    const r = setRequirement(expr);
    if (!r) return undefined;
    out.push(r);
  }
  return out;
}

/** NodeSelectorRequirementsAsSelector: the set operators, and Gt/Lt with one integer value. */
function nodeSelectorRequirements(exprs: SelectorRequirement[]): Requirement[] | undefined {
  const out: Requirement[] = [];
  for (const expr of exprs) {
    const values = expr.values ?? [];
    const r =
      expr.operator === 'Gt' || expr.operator === 'Lt'
        ? values.length === 1 && /^[+-]?\d+$/.test(values[0])
          ? { key: expr.key, op: expr.operator === 'Gt' ? ('gt' as const) : ('lt' as const), values }
          : undefined
        : setRequirement(expr);
    if (!r) return undefined;
    out.push(r);
  }
  return out;
}

function setRequirement(expr: SelectorRequirement): Requirement | undefined {
  const op = SET_OPERATORS[expr.operator];
  const values = expr.values ?? [];
  if (!op || (op === 'in' || op === 'notin' ? values.length === 0 : values.length > 0)) return undefined;
  return { key: expr.key, op, values };
}

/** The taints Karmada's cluster controller keeps on a cluster whose Ready condition is False or Unknown. */
const NOT_READY_TAINT: Taint = { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' };
const UNREACHABLE_TAINT: Taint = { key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule' };

/**
 * spec.taints plus the readiness taint Karmada's cluster controller keeps from the Ready condition: not-ready while
 * it is False or not reported yet, unreachable while it is Unknown. Deriving it here too means a cluster that stops
 * being ready takes no new placements even before a controller has written the taint.
 */
export function schedulingTaints(cluster: Cluster): Taint[] {
  const taints = cluster.spec.taints ?? [];
  const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const derived = ready === 'True' ? undefined : ready === 'Unknown' ? UNREACHABLE_TAINT : NOT_READY_TAINT;
  if (!derived || taints.some((t) => t.key === derived.key && t.effect === derived.effect)) return taints;
  return [...taints, derived];
}

// Which override policies apply to a manifest bound for a cluster, in what order, and the manifest they render
// (Karmada's overridemanager.ApplyOverridePolicies): ClusterOverridePolicies first, then the OverridePolicies of the
// manifest's namespace; within each, policies by how precisely they select the manifest (all of a kind, then by
// labels, then by name) and then by name, so the most precise policy is applied last and wins.
import type { Cluster, ClusterAffinity, ClusterOverridePolicy, OverridePolicy, OverrideSpec, Overriders } from '../../openapi/karmada/types.js';
import { clusterMatches } from '../../scheduler/cluster.js';
import { MatchPrecision, policyPrecision, type TemplateRef } from '../detector/matching.js';
import type { Obj } from './jsonpatch.js';
import { applyOverriders } from './overriders.js';

export const APPLIED_OVERRIDES_ANNOTATION = 'policy.karmada.io/applied-overrides';
export const APPLIED_CLUSTER_OVERRIDES_ANNOTATION = 'policy.karmada.io/applied-cluster-overrides';

/** One applied rule (OverridePolicyShadow): the policy's name and the overriders of the rule. */
export interface AppliedOverride {
  policyName: string;
  overriders: Overriders;
}

export interface OverrideResult {
  /** The manifest with every matching rule applied. */
  object: Obj;
  appliedClusterOverrides: AppliedOverride[];
  appliedOverrides: AppliedOverride[];
}

export type OverridePolicyKind = 'ClusterOverridePolicy' | 'OverridePolicy';

/** A rule of a policy that failed to apply; its message is the one Karmada's override manager records in an Event. */
export class OverridePolicyError extends Error {
  constructor(
    readonly policyKind: OverridePolicyKind,
    readonly policyName: string,
    readonly policyNamespace: string | undefined,
    readonly cluster: string,
    override readonly cause: Error,
  ) {
    super(
      policyKind === 'ClusterOverridePolicy'
        ? `Apply cluster override policy(${policyName}) for cluster(${cluster}) failed.`
        : `Apply override policy(${policyNamespace}/${policyName}) for cluster(${cluster}) failed.`,
    );
  }
}

/**
 * The cluster a manifest is rendered for. Given by name only (its Cluster object is not known), the rules that select
 * clusters by name alone can still be decided; a rule that needs the cluster's labels or fields throws.
 */
export type ClusterTarget = Cluster | string;

function targetMatches(cluster: ClusterTarget, affinity: ClusterAffinity | undefined): boolean {
  if (!affinity) return true;
  if (typeof cluster !== 'string') return clusterMatches(cluster, affinity);
  if (affinity.labelSelector || affinity.fieldSelector)
    throw new Error(`cluster ${cluster} is not known: its labels and fields are needed to match an override rule`);
  return clusterMatches({ metadata: { name: cluster }, spec: { syncMode: 'Push' } }, affinity);
}

/** A policy without resource selectors selects everything, least precisely. */
function precision(template: TemplateRef, spec: OverrideSpec): MatchPrecision {
  return spec.resourceSelectors?.length ? policyPrecision(template, spec.resourceSelectors) : MatchPrecision.All;
}

/** The rules of the policies that select template, in the order they are applied. */
function orderedPolicies<P extends ClusterOverridePolicy | OverridePolicy>(template: TemplateRef, policies: readonly P[]): P[] {
  return policies
    .map((policy) => ({ policy, precision: precision(template, policy.spec) }))
    .filter((p) => p.precision > MatchPrecision.Mismatch)
    .sort((a, b) => a.precision - b.precision || compareNames(a.policy.metadata?.name, b.policy.metadata?.name))
    .map((p) => p.policy);
}

function compareNames(a = '', b = ''): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** overrideRules, or the deprecated targetCluster and overriders as one rule (the webhook forbids both). */
function rules(spec: OverrideSpec): { targetCluster?: ClusterAffinity; overriders: Overriders }[] {
  return spec.overrideRules?.length ? spec.overrideRules : [{ targetCluster: spec.targetCluster, overriders: spec.overriders ?? {} }];
}

function applyPolicies(
  kind: OverridePolicyKind,
  object: Obj,
  cluster: ClusterTarget,
  policies: readonly (ClusterOverridePolicy | OverridePolicy)[],
): { object: Obj; applied: AppliedOverride[] } {
  const applied: AppliedOverride[] = [];
  const clusterName = typeof cluster === 'string' ? cluster : cluster.metadata?.name;
  for (const policy of orderedPolicies(object as TemplateRef, policies)) {
    const name = policy.metadata?.name ?? '';
    for (const rule of rules(policy.spec)) {
      if (!targetMatches(cluster, rule.targetCluster)) continue;
      try {
        object = applyOverriders(object, rule.overriders);
      } catch (err) {
        throw new OverridePolicyError(kind, name, policy.metadata?.namespace, clusterName, err as Error);
      }
      applied.push({ policyName: name, overriders: rule.overriders });
    }
  }
  return { object, applied };
}

/**
 * template rendered for cluster: the ClusterOverridePolicies, then (for a namespaced template) the OverridePolicies
 * of its namespace; OverridePolicies of other namespaces are ignored. template itself is left alone. Throws an
 * OverridePolicyError for the first rule that fails.
 */
export function applyOverridePolicies(
  template: Obj,
  cluster: ClusterTarget,
  clusterOverridePolicies: readonly ClusterOverridePolicy[],
  overridePolicies: readonly OverridePolicy[],
): OverrideResult {
  const clusterWide = applyPolicies('ClusterOverridePolicy', template, cluster, clusterOverridePolicies);
  const namespace = template.metadata?.namespace;
  const own = namespace ? overridePolicies.filter((p) => p.metadata?.namespace === namespace) : [];
  const namespaced = applyPolicies('OverridePolicy', clusterWide.object, cluster, own);
  return { object: namespaced.object, appliedClusterOverrides: clusterWide.applied, appliedOverrides: namespaced.applied };
}

/** Karmada's annotations recording what was applied (RecordAppliedOverrides): JSON lists sorted by policy name. */
export function appliedOverridesAnnotations(result: Pick<OverrideResult, 'appliedClusterOverrides' | 'appliedOverrides'>): Record<string, string> {
  const out: Record<string, string> = {};
  const record = (key: string, applied: AppliedOverride[]) => {
    if (applied.length) out[key] = JSON.stringify([...applied].sort((a, b) => compareNames(a.policyName, b.policyName)));
  };
  record(APPLIED_CLUSTER_OVERRIDES_ANNOTATION, result.appliedClusterOverrides);
  record(APPLIED_OVERRIDES_ANNOTATION, result.appliedOverrides);
  return out;
}

/** The names of the policies an applied-overrides annotation value records. */
export function appliedPolicyNames(annotation: string | undefined): string[] {
  if (!annotation) return [];
  try {
    const items = JSON.parse(annotation) as { policyName?: unknown }[];
    return Array.isArray(items) ? items.map((i) => String(i?.policyName ?? '')) : [];
  } catch {
    return [];
  }
}

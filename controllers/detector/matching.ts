// Which policy propagates a resource template, as Karmada's detector decides it (pkg/detector/policy.go,
// pkg/util/selector.go, pkg/detector/preemption.go), and the claim metadata that records the decision on templates and
// bindings. Everything here is a pure function of the objects passed in.
import type { ClusterPropagationPolicy, LabelSelector, PropagationPolicy, ResourceSelector } from '../../openapi/karmada/types.js';

/** Karmada's well-known labels and annotations (pkg/apis/policy/v1alpha1/well_known_constants.go, pkg/util). */
export const PP_ID_LABEL = 'propagationpolicy.karmada.io/permanent-id';
export const CPP_ID_LABEL = 'clusterpropagationpolicy.karmada.io/permanent-id';
export const PP_NAMESPACE_ANNOTATION = 'propagationpolicy.karmada.io/namespace';
export const PP_NAME_ANNOTATION = 'propagationpolicy.karmada.io/name';
export const CPP_NAME_ANNOTATION = 'clusterpropagationpolicy.karmada.io/name';
/** Set by another owner (MultiClusterService) that propagates the template instead of the policies. */
export const CLAIMED_BY_LABEL = 'resourcetemplate.karmada.io/claimed-by';
/** Karmada's webhook puts these on policies at creation; the detector removes them once a deleted policy is unbound. */
export const POLICY_FINALIZER = {
  PropagationPolicy: 'karmada.io/propagation-policy-controller',
  ClusterPropagationPolicy: 'karmada.io/cluster-propagation-policy-controller',
} as const;

export type PolicyKind = 'PropagationPolicy' | 'ClusterPropagationPolicy';
export type Policy = PropagationPolicy | ClusterPropagationPolicy;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** What matching reads of a template: its type and metadata (a metadata-only informer's view is enough). */
export interface TemplateRef {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/**
 * How precisely a selector matches a template (util.ImplicitPriority): ties between policies of equal spec.priority
 * go to the more precise match.
 */
export enum MatchPrecision {
  Mismatch = 0,
  /** apiVersion and kind (and namespace) only. */
  All = 1,
  LabelSelector = 2,
  Name = 3,
}

/** metav1.LabelSelectorAsSelector(selector).Matches(labels); an invalid selector matches nothing. */
export function labelSelectorMatches(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (values.length === 0 || !has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (values.length === 0 || (has && values.includes(labels[e.key]))) return false;
        break;
      case 'Exists':
        if (values.length > 0 || !has) return false;
        break;
      case 'DoesNotExist':
        if (values.length > 0 || has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * util.ResourceSelectorPriority: apiVersion, kind and (when set) namespace must be equal; then a name decides alone
 * (a labelSelector beside it is ignored), else the labelSelector, else everything of the kind matches.
 */
export function selectorPrecision(template: TemplateRef, rs: ResourceSelector): MatchPrecision {
  const meta = template.metadata;
  if (template.apiVersion !== rs.apiVersion || template.kind !== rs.kind) return MatchPrecision.Mismatch;
  if (rs.namespace && (meta.namespace ?? '') !== rs.namespace) return MatchPrecision.Mismatch;
  if (rs.name) return rs.name === meta.name ? MatchPrecision.Name : MatchPrecision.Mismatch;
  if (!rs.labelSelector) return MatchPrecision.All;
  return labelSelectorMatches(rs.labelSelector, meta.labels) ? MatchPrecision.LabelSelector : MatchPrecision.Mismatch;
}

/** The best precision of any of the selectors (util.ResourceMatchSelectorsPriority). */
export function policyPrecision(template: TemplateRef, selectors: readonly ResourceSelector[]): MatchPrecision {
  return selectors.reduce((best, rs) => Math.max(best, selectorPrecision(template, rs)), MatchPrecision.Mismatch);
}

export function matchesSelectors(template: TemplateRef, selectors: readonly ResourceSelector[]): boolean {
  return policyPrecision(template, selectors) > MatchPrecision.Mismatch;
}

/**
 * The keys of what a policy's selectors can select, for indexing policies: a selector matches only templates of its
 * apiVersion and kind, and of its name when it has one; a PropagationPolicy only templates of its own namespace. Every
 * policy that matches a template is found under one of candidateKeys(template, namespace) (labels and a selector's
 * namespace are left to matching, so some found there do not match).
 */
export function selectorKeys(policy: Policy): string[] {
  const namespace = policy.metadata?.namespace ?? '';
  return [...new Set((policy.spec?.resourceSelectors ?? []).map((rs) => selectorKey(namespace, rs.apiVersion, rs.kind, rs.name)))];
}

/** The selectorKeys a template can be matched under, by PropagationPolicies of namespace ('' for cluster policies). */
export function candidateKeys(template: TemplateRef, namespace: string): string[] {
  return [selectorKey(namespace, template.apiVersion, template.kind, template.metadata.name), selectorKey(namespace, template.apiVersion, template.kind)];
}

// An empty name selects by labels or kind, as in selectorPrecision; '*' is no valid object name.
function selectorKey(namespace: string, apiVersion: string, kind: string, name?: string): string {
  return `${namespace}|${apiVersion}|${kind}|${name || '*'}`;
}

/** spec.priority, 0 when unset (ExplicitPriority). */
export function explicitPriority(policy: Policy): number {
  return policy.spec.priority ?? 0;
}

export function isDeleting(obj: { metadata?: Record<string, any> }): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

/**
 * getHighestPriorityPropagationPolicy: among the policies not being deleted that match, the highest spec.priority
 * wins; equal priorities go to the more precise match, then to the name that sorts first.
 */
export function highestPriorityPolicy<P extends Policy>(template: TemplateRef, policies: readonly P[]): P | undefined {
  let best: { policy: P; priority: number; precision: MatchPrecision } | undefined;
  for (const policy of policies) {
    if (isDeleting(policy)) continue;
    const precision = policyPrecision(template, policy.spec.resourceSelectors ?? []);
    if (precision === MatchPrecision.Mismatch) continue;
    const priority = explicitPriority(policy);
    const better =
      !best ||
      priority > best.priority ||
      (priority === best.priority && (precision > best.precision || (precision === best.precision && policyName(policy) < policyName(best.policy))));
    if (better) best = { policy, priority, precision };
  }
  return best?.policy;
}

export type Selected = { kind: 'PropagationPolicy'; policy: PropagationPolicy } | { kind: 'ClusterPropagationPolicy'; policy: ClusterPropagationPolicy };

/**
 * The policy an unclaimed template gets (propagateResource steps 3 and 4): a PropagationPolicy of the template's own
 * namespace whenever one matches, whatever the priorities of the cluster policies; cluster-scoped templates only
 * have ClusterPropagationPolicies.
 */
export function selectPolicy(template: TemplateRef, pps: readonly PropagationPolicy[], cpps: readonly ClusterPropagationPolicy[]): Selected | undefined {
  const namespace = template.metadata.namespace ?? '';
  if (namespace !== '') {
    const pp = highestPriorityPolicy(template, pps.filter((p) => p.metadata?.namespace === namespace));
    if (pp) return { kind: 'PropagationPolicy', policy: pp };
  }
  const cpp = highestPriorityPolicy(template, cpps);
  return cpp ? { kind: 'ClusterPropagationPolicy', policy: cpp } : undefined;
}

export type Claim =
  | { kind: 'PropagationPolicy'; namespace: string; name: string; id: string }
  | { kind: 'ClusterPropagationPolicy'; name: string; id: string };

/**
 * The policy a template (or binding) is claimed by, read from its claim metadata: a PropagationPolicy claim is
 * looked at first, as propagateResource does, and only a complete claim counts.
 */
export function claimOf(meta: ObjectMeta): Claim | undefined {
  const labels = meta.labels ?? {};
  const annotations = meta.annotations ?? {};
  const ppID = labels[PP_ID_LABEL];
  const ppNamespace = annotations[PP_NAMESPACE_ANNOTATION];
  const ppName = annotations[PP_NAME_ANNOTATION];
  if (ppID && ppNamespace && ppName) return { kind: 'PropagationPolicy', namespace: ppNamespace, name: ppName, id: ppID };
  const cppID = labels[CPP_ID_LABEL];
  const cppName = annotations[CPP_NAME_ANNOTATION];
  if (cppID && cppName) return { kind: 'ClusterPropagationPolicy', name: cppName, id: cppID };
  return undefined;
}

/** The permanent id the apiserver's admission gave the policy. */
export function policyID(kind: PolicyKind, policy: Policy): string {
  return policy.metadata?.labels?.[kind === 'PropagationPolicy' ? PP_ID_LABEL : CPP_ID_LABEL] ?? '';
}

function policyName(policy: Policy): string {
  return policy.metadata?.name ?? '';
}

const CLAIM_KEYS: Record<PolicyKind, { labels: string[]; annotations: string[] }> = {
  PropagationPolicy: { labels: [PP_ID_LABEL], annotations: [PP_NAMESPACE_ANNOTATION, PP_NAME_ANNOTATION] },
  ClusterPropagationPolicy: { labels: [CPP_ID_LABEL], annotations: [CPP_NAME_ANNOTATION] },
};

/**
 * meta with the claim of policy (AddPPClaimMetadata/AddCPPClaimMetadata). A PropagationPolicy claim also drops any
 * ClusterPropagationPolicy claim (excludeClusterPolicy): a template is propagated by one policy.
 */
export function withClaim(meta: ObjectMeta, kind: PolicyKind, policy: Policy): ObjectMeta {
  const base = kind === 'PropagationPolicy' ? withoutClaim(meta, 'ClusterPropagationPolicy') : meta;
  const id = policyID(kind, policy);
  const annotations: Record<string, string> =
    kind === 'PropagationPolicy'
      ? { [PP_NAMESPACE_ANNOTATION]: policy.metadata?.namespace ?? '', [PP_NAME_ANNOTATION]: policyName(policy) }
      : { [CPP_NAME_ANNOTATION]: policyName(policy) };
  return {
    ...base,
    labels: { ...base.labels, [CLAIM_KEYS[kind].labels[0]]: id },
    annotations: { ...base.annotations, ...annotations },
  };
}

/**
 * The JSON merge patch that turns meta's labels and annotations into next's, at meta's resourceVersion: the apiserver
 * refuses it with a 409 if the object changed since meta was read, as it would an update.
 */
export function metadataPatch(meta: ObjectMeta, next: ObjectMeta): { metadata: { resourceVersion?: string; labels?: Record<string, string | null>; annotations?: Record<string, string | null> } } {
  const diff = (before: Record<string, string> = {}, after: Record<string, string> = {}) => {
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(after)) if (before[k] !== v) out[k] = v;
    for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) out[k] = null;
    return Object.keys(out).length ? out : undefined;
  };
  const labels = diff(meta.labels, next.labels);
  const annotations = diff(meta.annotations, next.annotations);
  return { metadata: { resourceVersion: meta.resourceVersion, ...(labels && { labels }), ...(annotations && { annotations }) } };
}

/** meta without the claim metadata of kind (CleanupPPClaimMetadata/CleanupCPPClaimMetadata). */
export function withoutClaim(meta: ObjectMeta, kind: PolicyKind): ObjectMeta {
  const { labels: labelKeys, annotations: annotationKeys } = CLAIM_KEYS[kind];
  const drop = (m: Record<string, string> | undefined, keys: string[]) => {
    if (!m || !keys.some((k) => Object.hasOwn(m, k))) return m;
    const out = { ...m };
    for (const k of keys) delete out[k];
    return out;
  };
  return { ...meta, labels: drop(meta.labels, labelKeys), annotations: drop(meta.annotations, annotationKeys) };
}

/** Whether meta is claimed by the policy of kind with this permanent id (NeedCleanupClaimMetadata's test). */
export function claimedByID(meta: ObjectMeta, kind: PolicyKind, id: string): boolean {
  return id !== '' && meta.labels?.[CLAIM_KEYS[kind].labels[0]] === id;
}

/** The claims meta records, for indexing: claimedByID(meta, kind, id) exactly when they include claimKey(kind, id). */
export function claimKeys(meta: ObjectMeta): string[] {
  return (Object.keys(CLAIM_KEYS) as PolicyKind[]).flatMap((kind) => {
    const id = meta.labels?.[CLAIM_KEYS[kind].labels[0]];
    return id ? [claimKey(kind, id)] : [];
  });
}

export function claimKey(kind: PolicyKind, id: string): string {
  return `${kind}|${id}`;
}

/**
 * Whether preemptor (preemption: Always) takes a template over from its current claim (preemption.go): a
 * PropagationPolicy beats any ClusterPropagationPolicy and a lower-priority PropagationPolicy; a
 * ClusterPropagationPolicy beats only a lower-priority ClusterPropagationPolicy. `claimant` is the claiming policy,
 * undefined when the claim is by a policy that no longer exists (then the template is not preempted but reclaimed
 * by the ordinary matching).
 */
export function preempts(preemptor: { kind: PolicyKind; policy: Policy }, claim: Claim, claimant: Policy | undefined): boolean {
  if (preemptor.policy.spec.preemption !== 'Always' || !claimant) return false;
  if (claim.kind === 'ClusterPropagationPolicy') {
    if (preemptor.kind === 'PropagationPolicy') return true;
    return claim.name !== policyName(preemptor.policy) && explicitPriority(preemptor.policy) > explicitPriority(claimant);
  }
  if (preemptor.kind === 'ClusterPropagationPolicy') return false;
  const self = claim.namespace === preemptor.policy.metadata?.namespace && claim.name === policyName(preemptor.policy);
  return !self && explicitPriority(preemptor.policy) > explicitPriority(claimant);
}

/**
 * names.IsReservedNamespace (karmada-system, karmada-cluster, the karmada-es-* execution spaces, kube-*) and the
 * detector's --skipped-propagating-namespaces (default kube-.*): templates there are never propagated.
 */
export function isSkippedNamespace(namespace: string, skipped: readonly RegExp[] = DEFAULT_SKIPPED_NAMESPACES): boolean {
  if (namespace === 'karmada-system' || namespace === 'karmada-cluster' || namespace.startsWith('karmada-es-') || namespace.startsWith('kube-')) return true;
  return skipped.some((re) => re.test(namespace));
}

/** karmada-controller-manager's default --skipped-propagating-namespaces, anchored as Go's regexp use there is. */
export const DEFAULT_SKIPPED_NAMESPACES: readonly RegExp[] = [/^kube-.*$/];

/** names.GenerateBindingName: "<name>-<kind>" in lower case, with ':' (allowed in RBAC names) made '.'. */
export function bindingName(kind: string, name: string): string {
  return `${name.replaceAll(':', '.')}-${kind}`.toLowerCase();
}

// The ResourceBinding or ClusterResourceBinding a policy derives for a resource template (BuildResourceBinding,
// BuildClusterResourceBinding in Karmada's detector.go), and how an existing binding is brought up to date without
// touching what others own in it (spec.clusters, the scheduler's results, eviction tasks, status).
import type { ResourceBindingSpec, ResourceBindingSpecSuspension, Suspension } from '../../openapi/karmada/types.js';
import { bindingName, withClaim, withoutClaim, type ObjectMeta, type Policy, type PolicyKind } from './matching.js';
import type { ReplicaInterpretation } from './replicas.js';
import { BINDING_FINALIZER } from '../binding/names.js';

export const BINDING_API_VERSION = 'work.karmada.io/v1alpha2';

/** The path of a binding (or of the bindings of its kind and namespace, without name). */
export function bindingPath(kind: 'ResourceBinding' | 'ClusterResourceBinding', namespace: string | undefined, name?: string): string {
  const root = `/apis/${BINDING_API_VERSION}`;
  const collection = kind === 'ResourceBinding' ? `${root}/namespaces/${encodeURIComponent(namespace!)}/resourcebindings` : `${root}/clusterresourcebindings`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

export interface Template {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Binding {
  apiVersion: string;
  kind: 'ResourceBinding' | 'ClusterResourceBinding';
  metadata: ObjectMeta & { ownerReferences?: OwnerReference[]; finalizers?: string[] };
  spec: ResourceBindingSpec;
  status?: unknown;
}

/** A namespaced template gets a ResourceBinding in its namespace; a cluster-scoped one a ClusterResourceBinding. */
export function bindingKind(template: { metadata: ObjectMeta }): Binding['kind'] {
  return template.metadata.namespace ? 'ResourceBinding' : 'ClusterResourceBinding';
}

/**
 * The binding policy derives for template: named by GenerateBindingName, controlled by the template (so that the
 * garbage collector removes it with the template), claimed like the template, carrying the policy's propagation
 * settings and the template's replicas.
 */
export function buildBinding(template: Template, kind: PolicyKind, policy: Policy, replicas: ReplicaInterpretation | undefined): Binding {
  const meta = template.metadata;
  const namespaced = bindingKind(template) === 'ResourceBinding';
  const ps = policy.spec;
  const spec: ResourceBindingSpec = {
    resource: {
      apiVersion: template.apiVersion,
      kind: template.kind,
      ...(namespaced && { namespace: meta.namespace }),
      name: meta.name!,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    },
    // Go's omitempty: a false bool, an empty string and a zero count are left out; *bool and pointers are kept.
    ...(ps.propagateDeps && { propagateDeps: true }),
    ...(ps.schedulerName && { schedulerName: ps.schedulerName }),
    placement: ps.placement ?? {},
    ...(ps.failover && { failover: ps.failover }),
    ...(ps.conflictResolution && { conflictResolution: ps.conflictResolution }),
    ...(ps.preserveResourcesOnDeletion !== undefined && { preserveResourcesOnDeletion: ps.preserveResourcesOnDeletion }),
    ...(ps.suspension && { suspension: { ...ps.suspension } }),
    ...(replicas?.replicas && { replicas: replicas.replicas }),
    ...(replicas?.replicaRequirements && { replicaRequirements: replicas.replicaRequirements }),
  };
  const claimed = withClaim({}, kind, policy);
  return {
    apiVersion: BINDING_API_VERSION,
    kind: bindingKind(template),
    metadata: {
      name: bindingName(template.kind, meta.name!),
      ...(namespaced && { namespace: meta.namespace }),
      labels: claimed.labels,
      annotations: claimed.annotations,
      ownerReferences: [controllerRef(template)],
      // Created with the binding controller's finalizer, as Karmada's detector creates bindings: the binding
      // controller need not add it (a write, and a round trip through its watch) before it renders the Works.
      finalizers: [BINDING_FINALIZER[bindingKind(template)]],
    },
    spec,
  };
}

/** metav1.NewControllerRef. */
function controllerRef(template: Template): OwnerReference {
  return { apiVersion: template.apiVersion, kind: template.kind, name: template.metadata.name!, uid: template.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** The uid of the binding's controlling owner, if it has one. */
export function controllerUID(binding: Binding): string | undefined {
  return binding.metadata.ownerReferences?.find((r) => r.controller === true)?.uid;
}

/** The spec fields the detector owns: everything else in an existing binding's spec is left as it is. */
const OWNED_SPEC_FIELDS = [
  'resource',
  'replicaRequirements',
  'replicas',
  'propagateDeps',
  'schedulerName',
  'placement',
  'failover',
  'conflictResolution',
  'preserveResourcesOnDeletion',
] as const satisfies readonly (keyof ResourceBindingSpec)[];

/**
 * existing brought up to date with desired (ApplyPolicy's CreateOrUpdate mutation): labels and annotations merged
 * (a PropagationPolicy claim removing a ClusterPropagationPolicy's), owner references and the owned spec fields
 * replaced, suspension merged so that the scheduling suspension set on the binding survives.
 */
export function mergeBinding(existing: Binding, desired: Binding, kind: PolicyKind, policy: Policy): Binding {
  let meta: Binding['metadata'] = {
    ...existing.metadata,
    labels: { ...existing.metadata.labels, ...desired.metadata.labels },
    annotations: { ...existing.metadata.annotations, ...desired.metadata.annotations },
    ownerReferences: desired.metadata.ownerReferences,
  };
  if (kind === 'PropagationPolicy') meta = withoutClaim(meta, 'ClusterPropagationPolicy');
  const spec: ResourceBindingSpec = { ...existing.spec };
  for (const f of OWNED_SPEC_FIELDS) {
    if (desired.spec[f] === undefined) delete spec[f];
    else Object.assign(spec, { [f]: desired.spec[f] });
  }
  // Without the PriorityBasedScheduling gate (off by default) Karmada derives no schedule priority and clears any.
  if (existing.kind === 'ResourceBinding') delete spec.schedulePriority;
  const suspension = mergeSuspension(existing.spec.suspension, policy.spec.suspension);
  if (suspension) spec.suspension = suspension;
  else delete spec.suspension;
  return { ...existing, metadata: meta, spec };
}

/** util.MergePolicySuspension: the policy's dispatching suspension, and the binding's own scheduling suspension. */
export function mergeSuspension(binding: ResourceBindingSpecSuspension | undefined, policy: Suspension | undefined): ResourceBindingSpecSuspension | undefined {
  const scheduling = binding?.scheduling;
  if (policy) return { ...policy, ...(scheduling !== undefined && { scheduling }) };
  return scheduling !== undefined ? { scheduling } : undefined;
}

/**
 * The JSON merge patch (RFC 7386) that takes from to to: objects are compared member by member, anything else that
 * differs is sent whole, and a member gone (or undefined) is sent as null. Values of to are never null (a merge
 * patch cannot set one). Empty when they are equal.
 */
export function mergePatchOf(fromObject: object, toObject: object): Record<string, unknown> {
  const [from, to] = [fromObject as Record<string, unknown>, toObject as Record<string, unknown>];
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (from[k] !== undefined && to[k] === undefined) patch[k] = null;
  for (const k of Object.keys(to)) {
    const [a, b] = [from[k], to[k]];
    if (b === undefined) continue;
    if (isObject(a) && isObject(b)) {
      const inner = mergePatchOf(a, b);
      if (Object.keys(inner).length > 0) patch[k] = inner;
    } else if (!jsonEqual(a, b)) patch[k] = b;
  }
  return patch;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether two JSON values are equal, whatever the order of their object keys. Plain loops: every controller compares
 * what it would write with what is cached, and the key arrays and closures of a functional version were 8% of a
 * controller-manager's CPU at a cold start.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    defined++;
    if (!Object.hasOwn(y, k) || !jsonEqual(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) defined--;
  return defined === 0;
}

// The Work a binding wants in one member cluster's execution space (Karmada's ensureWork and CreateOrUpdateWork):
// the resource template with the cluster's share of the replicas, the override policies for that cluster, Karmada's
// labels and annotations, and the server-set fields removed. Pure: everything it reads is passed in.
import type { ClusterOverridePolicy, OverridePolicy, ResourceBinding, ResourceBindingSpec, TargetCluster, Work as WorkObject } from '../../openapi/karmada/types.js';
import { jsonEqual } from '../detector/binding.js';
import type { Obj } from '../overrides/jsonpatch.js';
import {
  APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
  APPLIED_OVERRIDES_ANNOTATION,
  appliedOverridesAnnotations,
  applyOverridePolicies,
  type ClusterTarget,
} from '../overrides/policies.js';
import {
  BINDING_FINALIZER,
  CONFLICT_RESOLUTION_ANNOTATION,
  CRB_NAME_ANNOTATION,
  CRB_PERMANENT_ID_LABEL,
  EXECUTION_CONTROLLER_FINALIZER,
  MANAGED_ANNOTATIONS_ANNOTATION,
  MANAGED_BY_KARMADA_LABEL,
  MANAGED_LABELS_ANNOTATION,
  RB_NAME_ANNOTATION,
  RB_NAMESPACE_ANNOTATION,
  RB_PERMANENT_ID_LABEL,
  TEMPLATE_GENERATION_ANNOTATION,
  TEMPLATE_UID_ANNOTATION,
  WORK_API_VERSION,
  WORK_NAME_ANNOTATION,
  WORK_NAMESPACE_ANNOTATION,
  WORK_PERMANENT_ID_LABEL,
  executionSpaceName,
  generateWorkName,
} from './names.js';
import { removeIrrelevantFields } from './prune.js';
import { setIfPresent } from './replicas.js';

export type BindingKind = keyof typeof BINDING_FINALIZER;

/** A ResourceBinding or ClusterResourceBinding (the same spec), with its kind always set. */
export type Binding = ResourceBinding & { kind: BindingKind; metadata: Record<string, any> };

/** A Work as the binding controller writes it. */
export type Work = WorkObject & {
  apiVersion: string;
  kind: 'Work';
  metadata: Record<string, any>;
  spec: { workload: { manifests: Obj[] }; suspendDispatching: boolean; preserveResourcesOnDeletion: boolean };
};

export const PERMANENT_ID_LABEL: Record<BindingKind, string> = {
  ResourceBinding: RB_PERMANENT_ID_LABEL,
  ClusterResourceBinding: CRB_PERMANENT_ID_LABEL,
};

/** The binding's permanent id, the label that ties its Works to it. */
export function bindingID(binding: Binding): string | undefined {
  return binding.metadata.labels?.[PERMANENT_ID_LABEL[binding.kind]];
}

/** mergeTargetClusters: the scheduled clusters, then those the bindings that depend on this one are scheduled to. */
export function targetClusters(spec: ResourceBindingSpec): TargetCluster[] {
  const out = [...(spec.clusters ?? [])];
  const seen = new Set(out.map((c) => c.name));
  for (const snapshot of spec.requiredBy ?? []) {
    for (const c of snapshot.clusters ?? []) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      out.push(c);
    }
  }
  return out;
}

/**
 * ObtainBindingSpecExistingClusters: the clusters whose Works a binding keeps, the target clusters and those a
 * graceful eviction is still moving the workload away from.
 */
export function expectedClusters(spec: ResourceBindingSpec): Set<string> {
  return new Set([...targetClusters(spec).map((c) => c.name), ...(spec.gracefulEvictionTasks ?? []).map((t) => t.fromCluster)]);
}

/** shouldSuspendDispatching: suspended everywhere, or on this cluster. */
export function suspendDispatching(spec: ResourceBindingSpec, cluster: string): boolean {
  const s = spec.suspension;
  return s?.dispatching === true || (s?.dispatchingOnClusters?.clusterNames ?? []).includes(cluster);
}

/** mergeConflictResolution: the template's own annotation when valid, else the binding's (Abort by default). */
function conflictResolution(template: Obj, spec: ResourceBindingSpec): string {
  const own = template.metadata?.annotations?.[CONFLICT_RESOLUTION_ANNOTATION];
  if (own === 'overwrite' || own === 'abort') return own;
  return spec.conflictResolution === 'Overwrite' ? 'overwrite' : 'abort';
}

// The label and annotation helpers below change the manifest's own maps: the manifest is the Work's own copy.

/** util.MergeLabel: set, replacing any value. */
function setLabel(obj: Obj, key: string, value: string): void {
  (obj.metadata.labels ??= {})[key] = value;
}

/** util.MergeAnnotation: set unless already there. */
function addAnnotation(obj: Obj, key: string, value: string): void {
  const annotations = (obj.metadata.annotations ??= {});
  if (annotations[key] === undefined) annotations[key] = value;
}

/** SetLabelsAndAnnotationsForWorkload: which annotations and labels the Work put there, and the Work's id. */
function recordManaged(manifest: Obj, workID: string): void {
  const annotations = (manifest.metadata.annotations ??= {});
  // Both of these keys are in the list the first one holds: they are there before it is made.
  annotations[MANAGED_ANNOTATIONS_ANNOTATION] = '';
  annotations[MANAGED_LABELS_ANNOTATION] = '';
  annotations[MANAGED_ANNOTATIONS_ANNOTATION] = Object.keys(annotations).sort().join(',');
  setLabel(manifest, WORK_PERMANENT_ID_LABEL, workID);
  annotations[MANAGED_LABELS_ANNOTATION] = Object.keys(manifest.metadata.labels).sort().join(',');
}

export interface RenderInput {
  binding: Binding;
  template: Obj;
  target: TargetCluster;
  /** The target's Cluster object, or its name when the object is not known. */
  cluster: ClusterTarget;
  clusterOverridePolicies: readonly ClusterOverridePolicy[];
  overridePolicies: readonly OverridePolicy[];
  /** Where to put target.replicas (see replicaField), when the binding divides replicas. */
  replicaField?: readonly string[];
  /** The target's share of the Job's completions, when divided. */
  completions?: number;
  /** The permanent id of the Work of that name: the existing Work's, or a new one. */
  workID: (namespace: string, name: string) => string;
}

/**
 * The Work input.binding wants in input.target's execution space. Throws OverridePolicyError when an override
 * policy fails for the cluster.
 */
export function renderWork(input: RenderInput): Work {
  const { binding, template, target } = input;
  const spec = binding.spec;
  // The template is the cache's, read-only: setting replicas and overriding copy what they change, and pruning copies
  // the rest (without the status, often the larger part). One copy per Work, where there were three.
  let obj: Obj = template;
  if (input.replicaField) obj = setIfPresent(obj, input.replicaField, target.replicas ?? 0);
  if (input.completions !== undefined) obj = setIfPresent(obj, ['spec', 'completions'], input.completions);
  // Overrides come last: they win over everything derived from the binding.
  const overridden = applyOverridePolicies(obj, input.cluster, input.clusterOverridePolicies, input.overridePolicies);
  // Pruning drops the generation and uid, which the annotations below record.
  const { generation, uid } = overridden.object.metadata ?? {};
  const manifest = removeIrrelevantFields(overridden.object);
  manifest.metadata ??= {};

  const namespace = executionSpaceName(target.name);
  const name = generateWorkName(manifest.kind, manifest.metadata.name, manifest.metadata.namespace);
  const idLabel = PERMANENT_ID_LABEL[binding.kind];
  const id = bindingID(binding) ?? '';
  const bindingAnnotations: Record<string, string> =
    binding.kind === 'ResourceBinding'
      ? { [RB_NAMESPACE_ANNOTATION]: binding.metadata.namespace ?? '', [RB_NAME_ANNOTATION]: binding.metadata.name }
      : { [CRB_NAME_ANNOTATION]: binding.metadata.name };
  const conflict = conflictResolution(manifest, spec);

  setLabel(manifest, idLabel, id);
  if ((generation ?? 0) > 0) addAnnotation(manifest, TEMPLATE_GENERATION_ANNOTATION, String(generation));
  for (const [k, v] of Object.entries(bindingAnnotations)) addAnnotation(manifest, k, v);
  setLabel(manifest, MANAGED_BY_KARMADA_LABEL, 'true');
  addAnnotation(manifest, TEMPLATE_UID_ANNOTATION, uid ?? '');
  addAnnotation(manifest, WORK_NAME_ANNOTATION, name);
  addAnnotation(manifest, WORK_NAMESPACE_ANNOTATION, namespace);
  addAnnotation(manifest, CONFLICT_RESOLUTION_ANNOTATION, conflict);
  const workID = input.workID(namespace, name);
  recordManaged(manifest, workID);

  return {
    apiVersion: WORK_API_VERSION,
    kind: 'Work',
    metadata: {
      name,
      namespace,
      labels: { [idLabel]: id, [WORK_PERMANENT_ID_LABEL]: workID },
      annotations: { ...bindingAnnotations, [CONFLICT_RESOLUTION_ANNOTATION]: conflict, ...appliedOverridesAnnotations(overridden) },
      finalizers: [EXECUTION_CONTROLLER_FINALIZER],
    },
    spec: {
      workload: { manifests: [manifest] },
      suspendDispatching: suspendDispatching(spec, target.name),
      preserveResourcesOnDeletion: spec.preserveResourcesOnDeletion ?? false,
    },
  };
}

/** Annotations that are the controller's alone: dropped from a Work when the desired Work no longer has them. */
const OWNED_ANNOTATIONS = [APPLIED_OVERRIDES_ANNOTATION, APPLIED_CLUSTER_OVERRIDES_ANNOTATION];

/**
 * existing brought up to date with desired (CreateOrUpdateWork's mutation): labels and annotations merged into the
 * existing ones, finalizers added, the spec replaced. Undefined when existing already is.
 */
export function updatedWork(existing: Work, desired: Work): Work | undefined {
  const annotations = { ...existing.metadata.annotations, ...desired.metadata.annotations };
  for (const key of OWNED_ANNOTATIONS) if (!(key in (desired.metadata.annotations ?? {}))) delete annotations[key];
  const metadata = {
    ...existing.metadata,
    labels: { ...existing.metadata.labels, ...desired.metadata.labels },
    annotations,
    finalizers: [...new Set([...(existing.metadata.finalizers ?? []), ...(desired.metadata.finalizers ?? [])])],
  };
  const next: Work = { ...existing, metadata, spec: desired.spec };
  const same =
    jsonEqual(metadata.labels, existing.metadata.labels ?? {}) &&
    jsonEqual(metadata.annotations, existing.metadata.annotations ?? {}) &&
    jsonEqual(metadata.finalizers, existing.metadata.finalizers ?? []) &&
    jsonEqual(existing.spec, desired.spec);
  return same ? undefined : next;
}

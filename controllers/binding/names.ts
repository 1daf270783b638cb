// Karmada's names (pkg/util/names) and the labels, annotations and finalizers the binding controller writes
// (pkg/apis/work/v1alpha2/well_known_constants.go, pkg/util/constants.go), so that Works, and the manifests in them,
// read the same as Karmada's.

export const EXECUTION_SPACE_PREFIX = 'karmada-es-';

export const WORK_API_VERSION = 'work.karmada.io/v1alpha1';
export const BINDING_API_VERSION = 'work.karmada.io/v1alpha2';

export const RB_PERMANENT_ID_LABEL = 'resourcebinding.karmada.io/permanent-id';
export const CRB_PERMANENT_ID_LABEL = 'clusterresourcebinding.karmada.io/permanent-id';
export const WORK_PERMANENT_ID_LABEL = 'work.karmada.io/permanent-id';
export const MANAGED_BY_KARMADA_LABEL = 'karmada.io/managed';

export const RB_NAMESPACE_ANNOTATION = 'resourcebinding.karmada.io/namespace';
export const RB_NAME_ANNOTATION = 'resourcebinding.karmada.io/name';
export const CRB_NAME_ANNOTATION = 'clusterresourcebinding.karmada.io/name';
export const WORK_NAMESPACE_ANNOTATION = 'work.karmada.io/namespace';
export const WORK_NAME_ANNOTATION = 'work.karmada.io/name';
export const TEMPLATE_UID_ANNOTATION = 'resourcetemplate.karmada.io/uid';
export const TEMPLATE_GENERATION_ANNOTATION = 'resourcetemplate.karmada.io/generation';
export const MANAGED_ANNOTATIONS_ANNOTATION = 'resourcetemplate.karmada.io/managed-annotations';
export const MANAGED_LABELS_ANNOTATION = 'resourcetemplate.karmada.io/managed-labels';
export const CONFLICT_RESOLUTION_ANNOTATION = 'work.karmada.io/conflict-resolution';

/** Removed by the execution controller once the Work's resources are gone from its member cluster. */
export const EXECUTION_CONTROLLER_FINALIZER = 'karmada.io/execution-controller';
/** Held on bindings until their Works have been deleted. */
export const BINDING_FINALIZER = {
  ResourceBinding: 'karmada.io/binding-controller',
  ClusterResourceBinding: 'karmada.io/cluster-resource-binding-controller',
} as const;

export function executionSpaceName(cluster: string): string {
  return EXECUTION_SPACE_PREFIX + cluster;
}

/** The member cluster of an execution space, or undefined for any other namespace. */
export function clusterOfExecutionSpace(namespace: string | undefined): string | undefined {
  return namespace?.startsWith(EXECUTION_SPACE_PREFIX) ? namespace.slice(EXECUTION_SPACE_PREFIX.length) : undefined;
}

/** k8s.io/apimachinery rand.SafeEncodeString's alphabet: no vowels, no look-alike characters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Karmada's short hash of a string: FNV-1a 32-bit, in decimal, with each digit mapped to SAFE_ALPHABET. */
function safeHash(s: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return [...String(h)].map((d) => SAFE_ALPHABET[d.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** names.GenerateWorkName: the object's name and a hash of its namespace, name and kind. */
export function generateWorkName(kind: string, name: string, namespace: string | undefined): string {
  const safeName = name.replaceAll(':', '.').toLowerCase();
  const full = (namespace ? `${namespace}-${safeName}-${kind}` : `${safeName}-${kind}`).toLowerCase();
  return `${safeName}-${safeHash(full)}`;
}

/** names.GenerateBindingReferenceKey: a hash of the binding's namespace and name. */
export function bindingReferenceKey(namespace: string | undefined, name: string): string {
  return safeHash(namespace ? `${namespace}/${name}` : name);
}

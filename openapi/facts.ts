// Turns the upstream OpenAPI v2 document into the component schemas we commit: only the definitions the served kinds
// reach, only machine-readable facts (never descriptions — their licence and size are not ours to carry), in the
// OpenAPI v3 shape kube serves under /openapi/v3.

/** A JSON-schema node in OpenAPI v3 component form. */
export type Schema = { [key: string]: unknown };

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The built-in kinds the apiserver serves (their List kinds come along automatically). */
export const SERVED_KINDS: readonly GroupVersionKind[] = [
  ...gvks('', 'v1', ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Endpoints', 'Event', 'Pod',
    'PersistentVolumeClaim', 'PersistentVolume', 'LimitRange', 'ResourceQuota', 'Node', 'ReplicationController']),
  ...gvks('apps', 'v1', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']),
  ...gvks('batch', 'v1', ['Job', 'CronJob']),
  ...gvks('networking.k8s.io', 'v1', ['Ingress', 'IngressClass', 'NetworkPolicy']),
  ...gvks('rbac.authorization.k8s.io', 'v1', ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']),
  ...gvks('policy', 'v1', ['PodDisruptionBudget']),
  ...gvks('autoscaling', 'v2', ['HorizontalPodAutoscaler']),
  ...gvks('autoscaling', 'v1', ['HorizontalPodAutoscaler']),
  ...gvks('coordination.k8s.io', 'v1', ['Lease']),
  ...gvks('discovery.k8s.io', 'v1', ['EndpointSlice']),
  ...gvks('storage.k8s.io', 'v1', ['StorageClass']),
  ...gvks('scheduling.k8s.io', 'v1', ['PriorityClass']),
  ...gvks('apiextensions.k8s.io', 'v1', ['CustomResourceDefinition']),
  ...gvks('events.k8s.io', 'v1', ['Event']),
];

/** Definitions the API machinery itself needs in documents: request/response envelopes and subresource kinds. */
export const META_DEFINITIONS: readonly string[] = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  'io.k8s.api.autoscaling.v1.Scale',
  'io.k8s.api.policy.v1.Eviction',
];

/**
 * kube's v3 form of the apimachinery scalar unions (their OpenAPIV3OneOfTypes); the v2 document flattens both to
 * `type: string`, which would make numbers look invalid.
 */
const V3_FORMS: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

const FACT_KEYWORDS = new Set([
  'type', 'format', 'required', 'enum', 'default',
  'x-kubernetes-group-version-kind', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-unions',
]);

const V2_REF = '#/definitions/';
export const V3_REF = '#/components/schemas/';

export interface SwaggerV2 {
  definitions: Record<string, Schema>;
  info?: { version?: string };
}

/**
 * The component schemas for `kinds` (plus their List kinds) and `extra` definitions, with everything they reference,
 * reduced to facts and converted to v3 refs.
 */
export function extractFacts(swagger: SwaggerV2, kinds: readonly GroupVersionKind[] = SERVED_KINDS,
  extra: readonly string[] = META_DEFINITIONS): Record<string, Schema> {
  const byGvk = new Map<string, string>();
  for (const [name, def] of Object.entries(swagger.definitions))
    for (const gvk of gvkList(def)) if (!byGvk.has(gvkKey(gvk))) byGvk.set(gvkKey(gvk), name);

  const roots: string[] = [];
  for (const gvk of kinds) {
    const name = byGvk.get(gvkKey(gvk));
    if (!name) throw new Error(`no definition for ${gvkKey(gvk)} in the OpenAPI document`);
    roots.push(name);
    const list = byGvk.get(gvkKey({ ...gvk, kind: gvk.kind + 'List' }));
    if (list) roots.push(list);
  }
  for (const name of extra) {
    if (!swagger.definitions[name]) throw new Error(`no definition ${name} in the OpenAPI document`);
    roots.push(name);
  }

  const out: Record<string, Schema> = {};
  const pending = [...roots];
  while (pending.length) {
    const name = pending.pop()!;
    if (name in out) continue;
    const def = swagger.definitions[name];
    if (!def) throw new Error(`dangling reference to ${name}`);
    out[name] = V3_FORMS[name] ?? reduce(def, (ref) => pending.push(ref));
  }
  return out;
}

/** One schema node reduced to facts; `onRef` hears every definition it references. */
function reduce(node: Schema, onRef: (name: string) => void): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref') {
      const name = String(value).slice(V2_REF.length);
      onRef(name);
      out.$ref = V3_REF + name;
    } else if (key === 'properties') {
      const props: Record<string, Schema> = {};
      for (const [prop, sub] of Object.entries(value as Record<string, Schema>)) props[prop] = reduce(sub, onRef);
      out.properties = props;
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = reduce(value as Schema, onRef);
    } else if (key === 'allOf' || key === 'oneOf' || key === 'anyOf') {
      out[key] = (value as Schema[]).map((sub) => reduce(sub, onRef));
    } else if (key === 'additionalProperties' || FACT_KEYWORDS.has(key)) {
      out[key] = value;
    }
  }
  return out;
}

export function gvkList(schema: Schema): GroupVersionKind[] {
  const v = schema['x-kubernetes-group-version-kind'];
  return Array.isArray(v) ? (v as GroupVersionKind[]) : [];
}

export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** JSON with object keys sorted at every level, so regenerated output diffs cleanly. */
export function stableStringify(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

function gvks(group: string, version: string, kinds: string[]): GroupVersionKind[] {
  return kinds.map((kind) => ({ group, version, kind }));
}

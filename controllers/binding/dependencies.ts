// propagateDeps (Karmada's dependencies distributor and the default interpreter's GetDependencies): the ConfigMaps,
// Secrets, ServiceAccounts and PersistentVolumeClaims a workload's pod template refers to follow the workload to its
// clusters. Each dependency gets an "attached" ResourceBinding, named as the detector would name its binding, whose
// spec.requiredBy lists the bindings that need it with the clusters they are scheduled to; the binding controller
// sends it wherever those are. Pure: what the distributor writes is decided here.
import type { BindingSnapshot } from '../../openapi/karmada/types.js';
import { jsonEqual } from '../detector/binding.js';
import { bindingName } from '../detector/matching.js';
import type { Obj } from '../overrides/jsonpatch.js';
import { BINDING_API_VERSION, BINDING_FINALIZER, bindingReferenceKey } from './names.js';
import type { Binding } from './render.js';

/** Records on a binding what it depends on, as JSON: how a change of a dependency finds the bindings to update. */
export const DEPENDENCIES_ANNOTATION = 'resourcebinding.karmada.io/dependencies';
export const DEPENDED_BY_LABEL_PREFIX = 'resourcebinding.karmada.io/depended-by-';

/** DependentObjectReference, with its fields in Karmada's order. */
export interface DependentRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The kinds a workload can depend on. */
export const DEPENDENCY_KINDS = ['ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim'] as const;

/** Where the default interpreter finds the pod spec of the workloads it reads dependencies from. */
const POD_SPEC: Readonly<Record<string, readonly string[]>> = {
  'v1/Pod': ['spec'],
  'apps/v1/Deployment': ['spec', 'template', 'spec'],
  'apps/v1/DaemonSet': ['spec', 'template', 'spec'],
  'apps/v1/StatefulSet': ['spec', 'template', 'spec'],
  'batch/v1/Job': ['spec', 'template', 'spec'],
  'batch/v1/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The volume sources that name a Secret, and where (kube's VisitPodSecretNames). */
const SECRET_VOLUME_REFS: readonly (readonly string[])[] = [
  ['secret', 'secretName'],
  ['azureFile', 'secretName'],
  ['cephfs', 'secretRef', 'name'],
  ['cinder', 'secretRef', 'name'],
  ['flexVolume', 'secretRef', 'name'],
  ['rbd', 'secretRef', 'name'],
  ['scaleIO', 'secretRef', 'name'],
  ['iscsi', 'secretRef', 'name'],
  ['storageos', 'secretRef', 'name'],
  ['csi', 'nodePublishSecretRef', 'name'],
];

function at(obj: unknown, path: readonly string[]): any {
  return path.reduce<any>((cur, key) => (cur !== null && typeof cur === 'object' ? cur[key] : undefined), obj);
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v : [];
}

/** The names of the objects of each dependency kind a pod spec refers to. */
function podSpecReferences(podSpec: Obj): Record<(typeof DEPENDENCY_KINDS)[number], string[]> {
  const containers = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((k) => list(podSpec[k]));
  const envs = containers.flatMap((c) => list(c.env));
  const envFroms = containers.flatMap((c) => list(c.envFrom));
  const volumes = list(podSpec.volumes);
  const projected = volumes.flatMap((v) => list(v.projected?.sources));
  return {
    ConfigMap: [
      ...envFroms.map((e) => e.configMapRef?.name),
      ...envs.map((e) => e.valueFrom?.configMapKeyRef?.name),
      ...volumes.map((v) => v.configMap?.name),
      ...projected.map((p) => p.configMap?.name),
    ],
    Secret: [
      ...list(podSpec.imagePullSecrets).map((s) => s.name),
      ...envFroms.map((e) => e.secretRef?.name),
      ...envs.map((e) => e.valueFrom?.secretKeyRef?.name),
      ...volumes.flatMap((v) => SECRET_VOLUME_REFS.map((path) => at(v, path))),
      ...projected.map((p) => p.secret?.name),
    ],
    ServiceAccount: podSpec.serviceAccountName && podSpec.serviceAccountName !== 'default' ? [podSpec.serviceAccountName] : [],
    PersistentVolumeClaim: volumes.map((v) => v.persistentVolumeClaim?.claimName),
  };
}

function compareRefs(a: DependentRef, b: DependentRef): number {
  for (const k of ['apiVersion', 'kind', 'namespace', 'name'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

/**
 * GetDependencies of Karmada's default interpreter: what template's pod template refers to (an Ingress: its TLS
 * Secrets), in its namespace, sorted as Karmada records them. Other kinds have none.
 */
export function getDependencies(template: Obj): DependentRef[] {
  const namespace = template.metadata?.namespace ?? '';
  const ref = (kind: string, name: string): DependentRef => ({ apiVersion: 'v1', kind, namespace, name });
  const type = `${template.apiVersion}/${template.kind}`;
  let refs: DependentRef[];
  if (type === 'networking.k8s.io/v1/Ingress') {
    refs = list(template.spec?.tls).map((t) => ref('Secret', t.secretName));
  } else {
    const path = POD_SPEC[type];
    const podSpec = path && at(template, path);
    if (!podSpec) return [];
    const names = podSpecReferences(podSpec);
    refs = DEPENDENCY_KINDS.flatMap((kind) => names[kind].map((name) => ref(kind, name)));
  }
  const unique = new Map(refs.filter((r) => typeof r.name === 'string' && r.name !== '').map((r) => [refKey(r), r]));
  return [...unique.values()].sort(compareRefs);
}

export function refKey(r: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

/** The dependencies a binding recorded, or none. */
export function recordedDependencies(binding: Binding): DependentRef[] {
  try {
    const refs = JSON.parse(binding.metadata.annotations?.[DEPENDENCIES_ANNOTATION] ?? '[]');
    return Array.isArray(refs) ? refs : [];
  } catch {
    return [];
  }
}

/** The label an attached binding carries for each binding that depends on it. */
export function dependedByLabel(namespace: string, name: string): { key: string; value: string } {
  const value = `${namespace}_${name}`;
  // Karmada's value is "NAMESPACE_NAME", too long a label value for long names: then the key's hash stands in.
  return { key: DEPENDED_BY_LABEL_PREFIX + bindingReferenceKey(namespace, name), value: value.length <= 63 ? value : bindingReferenceKey(namespace, name) };
}

function snapshotOf(parent: Binding): BindingSnapshot {
  return { namespace: parent.metadata.namespace, name: parent.metadata.name, clusters: parent.spec.clusters ?? [] };
}

const isSnapshotOf = (namespace: string, name: string) => (s: BindingSnapshot) => s.namespace === namespace && s.name === name;

/** The name of the attached binding of dependency: the name the detector gives its binding. */
export function attachedBindingName(dependency: Obj): string {
  return bindingName(dependency.kind, dependency.metadata.name);
}

/**
 * The attached binding of dependency for parent (buildAttachedBinding), or existing brought up to date with it
 * (createOrUpdateAttachedBinding): parent's snapshot in requiredBy, its depended-by label, the dependency's current
 * reference. Undefined when existing already is.
 */
export function attachedBinding(parent: Binding, dependency: Obj, existing: Binding | undefined): Binding | undefined {
  const { namespace, name } = parent.metadata;
  const label = dependedByLabel(namespace, name);
  const resource = {
    apiVersion: dependency.apiVersion,
    kind: dependency.kind,
    namespace: dependency.metadata.namespace,
    name: dependency.metadata.name,
    uid: dependency.metadata.uid,
    resourceVersion: dependency.metadata.resourceVersion,
  };
  if (!existing) {
    return {
      apiVersion: BINDING_API_VERSION,
      kind: 'ResourceBinding',
      metadata: {
        name: attachedBindingName(dependency),
        namespace,
        labels: { [label.key]: label.value },
        finalizers: [BINDING_FINALIZER.ResourceBinding],
        ownerReferences: [
          { apiVersion: dependency.apiVersion, kind: dependency.kind, name: dependency.metadata.name, uid: dependency.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { resource, requiredBy: [snapshotOf(parent)] },
    };
  }
  const others = (existing.spec.requiredBy ?? []).filter((s) => !isSnapshotOf(namespace, name)(s));
  const next: Binding = {
    ...existing,
    metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, [label.key]: label.value } },
    spec: { ...existing.spec, resource, requiredBy: [...others, snapshotOf(parent)] },
  };
  const same =
    jsonEqual(next.metadata.labels, existing.metadata.labels) &&
    jsonEqual(next.spec.resource, existing.spec.resource) &&
    jsonEqual(sortSnapshots(next.spec.requiredBy), sortSnapshots(existing.spec.requiredBy));
  return same ? undefined : next;
}

function sortSnapshots(list: BindingSnapshot[] | undefined): BindingSnapshot[] {
  return [...(list ?? [])].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/**
 * attached without parent (removeScheduleResultFromAttachedBindings): its snapshot and label removed. 'delete' when
 * nothing else needs it and it was only ever attached (no placement of its own).
 */
export function detachedBinding(parentNamespace: string, parentName: string, attached: Binding): Binding | 'delete' {
  const { [dependedByLabel(parentNamespace, parentName).key]: _, ...labels } = attached.metadata.labels ?? {};
  const requiredBy = (attached.spec.requiredBy ?? []).filter((s) => !isSnapshotOf(parentNamespace, parentName)(s));
  if (requiredBy.length === 0 && !attached.spec.placement) return 'delete';
  return { ...attached, metadata: { ...attached.metadata, labels }, spec: { ...attached.spec, requiredBy } };
}

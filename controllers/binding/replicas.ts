// The scheduler's replicas in the manifest of each cluster (Karmada's ReviseReplica of the default interpreter, and the
// Job completions ensureWork divides): only when the binding divides its replicas among clusters.
import type { ResourceBindingSpec, TargetCluster } from '../../openapi/karmada/types.js';
import { replicaSchedulingType } from '../../scheduler/api.js';
import { spreadByTargetClusters } from '../../scheduler/division/dispenser.js';
import type { Obj } from '../overrides/jsonpatch.js';
import { cloneJSON } from '../../storage/json.js';

/** Where the native kinds keep the replicas Karmada revises. */
const NATIVE_REPLICA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'apps/v1/Deployment': ['spec', 'replicas'],
  'apps/v1/StatefulSet': ['spec', 'replicas'],
  'apps/v1/ReplicaSet': ['spec', 'replicas'],
  'batch/v1/Job': ['spec', 'parallelism'],
};

/** The parts of a CustomResourceDefinition that tell where a custom resource keeps its replicas. */
export interface CRDScale {
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; subresources?: { scale?: { specReplicasPath?: string } } }[];
  };
}

/**
 * The path of the replicas of objects of apiVersion and kind: a native workload's, or the specReplicasPath of the
 * scale subresource of a custom resource's CRD (which Karmada reaches only through a resource interpreter
 * customization). Undefined when the kind has no replicas to revise.
 */
export function replicaField(apiVersion: string, kind: string, crds: readonly CRDScale[]): readonly string[] | undefined {
  const native = NATIVE_REPLICA_FIELDS[`${apiVersion}/${kind}`];
  if (native) return native;
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return undefined;
  const [group, version] = [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  const crd = crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
  const path = crd?.spec?.versions?.find((v) => v.name === version)?.subresources?.scale?.specReplicasPath;
  return path?.startsWith('.') ? path.slice(1).split('.') : undefined;
}

/** needReviseReplicas: the template has replicas and the binding divides them. */
export function needReviseReplicas(spec: ResourceBindingSpec): boolean {
  return (spec.replicas ?? 0) > 0 && replicaSchedulingType(spec.placement) === 'Divided';
}

/** helper.ApplyReplica: obj with the integer at path set to value, if obj has one there; else obj unchanged. */
export function setIfPresent(obj: Obj, path: readonly string[], value: number): Obj {
  let cur: any = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return obj;
    cur = cur[key];
  }
  if (typeof cur !== 'number') return obj;
  const out = cloneJSON(obj);
  let parent: any = out;
  for (const key of path.slice(0, -1)) parent = parent[key];
  parent[path[path.length - 1]] = value;
  return out;
}

/**
 * divideReplicasByJobCompletions: a Job's spec.completions spread over the clusters in proportion to the replicas
 * (parallelism) each was given. Empty when the Job sets no completions (a work queue Job), which then keeps none.
 * Ties are broken by a hash of seed, so the division is the same on every reconcile.
 */
export function jobCompletions(template: Obj, clusters: readonly TargetCluster[], seed: string): Map<string, number> {
  const completions = template.spec?.completions;
  if (template.kind !== 'Job' || typeof completions !== 'number') return new Map();
  return new Map(spreadByTargetClusters(completions, clusters, [], seed).map((c) => [c.name, c.replicas ?? 0]));
}

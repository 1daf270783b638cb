// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas (kube's ScaleREST), for deployments,
// statefulsets, replicasets and custom resources that declare one.
import { cloneJSON } from '../../storage/json.js';
import type { KObject } from '../../storage/store.js';
import { APIError, conflict, invalid, OBJECT_MODIFIED } from '../errors.js';
import { labelSelectorString } from '../registry/printers/index.js';
import type { ScaleSubresource } from '../registry/types.js';
import { checkTypeMeta, decodeObject } from './decode.js';
import type { ObjectResult, RequestScope } from './scope.js';
import { decodePatch, updateWith } from './write.js';

const SCALE = { kind: 'Scale', apiVersion: 'autoscaling/v1', schema: 'io.k8s.api.autoscaling.v1.Scale' };

function pathOf(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.');
}

function getPath(obj: unknown, jsonPath: string): unknown {
  let cur: any = obj;
  for (const p of pathOf(jsonPath)) cur = cur?.[p];
  return cur;
}

function setPath(obj: KObject, jsonPath: string, value: unknown): void {
  const parts = pathOf(jsonPath);
  let cur: any = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts.at(-1)!] = value;
}

function spec(scope: RequestScope): ScaleSubresource {
  return scope.rt.subresources!.scale!;
}

export function scaleOf(s: ScaleSubresource, obj: KObject): KObject {
  const selector = s.labelSelectorPath ? getPath(obj, s.labelSelectorPath) : undefined;
  const meta = obj.metadata ?? {};
  return {
    kind: SCALE.kind,
    apiVersion: SCALE.apiVersion,
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas: (getPath(obj, s.specReplicasPath) as number | undefined) ?? 0 },
    status: {
      replicas: (getPath(obj, s.statusReplicasPath) as number | undefined) ?? 0,
      ...(selector === undefined ? {} : { selector: typeof selector === 'string' ? selector : labelSelectorString(selector) }),
    },
  };
}

export async function getScale(scope: RequestScope): Promise<ObjectResult> {
  return { code: 200, object: scaleOf(spec(scope), await scope.store.get(scope.namespace, scope.name!)) };
}

/** Writes a desired Scale's replicas into the workload, with the Scale's resourceVersion as a precondition. */
async function writeScale(scope: RequestScope, desired: (current: KObject) => KObject): Promise<ObjectResult> {
  const s = spec(scope);
  const result = await updateWith({ ...scope, subresource: undefined }, (current) => {
    const scale = desired(scaleOf(s, current));
    checkTypeMeta(scale, SCALE);
    const replicas = scale.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw invalid({ group: 'autoscaling', kind: 'Scale' }, scope.name!, [
        { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
      ]);
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== current.metadata?.resourceVersion) throw conflict(scope.store.gr, scope.name!, OBJECT_MODIFIED);
    const next = cloneJSON(current);
    setPath(next, s.specReplicasPath, replicas);
    return next;
  });
  return { code: 200, object: scaleOf(s, result.object) };
}

export function updateScale(scope: RequestScope): Promise<ObjectResult> {
  const scale = decodeObject(scope, SCALE);
  if (scale.metadata?.name && scale.metadata.name !== scope.name)
    throw new APIError(400, 'BadRequest', `the name of the object (${scale.metadata.name}) does not match the name on the URL (${scope.name})`);
  return writeScale(scope, () => scale);
}

export function patchScale(scope: RequestScope): Promise<ObjectResult> {
  const patch = decodePatch(scope, SCALE.schema);
  return writeScale(scope, (current) => patch.apply(current));
}

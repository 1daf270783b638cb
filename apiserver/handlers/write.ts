// create, update and patch.
import jsonpatch from 'fast-json-patch';
import { cloneJSON } from '../../storage/json.js';
import type { KObject } from '../../storage/store.js';
import type { AdmissionAttributes, Operation } from '../admission/chain.js';
import { APIError, badRequest, conflict, methodNotAllowed, OBJECT_MODIFIED, unsupportedMediaType } from '../errors.js';
import { mediaType } from '../http/negotiation.js';
import { managerFromUserAgent, validateApplyOptions } from '../fieldmanager/index.js';
import { strategicMergePatch, StrategicMergePatchError } from '../patch/strategicmerge.js';
import { checkFields, checkTypeMeta, decodeObject, expected, parseBody } from './decode.js';
import type { ObjectResult, RequestScope } from './scope.js';

export function isDryRun(scope: RequestScope): boolean {
  const v = scope.query.dryRun;
  if (v === undefined || v === '') return false;
  if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}`);
  return true;
}

function attributes(scope: RequestScope, operation: Operation, object: KObject | undefined, oldObject?: KObject): AdmissionAttributes {
  return {
    operation,
    resource: scope.rt,
    subresource: scope.subresource,
    namespace: scope.namespace,
    name: scope.name ?? object?.metadata?.name ?? '',
    object,
    oldObject,
    dryRun: isDryRun(scope),
    user: scope.user,
  };
}

function checkNamespace(scope: RequestScope, obj: KObject): void {
  const meta = (obj.metadata ??= {});
  if (!scope.rt.namespaced) return;
  if (meta.namespace && meta.namespace !== scope.namespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
}

/** The field manager a write is recorded under: the fieldManager option, else the client's User-Agent product. */
function manager(scope: RequestScope): string {
  return validateApplyOptions(scope.query, false).fieldManager ?? managerFromUserAgent(scope.userAgent ?? '');
}

export async function createObject(scope: RequestScope): Promise<ObjectResult> {
  if (scope.name !== undefined) throw methodNotAllowed();
  const obj = decodeObject(scope);
  checkNamespace(scope, obj);
  return createManaged(scope, scope.server.fieldManager.update(undefined, obj, manager(scope), scope.rt.schemaRef));
}

/** Admission and the registry create, for an object whose managedFields are already set. */
async function createManaged(scope: RequestScope, obj: KObject): Promise<ObjectResult> {
  const dryRun = isDryRun(scope);
  const admission = scope.server.admission;
  await admission.admit(attributes(scope, 'CREATE', obj));
  const created = await scope.store.create(scope.namespace, obj, {
    dryRun,
    validate: (o) => admission.validate(attributes(scope, 'CREATE', o)),
  });
  return { code: 201, object: created, json: scope.store.writtenJSON(created) };
}

/**
 * The update path shared by PUT and PATCH: field ownership, admission on the desired object, then the registry
 * write. `managed` means desired already set managedFields (server-side apply). desired must leave current as it
 * is: the field manager and admission compare the desired object with it.
 */
export async function updateWith(scope: RequestScope, desired: (current: KObject) => KObject | Promise<KObject>, managed = false): Promise<ObjectResult> {
  const admission = scope.server.admission;
  const dryRun = isDryRun(scope);
  const fieldManager = managed ? undefined : manager(scope);
  const updated = await scope.store.guaranteedUpdate(
    scope.namespace,
    scope.name!,
    async (current) => {
      let obj = await desired(current);
      if (fieldManager !== undefined) obj = scope.server.fieldManager.update(current, obj, fieldManager, scope.rt.schemaRef, scope.subresource);
      await admission.admit(attributes(scope, 'UPDATE', obj, current));
      return obj;
    },
    {
      dryRun,
      subresource: scope.subresource,
      validate: (o, old) => admission.validate(attributes(scope, 'UPDATE', o, old)),
    },
  );
  return { code: 200, object: updated, json: scope.store.writtenJSON(updated) };
}

export async function updateObject(scope: RequestScope): Promise<ObjectResult> {
  const obj = decodeObject(scope);
  checkNamespace(scope, obj);
  const meta = obj.metadata!;
  if (meta.name === undefined || meta.name === '') meta.name = scope.name;
  if (meta.name !== scope.name)
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${scope.name})`);
  return updateWith(scope, (current) => {
    const rv = meta.resourceVersion;
    if (rv && rv !== current.metadata?.resourceVersion)
      throw new APIError(409, 'Conflict', `Operation cannot be fulfilled on ${scope.store.gr.group ? `${scope.rt.plural}.${scope.rt.group}` : scope.rt.plural} "${scope.name}": the object has been modified; please apply your changes to the latest version and try again`, {
        name: scope.name,
        group: scope.rt.group || undefined,
        kind: scope.rt.plural,
      });
    return cloneJSON(obj);
  });
}

export const SMP = 'application/strategic-merge-patch+json';
export const APPLY = 'application/apply-patch+yaml';
/** What kube lists for custom resources, which have no strategic merge patch. */
export const CUSTOM_PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', APPLY];
const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', SMP, APPLY];

export interface DecodedPatch {
  jsonPatch: boolean;
  /** The patch body as sent, for kube's duplicate-field reporting. */
  raw: string;
  /** The parsed body of a merge or strategic merge patch (PatchBody.members). */
  members?: unknown;
  apply(current: KObject): KObject;
}

/**
 * Decodes a json, merge or strategic merge PATCH body into a function from the current object to the patched one.
 * `schema` names the OpenAPI schema whose patch metadata a strategic merge patch follows; without one (custom
 * resources) strategic merge patch is unsupported, as in kube.
 */
export function decodePatch(scope: RequestScope, schema: string | undefined): DecodedPatch {
  const type = mediaType(scope.contentType);
  const accepted = schema && !scope.rt.custom ? PATCH_MEDIA_TYPES : CUSTOM_PATCH_MEDIA_TYPES;
  if (!accepted.includes(type) || type === APPLY) throw unsupportedMediaType(accepted);
  const { value: patch, rawJson } = parseBody(scope, accepted);
  const jsonPatch = type === 'application/json-patch+json';
  if (jsonPatch && !Array.isArray(patch)) throw badRequest('the server rejected our request due to an error in our request');
  const merge = (current: KObject): unknown => {
    if (type !== SMP) return mergePatch(current, patch);
    try {
      return strategicMergePatch(current, patch, schema!, scope.server.fields);
    } catch (err) {
      if (!(err instanceof StrategicMergePatchError)) throw err;
      // kube answers some of these with a 500; they are the client's mistakes, so they get a 4xx here.
      if (err.code === 400) throw badRequest(err.message);
      throw new APIError(422, 'Invalid', err.code === 422 ? 'the server rejected our request due to an error in our request' : err.message);
    }
  };
  return {
    jsonPatch,
    raw: rawJson ?? '',
    members: jsonPatch ? undefined : patch,
    apply(current) {
      const next = jsonPatch ? applyJSONPatch(current, patch as jsonpatch.Operation[]) : (merge(current) as KObject);
      if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new APIError(422, 'Invalid', 'the patch produced an object that is not a JSON object');
      return next;
    },
  };
}

export async function patchObject(scope: RequestScope): Promise<ObjectResult> {
  validateApplyOptions(scope.query, false);
  const expect = expected(scope);
  const patch = decodePatch(scope, expect.schema);
  return updateWith(scope, (current) => {
    const next = patch.apply(current);
    // A resourceVersion in the patched object is a precondition, as in kube (optimistic concurrency for patches).
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== current.metadata?.resourceVersion) throw conflict(scope.store.gr, scope.name!, OBJECT_MODIFIED);
    checkTypeMeta(next, expect);
    if (next.metadata?.name !== scope.name)
      throw badRequest(`the name of the object (${next.metadata?.name}) does not match the name on the URL (${scope.name})`);
    checkFields(scope, next, undefined, expect, patch);
    return next;
  });
}

/**
 * Server-side apply (application/apply-patch+yaml): merges the apply configuration under the caller's field manager,
 * creating the object when it does not exist.
 */
export async function applyObject(scope: RequestScope): Promise<ObjectResult> {
  const { fieldManager, force } = validateApplyOptions(scope.query, true);
  const { value } = parseBody(scope, [APPLY]);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the apply configuration must be an object');
  const config = value as KObject;
  checkTypeMeta(config, expected(scope));
  const name = config.metadata?.name;
  if (name !== undefined && name !== scope.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${scope.name})`);
  if (scope.rt.namespaced && config.metadata?.namespace && config.metadata.namespace !== scope.namespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const fm = scope.server.fieldManager;
  const schema = scope.rt.schemaRef;
  const apply = (live: KObject | undefined) => fm.apply(live, cloneJSON(config), fieldManager!, force, schema, scope.subresource);
  try {
    return await updateWith(scope, (current) => apply(current), true);
  } catch (err) {
    if (!(err instanceof APIError && err.code === 404 && err.details?.name === scope.name) || scope.subresource) throw err;
  }
  const obj = apply(undefined);
  (obj.metadata ??= {}).name = scope.name;
  return createManaged(scope, obj);
}

function applyJSONPatch(doc: KObject, ops: jsonpatch.Operation[]): KObject {
  try {
    return jsonpatch.applyPatch(cloneJSON(doc), ops, true, true).newDocument as KObject;
  } catch (e) {
    throw new APIError(422, 'Invalid', jsonPatchMessage(e as Error));
  }
}

function jsonPatchMessage(err: Error & { name?: string; operation?: { path?: string } }): string {
  if (err.name === 'TEST_OPERATION_FAILED') return 'the server rejected our request due to an error in our request';
  const path = err.operation?.path;
  return path ? `jsonpatch ${err.name ?? 'error'}: ${path}: ${err.message.split('\n')[0]}` : err.message.split('\n')[0];
}

/** JSON merge patch (RFC 7386): objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    // defineProperty keeps a "__proto__" member as data instead of setting the prototype.
    else Object.defineProperty(out, k, { value: mergePatch(Object.hasOwn(out, k) ? out[k] : undefined, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

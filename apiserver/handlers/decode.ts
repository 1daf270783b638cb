// Decoding request bodies into objects, with kube's checks of apiVersion/kind/namespace and field validation.
import YAML from 'yaml';
import type { KObject } from '../../storage/store.js';
import { cannotBeHandledMessage, strictDecodingError } from '../../openapi/messages.js';
import { duplicateFieldErrors, jsonPatchStrictErrors } from '../../openapi/field-check.js';
import { badRequest, invalid, unsupportedMediaType } from '../errors.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../protobuf/decode.js';
import { mediaType } from '../http/negotiation.js';
import { groupVersion } from '../registry/registry.js';
import type { RequestScope } from './scope.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF];

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationDirective(scope: RequestScope): FieldValidation {
  const v = scope.query.fieldValidation;
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`);
}

/** Parses a JSON or YAML body into a value, with the raw JSON text kept for duplicate-field detection. */
export function parseBody(scope: RequestScope, accepted = OBJECT_MEDIA_TYPES): { value: unknown; rawJson?: string } {
  const type = mediaType(scope.contentType) || 'application/json';
  const text = (scope.body ?? Buffer.alloc(0)).toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    if (!accepted.includes(type)) throw unsupportedMediaType(accepted);
    try {
      return { value: JSON.parse(text), rawJson: text };
    } catch (err) {
      throw badRequest(`${describeTarget(scope)}couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }
  if (type === 'application/yaml' || type.endsWith('+yaml')) {
    if (!accepted.includes(type)) throw unsupportedMediaType(accepted);
    try {
      const docs = YAML.parseAllDocuments(text);
      if (docs.length > 1) throw new Error('multiple YAML documents in one request body');
      if (docs[0]?.errors.length) throw docs[0].errors[0];
      return { value: docs[0]?.toJS() ?? null };
    } catch (err) {
      throw badRequest(`${describeTarget(scope)}error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (type === PROTOBUF && accepted.includes(type)) {
    try {
      return { value: withoutEmptyMetadata(decodeKubernetesProtobuf(scope.body ?? Buffer.alloc(0)).object) };
    } catch (err) {
      if (err instanceof ProtobufDecodeError) throw badRequest(`${describeTarget(scope)}${err.message}`);
      throw err;
    }
  }
  throw unsupportedMediaType(accepted);
}

/**
 * Go puts every non-pointer field on the protobuf wire, so a protobuf body carries empty metadata strings and null
 * timestamps that a JSON client would omit; drop them so the stored object looks as if it came as JSON.
 */
function withoutEmptyMetadata(obj: KObject): KObject {
  const meta = obj.metadata;
  if (meta)
    for (const [k, v] of Object.entries(meta))
      if (v === '' || v === null || (k === 'generation' && v === 0) || (Array.isArray(v) && v.length === 0)) delete meta[k];
  return obj;
}

function describeTarget(scope: RequestScope): string {
  return `the object provided is unrecognized (must be of type ${scope.rt.kind}): `;
}

/**
 * Decodes a create/update body and checks it belongs at this URL (kube's handlers: the data's apiVersion and kind must
 * match the endpoint, the namespace must match the URL). Field validation warnings go into scope.warnings.
 */
export function decodeObject(scope: RequestScope, expect: Expected = expected(scope)): KObject {
  const { value, rawJson } = parseBody(scope);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(`the object provided is unrecognized (must be of type ${expect.kind}): couldn't get version/kind; json parse error: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  const obj = value as KObject;
  checkTypeMeta(obj, expect);
  checkFields(scope, obj, rawJson, expect);
  return obj;
}

/** What a request body must be: its kind, apiVersion and (for field validation) OpenAPI schema. */
export interface Expected {
  kind: string;
  apiVersion: string;
  schema?: string;
}

export function expected(scope: RequestScope): Expected {
  return { kind: scope.rt.kind, apiVersion: groupVersion(scope.rt), schema: scope.rt.schemaRef };
}

export function checkTypeMeta(obj: KObject, expect: { kind: string; apiVersion: string }): void {
  const [eg, ev] = splitApiVersion(expect.apiVersion);
  if (obj.kind === undefined || obj.kind === '') obj.kind = expect.kind;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = expect.apiVersion;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string')
    throw badRequest(`the object provided is unrecognized (must be of type ${expect.kind}): couldn't get version/kind; json parse error: apiVersion and kind must be strings`);
  const [g, v] = splitApiVersion(obj.apiVersion);
  if (g !== eg || v !== ev)
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expect.apiVersion})`);
  if (obj.kind !== expect.kind)
    throw badRequest(`${obj.kind} in version "${v}" cannot be handled as a ${expect.kind}: the kind in the data (${obj.kind}) does not match the expected kind (${expect.kind})`);
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)))
    throw badRequest(`${expect.kind} in version "${v}" cannot be handled as a ${expect.kind}: json: cannot unmarshal ${Array.isArray(obj.metadata) ? 'array' : typeof obj.metadata} into Go struct field ${expect.kind}.metadata of type v1.ObjectMeta`);
}

function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

/** A patch body, whose own duplicate members come before the patched object's problems in kube's messages. */
export interface PatchBody {
  raw: string;
  jsonPatch: boolean;
  /** The parsed body of a merge or strategic merge patch, whose members name what it wrote; none for a JSON patch. */
  members?: unknown;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a merge or strategic merge patch wrote into obj: obj's members under the patch's own members, recursively where
 * both are objects, and whole where the patch gave a value (a list included). Directives ($patch, $setElementOrder/…)
 * name no member of obj and are left out.
 */
export function patchedPart(obj: unknown, members: unknown): unknown {
  if (!isMap(obj) || !isMap(members)) return obj;
  const part: Record<string, unknown> = {};
  for (const k of Object.keys(members)) if (Object.hasOwn(obj, k)) part[k] = patchedPart(obj[k], members[k]);
  return part;
}

/**
 * Schema checks: wrong types are always decode errors; unknown and duplicate fields follow fieldValidation. For
 * patches, `patch` carries the patch body and kube's patch wording applies.
 */
export function checkFields(scope: RequestScope, obj: KObject, rawJson: string | undefined, expect: Expected, patch?: PatchBody): void {
  const schema = expect.schema;
  if (!schema) return;
  const directive = fieldValidationDirective(scope);
  // The stored object passed these checks when it was written, so only what a patch wrote can fail them; a walk over
  // that alone spares one over the whole object on every status patch of a Work or a binding (kube's decoder, which
  // drops unknown fields as it reads the stored object, finds nothing else there either).
  const checked = patch?.members === undefined ? obj : patchedPart(obj, patch.members);
  const result = scope.server.fields.checkObject(schema, checked, directive === 'Ignore' || patch ? undefined : rawJson);
  const version = splitApiVersion(expect.apiVersion)[1];
  // A custom resource's own fields are validated against its schema later (422 with every bad field); only its
  // metadata is decoded strictly, as kube does.
  const custom = scope.rt.custom && schema === scope.rt.schemaRef;
  const typeErrors = custom ? result.typeErrors.filter((e) => e.path === 'metadata' || e.path.startsWith('metadata.')) : result.typeErrors;
  if (typeErrors.length) {
    const cause = typeErrors.map((e) => e.message).join(', ');
    if (patch)
      throw invalid({ group: '', kind: '' }, '', [{ type: 'FieldValueInvalid', field: 'patch', badValue: JSON.stringify(obj), detail: cause }]);
    throw badRequest(cannotBeHandledMessage(expect.kind, version, expect.kind, cause));
  }
  if (directive === 'Ignore') return;
  const problems = patch
    ? [...(patch.jsonPatch ? jsonPatchStrictErrors(patch.raw) : duplicateFieldErrors(patch.raw)), ...result.strictErrors]
    : result.strictErrors;
  if (!problems.length) return;
  if (directive === 'Warn') scope.warnings.push(...problems);
  else if (patch) throw badRequest(strictDecodingError(problems));
  else throw badRequest(cannotBeHandledMessage(expect.kind, version, expect.kind, strictDecodingError(problems)));
}

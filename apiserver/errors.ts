// Typed API errors. Every failure the apiserver answers with is an APIError, turned into a metav1.Status in one
// place (toStatus); the texts follow k8s.io/apimachinery/pkg/api/errors so clients that match on them keep working.
import { StorageError } from '../storage/store.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** Names the resource in messages the way kube's GroupResource.String() does: "deployments.apps", "configmaps". */
export interface GroupResource {
  group: string;
  resource: string;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class APIError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'APIError';
  }
}

export function toStatus(err: APIError): Record<string, unknown> {
  const status: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    code: err.code,
  };
  if (err.details) status.details = err.details;
  return status;
}

export const notFound = (gr: GroupResource, name: string) =>
  new APIError(404, 'NotFound', `${groupResourceString(gr)} "${name}" not found`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });

export const alreadyExists = (gr: GroupResource, name: string) =>
  new APIError(409, 'AlreadyExists', `${groupResourceString(gr)} "${name}" already exists`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new APIError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${why}`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** One field error, as k8s.io/apimachinery/pkg/util/validation/field.Error renders it. */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueDuplicate';
  field: string;
  badValue?: unknown;
  detail?: string;
}

const FIELD_ERROR_TEXT: Record<FieldError['type'], string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueDuplicate: 'Duplicate value',
};

function fieldErrorBody(e: FieldError): string {
  let s = FIELD_ERROR_TEXT[e.type];
  if (e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueDuplicate') {
    s += `: ${typeof e.badValue === 'string' ? JSON.stringify(e.badValue) : JSON.stringify(e.badValue ?? null)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** 422 Invalid, with one cause per field error (kube's NewInvalid). */
export function invalid(qualifiedKind: { group: string; kind: string }, name: string, errs: FieldError[]): APIError {
  const gk = qualifiedKind.group ? `${qualifiedKind.kind}.${qualifiedKind.group}` : qualifiedKind.kind;
  const list = errs.map(fieldErrorString);
  const aggregate = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new APIError(422, 'Invalid', `${gk} "${name}" is invalid: ${aggregate}`, {
    name,
    group: qualifiedKind.group || undefined,
    kind: qualifiedKind.kind,
    causes: errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
}

export const badRequest = (message: string) => new APIError(400, 'BadRequest', message);

export const unauthorized = () => new APIError(401, 'Unauthorized', 'Unauthorized');

export const forbidden = (gr: GroupResource, name: string, why: string, causes?: StatusCause[]) =>
  new APIError(
    403,
    'Forbidden',
    name ? `${groupResourceString(gr)} "${name}" is forbidden: ${why}` : `${groupResourceString(gr)} is forbidden: ${why}`,
    { name: name || undefined, group: gr.group || undefined, kind: gr.resource, causes },
  );

export const methodNotAllowed = () =>
  new APIError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const notAcceptable = (accepted: string[]) =>
  new APIError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);

export const unsupportedMediaType = (accepted: string[]) =>
  new APIError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const requestEntityTooLarge = (limit: number) =>
  new APIError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);

export const expired = (message: string) => new APIError(410, 'Expired', message);

export const tooOldResourceVersion = (requested: number, current: number) =>
  expired(`too old resource version: ${requested} (${current})`);

export const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export const internalError = (err: unknown) =>
  new APIError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`, {
    causes: [{ message: err instanceof Error ? err.message : String(err) }],
  });

/** Maps a storage failure on one object to the API error kube's registry would return. */
export function fromStorageError(err: unknown, gr: GroupResource, name: string): APIError {
  if (err instanceof APIError) return err;
  if (!(err instanceof StorageError)) return internalError(err);
  switch (err.code) {
    case 'KeyNotFound':
      return notFound(gr, name);
    case 'KeyExists':
      return alreadyExists(gr, name);
    case 'Conflict':
      return conflict(gr, name, err.message.startsWith('Precondition failed') ? err.message : OBJECT_MODIFIED);
    case 'Expired':
      return expired(CONTINUE_TOO_OLD);
    case 'InvalidContinue':
      return badRequest(`continue key is not valid: ${err.message}`);
    default:
      return internalError(err);
  }
}

// kube's exact texts for field validation outcomes (clients and tests match on them):
//   create/update, Strict:  400 BadRequest  `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: ...`
//   json/merge/strategic patch, Strict:  400 BadRequest  `strict decoding error: ...` (no prefix; patch-body
//     duplicates first, then the patched object's problems; json-patch op problems are prefixed "json patch ")
//   Warn (the default):  one `Warning: 299 - "<text>"` header per problem, request succeeds.
//   Wrong value types are decode errors whatever the directive: 400 `<Kind> in version "<v>" cannot be handled as a
//     <Kind>: json: cannot unmarshal ...` on create/update; on json/merge patch a 422 Invalid on field "patch".

/** Go's strconv.Quote for the strings we quote (field paths, versions). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export function unknownFieldError(path: string): string {
  return `unknown field ${goQuote(path)}`;
}

export function duplicateFieldError(path: string): string {
  return `duplicate field ${goQuote(path)}`;
}

/** runtime.NewStrictDecodingError(errs).Error(). */
export function strictDecodingError(errors: readonly string[]): string {
  return 'strict decoding error: ' + errors.join(', ');
}

/** The create/update decode failure message (transformDecodeError): data kind/version, target kind, cause. */
export function cannotBeHandledMessage(kind: string, version: string, intoKind: string, cause: string): string {
  return `${kind} in version ${goQuote(version)} cannot be handled as a ${intoKind}: ${cause}`;
}

/** What kube says about a json-patch operation's own unknown/duplicate members. */
export function jsonPatchStrictError(error: string): string {
  return 'json patch ' + error;
}

/** Go encoding/json's UnmarshalTypeError text, with the struct/field context sigs.k8s.io/json adds. */
export function goUnmarshalTypeError(actual: string, goType: string, struct?: string, field?: string): string {
  return struct || field
    ? `json: cannot unmarshal ${actual} into Go struct field ${struct}.${field} of type ${goType}`
    : `json: cannot unmarshal ${actual} into Go value of type ${goType}`;
}

/** resource.ErrFormatWrong: what a Quantity that is neither a string nor a number fails with. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** kube-openapi's type mismatch detail for schema-validated (custom) resources. */
export function schemaTypeError(path: string, expected: string, actual: string): string {
  return `${path} in body must be of type ${expected}: ${goQuote(actual)}`;
}

/**
 * The value of one `Warning` response header (code 299, agent "-"), or undefined where kube drops the warning
 * (control characters are not allowed in warning text).
 */
export function warningHeaderValue(text: string): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return undefined;
  return `299 - "${text.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

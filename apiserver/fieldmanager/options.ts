// The request options the field manager depends on, checked and defaulted as kube's handlers do.
import { invalid, type FieldError } from '../errors.js';

/** kube's limit on field manager names (validation.FieldManagerMaxLength), in bytes. */
const FIELD_MANAGER_MAX_LENGTH = 128;

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

export interface PatchOptions {
  /** The fieldManager query parameter, undefined when not given (or empty). */
  fieldManager: string | undefined;
  /** The force query parameter: set unless given as "false" or "0". */
  force: boolean;
}

/**
 * Checks the PATCH query parameters the field manager reads (kube's ValidatePatchOptions) and returns them parsed.
 * `apply` says whether the patch is an apply patch. Throws 422 Invalid on PatchOptions.meta.k8s.io.
 */
export function validateApplyOptions(query: Record<string, string | undefined>, apply: boolean): PatchOptions {
  const fieldManager = query.fieldManager || undefined;
  const errs: FieldError[] = [];
  if (!apply && query.force !== undefined)
    errs.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
  if (apply && fieldManager === undefined)
    errs.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' });
  if (fieldManager !== undefined) {
    if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH)
      errs.push({ type: 'FieldValueTooLong', field: 'fieldManager', detail: `may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes` });
    let position = 0;
    for (const ch of fieldManager) {
      if (!PRINTABLE.test(ch)) {
        const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        errs.push({ type: 'FieldValueInvalid', field: 'fieldManager', badValue: fieldManager,
          detail: `invalid character U+${code} (at position ${position})` });
      }
      position += Buffer.byteLength(ch);
    }
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', errs);
  const force = query.force !== undefined && query.force !== '0' && query.force.toLowerCase() !== 'false';
  return { fieldManager, force };
}

/**
 * kube's manager name when a request names none: the User-Agent up to its first "/", without unprintable
 * characters, cut to the length limit ("kubectl/v1.31.0 (linux/amd64)" → "kubectl").
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  let out = '';
  let bytes = 0;
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!PRINTABLE.test(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

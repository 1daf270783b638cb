// Field errors with kube's full set of types. apiserver/errors.ts renders a subset; the two kube types it lacks are
// sent as their nearest relative (FieldValueTypeInvalid reads the same as FieldValueInvalid; FieldValueTooMany then
// reads "Invalid value" instead of "Too many").
import type { FieldError } from '../errors.js';

export interface KubeFieldError {
  type: FieldError['type'] | 'FieldValueTypeInvalid' | 'FieldValueTooMany';
  field: string;
  badValue?: unknown;
  detail?: string;
}

/** Errors that stop CEL rules from running (kube's hasBlockingErr): the object is too malformed to evaluate. */
const BLOCKING = new Set<KubeFieldError['type']>(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

export function hasBlockingError(errs: readonly KubeFieldError[]): boolean {
  return errs.some((e) => BLOCKING.has(e.type));
}

/** kube's field.Invalid(nil, nil, ...) appended when CEL rules were skipped. */
export const RULES_NOT_CHECKED: KubeFieldError = {
  type: 'FieldValueInvalid',
  field: '<nil>',
  badValue: 'null',
  detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

export function toFieldErrors(errs: readonly KubeFieldError[]): FieldError[] {
  return errs.map((e) => {
    const out: FieldError = { type: e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueTooMany' ? 'FieldValueInvalid' : e.type, field: e.field };
    if (e.badValue !== undefined) out.badValue = e.badValue;
    if (e.detail !== undefined) out.detail = e.detail;
    return out;
  });
}

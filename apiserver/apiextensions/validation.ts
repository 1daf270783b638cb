// A custom resource's validation for one CRD version, in kube's order: the OpenAPI schema, the scale subresource's
// fields, embedded resources, list-type invariants, then x-kubernetes-validations rules, which only run when the
// object is well-formed enough (no type, required, enum or size errors). On update, errors in parts of the object
// left unchanged are ratcheted away as kube does.
import type { KObject } from '../../storage/store.js';
import type { FieldError } from '../errors.js';
import type { ScaleSubresource } from '../registry/types.js';
import { compileRules, validateRules } from './cel.js';
import { hasBlockingError, RULES_NOT_CHECKED, toFieldErrors, type KubeFieldError } from './fielderrors.js';
import { compileSchema } from './schemavalidation.js';
import { isRatcheted } from './structural.js';
import { embeddedResourceErrors, listTypeErrors, scaleErrors } from './structuralchecks.js';
import type { JSONSchemaProps } from './types.js';

export type Validator = (obj: KObject, old?: KObject) => FieldError[];

/** Compiles the schema and its rules once; the returned function validates objects against them. */
export function validator(schema: JSONSchemaProps, scale?: ScaleSubresource): Validator {
  const checkSchema = compileSchema(schema);
  const rules = compileRules(schema);
  return (obj, old) => {
    const errs: KubeFieldError[] = checkSchema(obj).filter((e) => !(old && isRatcheted(schema, obj, old, e.path)));
    errs.push(...scaleErrors(scale, obj), ...embeddedResourceErrors(schema, obj));
    // Lists that already broke their invariant before the update are not held to it now (old is only walked when
    // the new object breaks one).
    const listErrs = listTypeErrors(schema, obj);
    if (listErrs.length && (!old || listTypeErrors(schema, old).length === 0)) errs.push(...listErrs);
    if (rules) errs.push(...(hasBlockingError(errs) ? [RULES_NOT_CHECKED] : validateRules(rules, obj, old)));
    return toFieldErrors(errs);
  };
}

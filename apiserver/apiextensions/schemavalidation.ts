// OpenAPI schema validation of custom resources: the CRD schema is translated once into a JSON Schema that ajv
// compiles, and ajv's findings are reported as kube-openapi's validator words them, e.g.
// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { KubeFieldError } from './fielderrors.js';
import { formatChecker } from './formats.js';
import { goFloat } from './goformat.js';
import { isObject, renderPath, type Segment } from './structural.js';
import type { JSONSchemaProps } from './types.js';

/** A schema error with the path to the node it concerns, for ratcheting. */
export interface SchemaError extends KubeFieldError {
  path: Segment[];
}

export type SchemaValidator = (obj: unknown) => SchemaError[];

const COPIED = ['required', 'enum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf',
  'minProperties', 'maxProperties'] as const;

/** Compiles a CRD version's schema into a validator. */
export function compileSchema(schema: JSONSchemaProps): SchemaValidator {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: false });
  const validate: ValidateFunction = ajv.compile(translate(schema, ajv));
  return (obj) => (validate(obj) ? [] : (validate.errors ?? []).flatMap((e) => describe(e, obj)));
}

/**
 * The JSON Schema ajv checks: OpenAPI's boolean exclusive bounds become draft-07 numeric ones, nullable and
 * int-or-string become type lists, formats kube does not support are dropped (kube strips them too), and patterns
 * JavaScript cannot compile are left out.
 */
function translate(s: JSONSchemaProps, ajv: Ajv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const types = s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : s.type ? [s.type] : [];
  if (types.length && s.nullable) types.push('null');
  if (types.length) out.type = types.length === 1 ? types[0] : types;
  for (const k of COPIED) if (s[k] !== undefined) out[k] = s[k];
  if (typeof s.minimum === 'number') out[s.exclusiveMinimum === true ? 'exclusiveMinimum' : 'minimum'] = s.minimum;
  if (typeof s.maximum === 'number') out[s.exclusiveMaximum === true ? 'exclusiveMaximum' : 'maximum'] = s.maximum;
  if (typeof s.pattern === 'string' && compiles(s.pattern)) out.pattern = s.pattern;
  const check = formatChecker(s.format);
  if (check) {
    if (!ajv.formats[s.format!]) ajv.addFormat(s.format!, { type: 'string', validate: check });
    out.format = s.format;
  }
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, translate(v, ajv)]));
  if (isObject(s.additionalProperties)) out.additionalProperties = translate(s.additionalProperties as JSONSchemaProps, ajv);
  if (s.items) out.items = translate(s.items, ajv);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (s[k]) out[k] = s[k]!.map((sub) => translate(sub, ajv));
  if (s.not) out.not = translate(s.not, ajv);
  return out;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The JSON type kube-openapi names for a decoded value (integral numbers decode to int64: "integer"). */
function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The instance path as segments, list indexes as numbers (told apart by the value they index). */
function segmentsOf(pointer: string, root: unknown): Segment[] {
  const out: Segment[] = [];
  let cur = root;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const seg = Array.isArray(cur) ? Number(token) : token;
    out.push(seg);
    cur = (cur as any)?.[seg];
  }
  return out;
}

/** kube-openapi's path text: members (map keys too) joined by dots, indexes in brackets. */
function pathText(segments: readonly Segment[]): string {
  return renderPath(segments.map((seg) => ({ seg })));
}

/** A bound as kube prints it: cast to the integer the value decoded as, else as a float. */
function bound(limit: number, data: unknown): string {
  return typeof data === 'number' && Number.isInteger(data) ? String(Math.trunc(limit)) : goFloat(limit);
}

const BOUND_WORDS: Record<string, string> = {
  minimum: 'greater than or equal to',
  exclusiveMinimum: 'greater than',
  maximum: 'less than or equal to',
  exclusiveMaximum: 'less than',
};

function describe(e: ErrorObject, root: unknown): SchemaError[] {
  // Branches of anyOf, oneOf and not report through their combinator's own error.
  if (/\/(?:anyOf|oneOf)\/\d+\/|\/not\//.test(e.schemaPath)) return [];
  const path = segmentsOf(e.instancePath, root);
  const name = pathText(path);
  const data = e.data;
  const schema = e.parentSchema as Record<string, unknown>;
  const invalid = (detail: string, badValue: unknown = data): SchemaError[] => [{ type: 'FieldValueInvalid', field: name, badValue, detail, path }];
  switch (e.keyword) {
    case 'type': {
      const expected = [schema.type].flat().filter((t) => t !== 'null') as string[];
      if (data === null) return typeError(path, name, expected.join(','), 'null');
      // kube's type check names the format, and the Go type the value decoded as, for a non-string value in a
      // field with a format; strings and lists in such a field pass it.
      if (typeof schema.format === 'string') {
        if (typeof data === 'string' || Array.isArray(data)) return expected.some((t) => t === 'number' || t === 'integer') ? typeError(path, name, expected.join(','), jsonType(data)) : [];
        return typeError(path, name, schema.format, typeof data === 'number' ? (Number.isInteger(data) ? 'int64' : 'float64') : '');
      }
      return typeError(path, name, expected.join(','), jsonType(data));
    }
    case 'required': {
      const missing = [...path, String(e.params.missingProperty)];
      return [{ type: 'FieldValueRequired', field: pathText(missing), path: missing }];
    }
    case 'enum': {
      const values = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)));
      return [{ type: 'FieldValueNotSupported', field: name, badValue: data, detail: `supported values: ${values.join(', ')}`, path }];
    }
    case 'maxLength': {
      const n = Number(e.params.limit);
      return [{ type: 'FieldValueTooLong', field: name, detail: `may not be more than ${n} ${n === 1 ? 'byte' : 'bytes'}`, path }];
    }
    case 'minLength':
      return invalid(`${name} in body should be at least ${e.params.limit} chars long`);
    case 'pattern':
      return invalid(`${name} in body should match '${e.params.pattern}'`);
    case 'format':
      return [{ type: 'FieldValueTypeInvalid', field: name, badValue: data, detail: `${name} in body must be of type ${e.params.format}: ${JSON.stringify(data)}`, path }];
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return invalid(`${name} in body should be ${BOUND_WORDS[e.keyword]} ${bound(Number(e.params.limit), data)}`);
    case 'multipleOf':
      return invalid(`${name} in body should be a multiple of ${bound(Number(e.params.multipleOf), data)}`);
    case 'maxItems':
    case 'maxProperties': {
      const n = Number(e.params.limit);
      const count = Array.isArray(data) ? data.length : Object.keys(data as object).length;
      return [{ type: 'FieldValueTooMany', field: name, badValue: count, detail: `must have at most ${n} ${n === 1 ? 'item' : 'items'}`, path }];
    }
    case 'minItems':
      return invalid(`${name} in body should have at least ${e.params.limit} items`, (data as unknown[]).length);
    case 'minProperties':
      return invalid(`${name} in body should have at least ${e.params.limit} properties`, Object.keys(data as object).length);
    case 'uniqueItems':
      return invalid(`${name} in body shouldn't contain duplicates`, '');
    // kube reports combinator failures as plain errors, without a field.
    case 'anyOf':
      return [{ type: 'FieldValueInvalid', field: '<nil>', badValue: '', detail: `${JSON.stringify(name)} must validate at least one schema (anyOf)`, path }];
    case 'oneOf': {
      const passing = e.params.passingSchemas as number[] | null;
      const found = passing ? `Found ${passing.length} valid alternatives` : 'Found none valid';
      return [{ type: 'FieldValueInvalid', field: '<nil>', badValue: '', detail: `${JSON.stringify(name)} must validate one and only one schema (oneOf). ${found}`, path }];
    }
    case 'not':
      return [{ type: 'FieldValueInvalid', field: '<nil>', badValue: '', detail: `${JSON.stringify(name)} must not validate the schema (not)`, path }];
    default:
      return invalid(`${name} in body ${e.message ?? 'is invalid'}`);
  }
}

function typeError(path: Segment[], name: string, expected: string, actual: string): SchemaError[] {
  return [{ type: 'FieldValueTypeInvalid', field: name, badValue: actual, detail: `${name} in body must be of type ${expected}: ${JSON.stringify(actual)}`, path }];
}

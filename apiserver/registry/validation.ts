// Object-meta validation as k8s.io/apimachinery/pkg/util/validation and api/validation do it, with kube's texts.
import type { FieldError } from '../errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// Go's len() counts UTF-8 bytes, and JS string lengths count UTF-16 units.
const byteLength = (v: string) => Buffer.byteLength(v);

/** How a kind's object names are validated (kube's ValidateNameFunc per registry strategy). */
export type NameRule = 'subdomain' | 'label' | 'dns1035-label' | 'path-segment';

export function validateName(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'label':
      return dns1123Label(name);
    case 'dns1035-label':
      return dns1035Label(name);
    case 'subdomain':
      return dns1123Subdomain(name);
    case 'path-segment':
      return pathSegmentName(name);
  }
}

export function dns1123Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push('must be no more than 63 characters');
  // A valid subdomain that is no valid label has dots, and kube says just that.
  if (!DNS1123_LABEL.test(v)) errs.push(DNS1123_SUBDOMAIN.test(v) ? 'must not contain dots' : DNS1123_LABEL_MSG);
  return errs;
}

export function dns1035Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(v)) errs.push(DNS1035_LABEL_MSG);
  return errs;
}

export function dns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v)) errs.push(DNS1123_SUBDOMAIN_MSG);
  return errs;
}

function pathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  return pathSegmentPrefix(v);
}

// A prefix may be '.' or '..': the generated suffix makes it a different name.
const pathSegmentPrefix = (v: string) => ['/', '%'].filter((bad) => v.includes(bad)).map((bad) => `may not contain '${bad}'`);

/** kube's ValidateNameFunc with prefix=true, for generateName. */
function validateGenerateName(prefix: string, rule: NameRule): string[] {
  if (rule === 'path-segment') return pathSegmentPrefix(prefix);
  // kube's maskTrailingDash stands in for the suffix: the dash and the character before it become 'a' (a lone '-' stays).
  return validateName(prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix, rule);
}

/**
 * Qualified names already found valid. The objects of a kind carry the same few label, annotation and finalizer keys,
 * and checking them again on every write took 0.7% of the apiserver's CPU and 2% of the simulated members' in a
 * propagation burst. When full it starts again empty, so names that never repeat cannot make it grow.
 */
const validQualifiedNames = new Set<string>();
const MAX_VALID_QUALIFIED_NAMES = 4096;

export function qualifiedName(v: string): string[] {
  if (validQualifiedNames.has(v)) return [];
  const errs = qualifiedNameErrors(v);
  if (errs.length === 0) {
    if (validQualifiedNames.size >= MAX_VALID_QUALIFIED_NAMES) validQualifiedNames.clear();
    validQualifiedNames.add(v);
  }
  return errs;
}

function qualifiedNameErrors(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name = v;
  if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of dns1123Subdomain(prefix)) errs.push(`prefix part ${e}`);
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) errs.push(QUALIFIED_NAME_MSG);
  return errs;
}

export function labelValue(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(v)) errs.push(LABEL_VALUE_MSG);
  return errs;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Validates metadata the way ValidateObjectMeta does; returns field errors (empty when valid). */
export function validateObjectMeta(meta: Record<string, any>, opts: { namespaced: boolean; nameRule: NameRule }): FieldError[] {
  const errs: FieldError[] = [];
  const name = meta.name;
  if (typeof meta.generateName === 'string' && meta.generateName) {
    for (const detail of validateGenerateName(meta.generateName, opts.nameRule))
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.generateName', badValue: meta.generateName, detail });
  }
  if (!name) {
    errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  } else if (typeof name !== 'string') {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', badValue: name, detail: 'must be a string' });
  } else {
    for (const detail of validateName(name, opts.nameRule)) errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', badValue: name, detail });
  }
  if (opts.namespaced) {
    if (!meta.namespace) errs.push({ type: 'FieldValueRequired', field: 'metadata.namespace', detail: '' });
    else for (const detail of dns1123Label(meta.namespace)) errs.push({ type: 'FieldValueInvalid', field: 'metadata.namespace', badValue: meta.namespace, detail });
  } else if (meta.namespace) {
    errs.push({ type: 'FieldValueForbidden', field: 'metadata.namespace', detail: 'not allowed on this type' });
  }
  if (meta.generation !== undefined && (typeof meta.generation !== 'number' || meta.generation < 0))
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.generation', badValue: meta.generation, detail: 'must be greater than or equal to 0' });
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  if (meta.finalizers !== undefined) errs.push(...validateFinalizers(meta.finalizers as unknown[]));
  return errs;
}

/** kube's ValidateFinalizers: qualified names (repeats are allowed), and not both ways of handling dependents. */
function validateFinalizers(finalizers: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  // kube reports every finalizer at the list, without an index.
  const field = 'metadata.finalizers';
  for (const f of finalizers) {
    if (typeof f !== 'string') errs.push({ type: 'FieldValueInvalid', field, badValue: f, detail: 'must be a string' });
    else for (const detail of qualifiedName(f)) errs.push({ type: 'FieldValueInvalid', field, badValue: f, detail });
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion'))
    errs.push({
      type: 'FieldValueInvalid',
      field,
      badValue: finalizers,
      detail: 'finalizer orphan and foregroundDeletion cannot be both set',
    });
  return errs;
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const detail of qualifiedName(k)) errs.push({ type: 'FieldValueInvalid', field, badValue: k, detail });
    if (typeof v !== 'string') errs.push({ type: 'FieldValueInvalid', field, badValue: v, detail: 'must be a string' });
    else for (const detail of labelValue(v)) errs.push({ type: 'FieldValueInvalid', field, badValue: v, detail });
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const detail of qualifiedName(k.toLowerCase())) errs.push({ type: 'FieldValueInvalid', field, badValue: k, detail });
    total += byteLength(k) + (typeof v === 'string' ? byteLength(v) : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
    errs.push({ type: 'FieldValueTooLong', field, detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  return errs;
}

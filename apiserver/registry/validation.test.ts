import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import {
  dns1123Label,
  dns1123Subdomain,
  labelValue,
  qualifiedName,
  validateAnnotations,
  validateLabels,
  validateName,
  validateObjectMeta,
} from './validation.js';

// kube's texts (k8s.io/apimachinery/pkg/util/validation, RegexError with its double space after each example).
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED_3_PARTS_MSG =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const MAX63 = 'must be no more than 63 characters';
const MAX253 = 'must be no more than 253 characters';

const a = (n: number) => 'a'.repeat(n);

test('dns1123Label', () => {
  const cases: [string, string[]][] = [
    ['abc', []],
    ['a', []],
    ['0', []],
    ['0a-b9', []],
    ['a--b', []],
    [a(63), []],
    [a(64), [MAX63]],
    [`${a(63)}-`, [MAX63, LABEL_MSG]],
    ['', [LABEL_MSG]],
    ['-a', [LABEL_MSG]],
    ['a-', [LABEL_MSG]],
    ['A', [LABEL_MSG]],
    ['a_b', [LABEL_MSG]],
    ['a b', [LABEL_MSG]],
  ];
  for (const [v, want] of cases) assert.deepEqual(dns1123Label(v), want, v);
});

test('dns1123Label says a valid subdomain "must not contain dots"', () => {
  assert.deepEqual(dns1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(dns1123Label('my.namespace'), ['must not contain dots']);
});

test('length limits count UTF-8 bytes as Go len() does', () => {
  const e32 = 'é'.repeat(32); // 64 bytes
  assert.deepEqual(dns1123Label(e32), [MAX63, LABEL_MSG]);
  assert.deepEqual(labelValue(e32), [MAX63, LABEL_VALUE_MSG]);
  assert.deepEqual(qualifiedName(e32), ['name part must be no more than 63 characters', NAME_PART_MSG]);
});

test('dns1123Subdomain', () => {
  const cases: [string, string[]][] = [
    ['example.com', []],
    ['a', []],
    ['a.b.c', []],
    ['a-1.b-2', []],
    [`${a(63)}.${a(63)}.${a(63)}.${a(61)}`, []], // 253
    [`${a(63)}.${a(63)}.${a(63)}.${a(62)}`, [MAX253]], // 254
    [`${a(253)}_`, [MAX253, SUBDOMAIN_MSG]],
    ['', [SUBDOMAIN_MSG]],
    ['Example.com', [SUBDOMAIN_MSG]],
    ['a..b', [SUBDOMAIN_MSG]],
    ['.a', [SUBDOMAIN_MSG]],
    ['a.', [SUBDOMAIN_MSG]],
    ['a.-b', [SUBDOMAIN_MSG]],
    ['a_b', [SUBDOMAIN_MSG]],
  ];
  for (const [v, want] of cases) assert.deepEqual(dns1123Subdomain(v), want, v);
});

test('qualifiedName with and without a prefix', () => {
  const cases: [string, string[]][] = [
    ['foo', []],
    ['Foo_bar.baz-1', []],
    ['F', []],
    ['example.com/foo', []],
    ['kubernetes.io/metadata.name', []],
    ['example.com/Foo_Bar', []],
    [a(63), []],
    [a(64), ['name part must be no more than 63 characters']],
    [`${a(63)}_`, ['name part must be no more than 63 characters', NAME_PART_MSG]],
    ['foo_', [NAME_PART_MSG]],
    ['_foo', [NAME_PART_MSG]],
    ['foo bar', [NAME_PART_MSG]],
    ['/foo', ['prefix part must be non-empty']],
    ['Example.com/foo', [`prefix part ${SUBDOMAIN_MSG}`]],
    ['example_com/foo', [`prefix part ${SUBDOMAIN_MSG}`]],
    [`${a(254)}/foo`, [`prefix part ${MAX253}`]],
    ['Example.com/foo_', [`prefix part ${SUBDOMAIN_MSG}`, NAME_PART_MSG]],
    ['a/b/c', [QUALIFIED_3_PARTS_MSG]],
  ];
  for (const [v, want] of cases) assert.deepEqual(qualifiedName(v), want, v);
});

test('qualifiedName answers the same the second time, and after the names found valid have filled its memory', () => {
  const cases: [string, string[]][] = [
    ['example.com/again', []],
    ['again_', [NAME_PART_MSG]],
    ['Example.com/again', [`prefix part ${SUBDOMAIN_MSG}`]],
  ];
  for (const round of [1, 2]) for (const [v, want] of cases) assert.deepEqual(qualifiedName(v), want, `${v}, round ${round}`);
  // More valid names than it remembers: it starts again empty, and still answers.
  for (let i = 0; i < 5000; i++) assert.deepEqual(qualifiedName(`example.com/key-${i}`), []);
  for (const [v, want] of cases) assert.deepEqual(qualifiedName(v), want, `${v}, after 5,000 others`);
});

test('qualifiedName of an empty name part also reports the regex', () => {
  assert.deepEqual(qualifiedName(''), ['name part must be non-empty', NAME_PART_MSG]);
  assert.deepEqual(qualifiedName('example.com/'), ['name part must be non-empty', NAME_PART_MSG]);
  assert.deepEqual(qualifiedName('/'), ['prefix part must be non-empty', 'name part must be non-empty', NAME_PART_MSG]);
});

test('labelValue', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['a', []],
    ['MyValue', []],
    ['my_value', []],
    ['a.b-c_d', []],
    ['12345', []],
    [a(63), []],
    [a(64), [MAX63]],
    [`${a(64)}-`, [MAX63, LABEL_VALUE_MSG]],
    ['-a', [LABEL_VALUE_MSG]],
    ['a-', [LABEL_VALUE_MSG]],
    ['a b', [LABEL_VALUE_MSG]],
    ['a/b', [LABEL_VALUE_MSG]],
  ];
  for (const [v, want] of cases) assert.deepEqual(labelValue(v), want, v);
});

test('validateName dispatches on the rule; path-segment names follow kube path.IsValidPathSegmentName', () => {
  const cases: [string, Parameters<typeof validateName>[1], string[]][] = [
    ['ok', 'label', []],
    ['a.b', 'subdomain', []],
    ['A', 'subdomain', [SUBDOMAIN_MSG]],
    ['system:controller:foo', 'path-segment', []],
    ['Any Thing', 'path-segment', []],
    ['.', 'path-segment', ["may not be '.'"]],
    ['..', 'path-segment', ["may not be '..'"]],
    ['...', 'path-segment', []],
    ['a/b', 'path-segment', ["may not contain '/'"]],
    ['a%b', 'path-segment', ["may not contain '%'"]],
  ];
  for (const [name, rule, want] of cases) assert.deepEqual(validateName(name, rule), want, `${rule}: ${name}`);
});

test('path-segment names report every illegal substring', () => {
  assert.deepEqual(validateName('a/%', 'path-segment'), ["may not contain '/'", "may not contain '%'"]);
});

const ns = { namespaced: true, nameRule: 'subdomain' } as const;
const cluster = { namespaced: false, nameRule: 'subdomain' } as const;

test('validateObjectMeta: name, generateName and namespace rules', () => {
  const cases: [string, Record<string, any>, { namespaced: boolean; nameRule: 'subdomain' | 'label' | 'path-segment' }, FieldError[]][] = [
    ['valid namespaced', { name: 'ok', namespace: 'default' }, ns, []],
    ['valid cluster-scoped', { name: 'ok' }, cluster, []],
    [
      'nothing set',
      {},
      ns,
      [
        { type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' },
        { type: 'FieldValueRequired', field: 'metadata.namespace', detail: '' },
      ],
    ],
    ['empty name', { name: '', namespace: 'x' }, ns, [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]],
    // A generateName that was not turned into a name still fails on the name.
    ['generateName only', { generateName: 'web-', namespace: 'x' }, ns, [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]],
    [
      'bad generateName',
      { generateName: 'Web-', namespace: 'x' },
      ns,
      [
        { type: 'FieldValueInvalid', field: 'metadata.generateName', badValue: 'Web-', detail: SUBDOMAIN_MSG },
        { type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' },
      ],
    ],
    ['bad subdomain name', { name: 'Bad', namespace: 'x' }, ns, [{ type: 'FieldValueInvalid', field: 'metadata.name', badValue: 'Bad', detail: SUBDOMAIN_MSG }]],
    ['label rule', { name: 'a_b' }, { namespaced: false, nameRule: 'label' }, [{ type: 'FieldValueInvalid', field: 'metadata.name', badValue: 'a_b', detail: LABEL_MSG }]],
    ['non-string name', { name: 5, namespace: 'x' }, ns, [{ type: 'FieldValueInvalid', field: 'metadata.name', badValue: 5, detail: 'must be a string' }]],
    ['bad namespace', { name: 'ok', namespace: 'Bad' }, ns, [{ type: 'FieldValueInvalid', field: 'metadata.namespace', badValue: 'Bad', detail: LABEL_MSG }]],
    [
      'namespace too long',
      { name: 'ok', namespace: a(64) },
      ns,
      [{ type: 'FieldValueInvalid', field: 'metadata.namespace', badValue: a(64), detail: MAX63 }],
    ],
    ['namespace on cluster-scoped', { name: 'ok', namespace: 'x' }, cluster, [{ type: 'FieldValueForbidden', field: 'metadata.namespace', detail: 'not allowed on this type' }]],
    ['negative generation', { name: 'ok', generation: -1 }, cluster, [{ type: 'FieldValueInvalid', field: 'metadata.generation', badValue: -1, detail: 'must be greater than or equal to 0' }]],
    ['zero generation', { name: 'ok', generation: 0 }, cluster, []],
  ];
  for (const [label, meta, opts, want] of cases) assert.deepEqual(validateObjectMeta(meta, opts), want, label);
});

test('validateObjectMeta: labels and annotations', () => {
  assert.deepEqual(validateObjectMeta({ name: 'ok', labels: { 'example.com/app': 'web', tier: '' } }, cluster), []);
  assert.deepEqual(validateObjectMeta({ name: 'ok', labels: { foo_: 'v', k: '-bad' } }, cluster), [
    { type: 'FieldValueInvalid', field: 'metadata.labels', badValue: 'foo_', detail: NAME_PART_MSG },
    { type: 'FieldValueInvalid', field: 'metadata.labels', badValue: '-bad', detail: LABEL_VALUE_MSG },
  ]);
  assert.deepEqual(validateLabels({ k: 7 }, 'spec.selector'), [{ type: 'FieldValueInvalid', field: 'spec.selector', badValue: 7, detail: 'must be a string' }]);
  assert.deepEqual(validateLabels(null, 'metadata.labels'), []);
  // Annotation keys are qualified names checked case-insensitively; values are free-form.
  assert.deepEqual(validateAnnotations({ 'Example.com/Some_Key': 'any value: at all', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, 'metadata.annotations'), []);
  assert.deepEqual(validateObjectMeta({ name: 'ok', annotations: { 'bad key': 'v' } }, cluster), [
    { type: 'FieldValueInvalid', field: 'metadata.annotations', badValue: 'bad key', detail: NAME_PART_MSG },
  ]);
  assert.deepEqual(validateAnnotations({ 'Bad.Prefix.COM/x': 'v' }, 'metadata.annotations'), []);
});

test('validateObjectMeta: total annotation size limit of 256 KiB counts keys and values', () => {
  const limit = 256 * 1024;
  assert.deepEqual(validateAnnotations({ k: 'v'.repeat(limit - 1) }, 'metadata.annotations'), []);
  assert.deepEqual(validateAnnotations({ k: 'v'.repeat(limit) }, 'metadata.annotations'), [
    { type: 'FieldValueTooLong', field: 'metadata.annotations', detail: 'must have at most 262144 bytes' },
  ]);
  assert.deepEqual(validateAnnotations({ a: 'v'.repeat(limit / 2), b: 'v'.repeat(limit / 2 - 2) }, 'metadata.annotations'), []);
  assert.equal(validateAnnotations({ a: 'v'.repeat(limit / 2), b: 'v'.repeat(limit / 2 - 1) }, 'metadata.annotations').length, 1);
});

test('annotation size is measured in UTF-8 bytes', () => {
  // 131,072 two-byte characters are 262,144 bytes; with the key that is over the limit.
  assert.equal(validateAnnotations({ k: 'é'.repeat(131072) }, 'metadata.annotations').length, 1);
});

test('validateObjectMeta: finalizer names', () => {
  assert.deepEqual(validateObjectMeta({ name: 'ok', finalizers: ['kubernetes', 'example.com/cleanup', 'foregroundDeletion'] }, cluster), []);
  assert.deepEqual(validateObjectMeta({ name: 'ok', finalizers: ['example.com/ok', 'bad_'] }, cluster), [
    { type: 'FieldValueInvalid', field: 'metadata.finalizers', badValue: 'bad_', detail: NAME_PART_MSG },
  ]);
  assert.deepEqual(validateObjectMeta({ name: 'ok', finalizers: [3] }, cluster), [
    { type: 'FieldValueInvalid', field: 'metadata.finalizers', badValue: 3, detail: 'must be a string' },
  ]);
});

test('duplicate finalizers are accepted as kube accepts them', () => {
  assert.deepEqual(validateObjectMeta({ name: 'ok', finalizers: ['example.com/f', 'example.com/f'] }, cluster), []);
});

test('orphan and foregroundDeletion cannot both be set', () => {
  assert.deepEqual(validateObjectMeta({ name: 'ok', finalizers: ['orphan', 'foregroundDeletion'] }, cluster), [
    {
      type: 'FieldValueInvalid',
      field: 'metadata.finalizers',
      badValue: ['orphan', 'foregroundDeletion'],
      detail: 'finalizer orphan and foregroundDeletion cannot be both set',
    },
  ]);
});

test('the orphan/foregroundDeletion conflict is reported once, whatever the repeats', () => {
  assert.equal(validateObjectMeta({ name: 'ok', finalizers: ['orphan', 'foregroundDeletion', 'orphan'] }, cluster).length, 1);
});

test('validateObjectMeta reports errors in kube order (generation before labels)', () => {
  const errs = validateObjectMeta({ name: 'ok', generation: -1, labels: { foo_: 'v' } }, cluster);
  assert.deepEqual(
    errs.map((e) => e.field),
    ['metadata.generation', 'metadata.labels'],
  );
});

test('generateName is validated even when a name is set', () => {
  assert.deepEqual(validateObjectMeta({ name: 'ok', generateName: 'Bad-', namespace: 'x' }, ns), [
    { type: 'FieldValueInvalid', field: 'metadata.generateName', badValue: 'Bad-', detail: SUBDOMAIN_MSG },
  ]);
});

test('generateName masks its trailing dash the way kube maskTrailingDash does', () => {
  // kube validates "x_-" as "xa".
  assert.deepEqual(validateObjectMeta({ generateName: 'x_-' }, cluster).filter((e) => e.field === 'metadata.generateName'), []);
  const generateNameErrors = (generateName: string, nameRule: 'subdomain' | 'label' | 'path-segment') =>
    validateObjectMeta({ name: 'ok', generateName }, { namespaced: false, nameRule }).map((e) => e.detail);
  // A lone dash is left as it is.
  assert.deepEqual(generateNameErrors('-', 'subdomain'), [SUBDOMAIN_MSG]);
  assert.deepEqual(generateNameErrors('a.b-', 'label'), ['must not contain dots']);
  // Path-segment prefixes may be '.' or '..' (path.IsValidPathSegmentPrefix).
  assert.deepEqual(generateNameErrors('..', 'path-segment'), []);
  assert.deepEqual(generateNameErrors('a/%', 'path-segment'), ["may not contain '/'", "may not contain '%'"]);
});

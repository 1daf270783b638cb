import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../storage/store.js';
import { fieldErrorString, invalid } from '../errors.js';
import type { ScaleSubresource } from '../registry/types.js';
import type { JSONSchemaProps } from './types.js';
import { validator } from './validation.js';

const spec = (properties: Record<string, JSONSchemaProps>, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps =>
  ({ type: 'object', properties: { spec: { type: 'object', properties, ...extra } } });

const widget = (s: unknown): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: s });

/** The messages kube prints for each field error. */
const messages = (schema: JSONSchemaProps, obj: KObject, old?: KObject, scale?: ScaleSubresource) =>
  validator(schema, scale)(obj, old).map(fieldErrorString);

test('wrong types name the expected and the found JSON type', () => {
  const schema = spec({ replicas: { type: 'integer' }, ratio: { type: 'number' }, on: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string' } } });
  assert.deepEqual(messages(schema, widget({ replicas: 'string', ratio: '1', on: 1, tags: ['a', 2.5] })), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    'spec.ratio: Invalid value: "string": spec.ratio in body must be of type number: "string"',
    'spec.on: Invalid value: "integer": spec.on in body must be of type boolean: "integer"',
    'spec.tags[1]: Invalid value: "number": spec.tags[1] in body must be of type string: "number"',
  ]);
  assert.deepEqual(messages(schema, widget({ replicas: 2, ratio: 3 })), [], 'an integer is a number');
});

test('required, enum, length, pattern and bounds read as kube-openapi words them', () => {
  const schema = spec({
    name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
    size: { type: 'string', enum: ['s', 'm'] },
    level: { type: 'integer', enum: [1, 2] },
    replicas: { type: 'integer', minimum: 1, maximum: 10 },
    ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1.5, multipleOf: 0.5 },
  }, { required: ['name', 'size'] });
  assert.deepEqual(messages(schema, widget({ level: 3 })), [
    'spec.name: Required value',
    'spec.size: Required value',
    'spec.level: Unsupported value: 3: supported values: "1", "2"',
  ]);
  assert.deepEqual(messages(schema, widget({ name: 'ABCDEFG', size: 'xl', replicas: 0, ratio: 0 })), [
    'spec.name: Too long: may not be more than 5 bytes',
    "spec.name: Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'",
    'spec.size: Unsupported value: "xl": supported values: "s", "m"',
    'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
    'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
  ]);
  assert.deepEqual(messages(schema, widget({ name: 'a', size: 's', replicas: 11, ratio: 1.25 })), [
    'spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
    'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
    'spec.ratio: Invalid value: 1.25: spec.ratio in body should be a multiple of 0.5',
  ]);
});

test('lists and maps: item counts, int-or-string, nullable and formats', () => {
  const schema = spec({
    items: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
    labels: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
    port: { 'x-kubernetes-int-or-string': true },
    note: { type: 'string', nullable: true },
    at: { type: 'string', format: 'date-time' },
    ip: { type: 'string', format: 'ipv4' },
    free: { type: 'string', format: 'not-a-kube-format' },
  });
  assert.deepEqual(messages(schema, widget({ items: [], port: 80, note: null, at: '2024-01-02T03:04:05Z', ip: '10.0.0.1', free: 'x' })), [
    'spec.items: Invalid value: 0: spec.items in body should have at least 1 items',
  ]);
  assert.deepEqual(messages(schema, widget({ items: ['a', 'b', 'c'], labels: { a: 'x', b: 1 }, port: true, at: 'yesterday', ip: '300.1.1.1' })), [
    'spec.items: Invalid value: 3: must have at most 2 items',
    'spec.labels: Invalid value: 2: must have at most 1 item',
    'spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer"',
    'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    'spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"',
    'spec.ip: Invalid value: "300.1.1.1": spec.ip in body must be of type ipv4: "300.1.1.1"',
  ]);
  // kube's type check names the format and Go's decoded type for a non-string in a formatted field.
  assert.deepEqual(messages(schema, widget({ at: 5 })), ['spec.at: Invalid value: "int64": spec.at in body must be of type date-time: "int64"']);
});

test('the errors make up a 422 with one cause each', () => {
  const err = invalid({ group: 'example.com', kind: 'Widget' }, 'w', validator(spec({ size: { type: 'string', enum: ['s'] } }, { required: ['name'] }))(widget({ size: 'xl' })));
  assert.equal(err.code, 422);
  assert.equal(err.message, 'Widget.example.com "w" is invalid: [spec.name: Required value, spec.size: Unsupported value: "xl": supported values: "s"]');
  assert.deepEqual(err.details?.causes, [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.name' },
    { reason: 'FieldValueNotSupported', message: 'Unsupported value: "xl": supported values: "s"', field: 'spec.size' },
  ]);
});

test('on update, errors in unchanged parts are ratcheted; changed parts are held to the schema', () => {
  const item: JSONSchemaProps = { type: 'string', maxLength: 1 };
  const schema = spec({ name: { type: 'string', maxLength: 3 }, tags: { type: 'array', items: item }, set: { type: 'array', 'x-kubernetes-list-type': 'set', items: item } });
  const old = widget({ name: 'toolong', tags: ['xx'], set: ['xx'] });
  assert.deepEqual(messages(schema, widget({ name: 'toolong', tags: ['xx'], set: ['xx'] }), old), []);
  assert.deepEqual(messages(schema, widget({ name: 'stilltoolong', tags: ['xx'], set: ['xx'] }), old), ['spec.name: Too long: may not be more than 3 bytes']);
  assert.deepEqual(messages(schema, widget({ name: 'toolong', tags: ['xx', 'y'], set: ['xx', 'y'] }), old), [
    'spec.tags[0]: Too long: may not be more than 1 byte',
  ], 'the items of a changed atomic list are checked anew; set items equal to old ones are not');
});

test('list types: set items and map keys must be unique', () => {
  const schema = spec({
    set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'], items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } } },
  });
  assert.deepEqual(messages(schema, widget({ set: ['a', 'b', 'a'], ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }, { port: 81 }] })), [
    'spec.set[2]: Duplicate value: "a"',
    'spec.ports[1]: Duplicate value: {"port":80}',
  ]);
});

test('list types and embedded resources are found deep in lists and maps, past subtrees that have none', () => {
  const tagged: JSONSchemaProps = { type: 'object', properties: { plain: { type: 'array', items: { type: 'string' } }, tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } } };
  const schema = spec({
    before: { type: 'object', properties: { x: { type: 'array', items: { type: 'string' } } } },
    groups: { type: 'object', additionalProperties: { type: 'array', items: tagged } },
    templates: { type: 'array', items: { type: 'object', properties: { object: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } } },
  });
  assert.deepEqual(
    messages(schema, widget({ before: { x: ['a', 'a'] }, groups: { g: [{ plain: ['b', 'b'], tags: ['c'] }, { tags: ['d', 'd'] }] }, templates: [{ object: { apiVersion: 'v1', kind: 'Pod' } }, { object: { apiVersion: 'v1' } }] })),
    ['spec.templates[1].object.kind: Required value: must not be empty', 'spec.groups[g][1].tags[1]: Duplicate value: "d"'],
  );
});

test('embedded resources need apiVersion and kind', () => {
  const schema = spec({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } });
  assert.deepEqual(messages(schema, widget({ template: { apiVersion: 'a/b/c', spec: {} } })), [
    'spec.template.kind: Required value: must not be empty',
    'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
  ]);
  assert.deepEqual(messages(schema, widget({ template: { apiVersion: 'v1', kind: 'Pod' } })), []);
});

test('the scale subresource needs readable replica counts', () => {
  const scale: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };
  const schema: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  assert.deepEqual(messages(schema, { ...widget({ replicas: -1 }), status: { replicas: 'x', selector: 5 } }, undefined, scale), [
    '.spec.replicas: Invalid value: -1: should be a non-negative integer',
    '.status.replicas: Invalid value: 0: .status.replicas accessor error: x is of the type string, expected int64',
    '.status.selector: Invalid value: "": .status.selector accessor error: 5 is of the type int64, expected string',
  ]);
  assert.deepEqual(messages(schema, widget({ replicas: 3 }), undefined, scale), []);
});

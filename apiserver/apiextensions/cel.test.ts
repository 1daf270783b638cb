import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../storage/store.js';
import { fieldErrorString } from '../errors.js';
import { escapeProperty } from './cel.js';
import type { JSONSchemaProps, ValidationRule } from './types.js';
import { validator } from './validation.js';

const withRules = (rules: ValidationRule[], properties: Record<string, JSONSchemaProps> = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', 'x-kubernetes-validations': rules, properties: { replicas: { type: 'integer' }, max: { type: 'integer' }, name: { type: 'string' }, ...properties } } },
});

const widget = (spec: unknown): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
const messages = (schema: JSONSchemaProps, obj: KObject, old?: KObject) => validator(schema)(obj, old).map(fieldErrorString);

test('a failing rule reports its message against the schema type of its node', () => {
  const schema = withRules([{ rule: 'self.replicas <= self.max', message: 'replicas must not exceed max' }]);
  assert.deepEqual(messages(schema, widget({ replicas: 3, max: 5 })), []);
  assert.deepEqual(messages(schema, widget({ replicas: 6, max: 5 })), ['spec: Invalid value: "object": replicas must not exceed max']);
});

test('without a message the rule itself is quoted; messageExpression is evaluated', () => {
  assert.deepEqual(messages(withRules([{ rule: ' self.replicas > 0 ' }]), widget({ replicas: 0 })), ['spec: Invalid value: "object": failed rule: self.replicas > 0']);
  const schema = withRules([{ rule: 'self.replicas <= 10', message: 'too many', messageExpression: "'replicas ' + string(self.replicas) + ' exceeds 10'" }]);
  assert.deepEqual(messages(schema, widget({ replicas: 12 })), ['spec: Invalid value: "object": replicas 12 exceeds 10']);
  const broken = withRules([{ rule: 'self.replicas <= 10', message: 'too many', messageExpression: 'self.missing' }]);
  assert.deepEqual(messages(broken, widget({ replicas: 12 })), ['spec: Invalid value: "object": too many'], 'a failing messageExpression falls back to the message');
});

test('rules on scalars, list items and map values bind self to that value and name its path', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: {
    name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('w-')", message: 'must start with w-' }] },
    list: { type: 'array', items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self % 2 == 0', message: 'must be even' }] } },
    map: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 3', message: 'short' }] } },
  } } } };
  assert.deepEqual(messages(schema, widget({ name: 'x', list: [2, 3], map: { 'a.b': 'long' } })), [
    'spec.name: Invalid value: "string": must start with w-',
    'spec.list[1]: Invalid value: "integer": must be even',
    'spec.map[a.b]: Invalid value: "string": short',
  ]);
});

test('a rule at the root sees apiVersion, kind and metadata.name and reports without a field', () => {
  const schema: JSONSchemaProps = { type: 'object', 'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('w') && self.kind == 'Widget'", message: 'bad root' }], properties: { spec: { type: 'object' } } };
  assert.deepEqual(messages(schema, widget({})), []);
  assert.deepEqual(messages(schema, { ...widget({}), metadata: { name: 'x' } }), ['<nil>: Invalid value: "object": bad root']);
});

test('transition rules run only on update, with oldSelf bound to the old value', () => {
  const schema = withRules([{ rule: 'self.name == oldSelf.name', message: 'name is immutable' }]);
  assert.deepEqual(messages(schema, widget({ name: 'a' })), [], 'no old object: not evaluated');
  assert.deepEqual(messages(schema, widget({ name: 'b' }), widget({ name: 'a' })), ['spec: Invalid value: "object": name is immutable']);
  assert.deepEqual(messages(schema, widget({ name: 'a', replicas: 2 }), widget({ name: 'a' })), []);
});

test('reason and fieldPath choose the error type and field', () => {
  const schema = withRules([
    { rule: 'self.replicas >= 0', message: 'no negatives', reason: 'FieldValueForbidden', fieldPath: '.replicas' },
    { rule: 'has(self.name)', message: 'name is needed', reason: 'FieldValueRequired', fieldPath: '.name' },
  ]);
  assert.deepEqual(messages(schema, widget({ replicas: -1 })), [
    'spec.replicas: Forbidden: no negatives',
    'spec.name: Required value: name is needed',
  ]);
});

test('evaluation errors and rules that do not parse are reported as kube does', () => {
  assert.deepEqual(messages(withRules([{ rule: 'self.max > 1' }]), widget({ replicas: 1 })), [
    'spec: Invalid value: "object": no such key: max evaluating rule: self.max > 1',
  ]);
  assert.deepEqual(messages(withRules([{ rule: 'self.replicas + 1.5 > 0', message: 'mixed' }]), widget({ replicas: 1 })), [
    "spec: Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: mixed",
  ]);
  const [msg] = messages(withRules([{ rule: 'self.replicas >' }]), widget({ replicas: 1 }));
  assert.match(msg, /^spec: Invalid value: "object": rule compile error: /);
});

test('rules are not run while the object has blocking schema errors', () => {
  const schema = withRules([{ rule: 'self.replicas <= 10', message: 'too many' }]);
  assert.deepEqual(messages(schema, widget({ replicas: 'ten' })), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
});

test('failures of unchanged values are ratcheted on update', () => {
  const schema = withRules([{ rule: 'self.replicas <= 10', message: 'too many' }], { other: { type: 'string' } });
  const old = widget({ replicas: 20 });
  assert.deepEqual(messages(schema, { ...widget({ replicas: 20 }), metadata: { name: 'w', labels: { a: 'b' } } }, old), []);
  assert.deepEqual(messages(schema, widget({ replicas: 21 }), old), ['spec: Invalid value: "object": too many']);
});

test('property names are escaped as kube escapes them for CEL', () => {
  assert.equal(escapeProperty('x-y.z/w'), 'x__dash__y__dot__z__slash__w');
  assert.equal(escapeProperty('a__b'), 'a__underscores__b');
  assert.equal(escapeProperty('namespace'), '__namespace__');
  assert.equal(escapeProperty('1abc'), undefined);
  assert.equal(escapeProperty('a b'), undefined);
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.__if__ == self.max__dash__surge', message: 'differ' }], properties: { if: { type: 'integer' }, 'max-surge': { type: 'integer' } } } } };
  assert.deepEqual(messages(schema, widget({ if: 1, 'max-surge': 1 })), []);
  assert.deepEqual(messages(schema, widget({ if: 1, 'max-surge': 2 })), ['spec: Invalid value: "object": differ']);
});

test('rules under allOf apply to the value once, nested ones included', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object',
    properties: { replicas: { type: 'integer' } },
    'x-kubernetes-validations': [{ rule: 'self.replicas > 0', message: 'positive' }],
    allOf: [{ 'x-kubernetes-validations': [{ rule: 'self.replicas < 5', message: 'small' }], properties: { replicas: { 'x-kubernetes-validations': [{ rule: 'self != 3', message: 'not three' }] } } }],
  } } };
  assert.deepEqual(messages(schema, widget({ replicas: 3 })), ['spec.replicas: Invalid value: "integer": not three']);
  assert.deepEqual(messages(schema, widget({ replicas: 0 })), ['spec: Invalid value: "object": positive']);
  assert.deepEqual(messages(schema, widget({ replicas: 7 })), ['spec: Invalid value: "object": small']);
});

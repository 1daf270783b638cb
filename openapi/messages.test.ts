import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cannotBeHandledMessage, duplicateFieldError, goQuote, goUnmarshalTypeError, jsonPatchStrictError, strictDecodingError,
  unknownFieldError, warningHeaderValue } from './messages.js';
import { NumberLiteral, OrderedObject, parseOrdered } from './ordered-json.js';

test('strict create/update errors read exactly as kube', () => {
  const errors = [unknownFieldError('spec.foo'), unknownFieldError('spec.bar'), duplicateFieldError('metadata.name')];
  assert.equal(cannotBeHandledMessage('Deployment', 'v1', 'Deployment', strictDecodingError(errors)),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar", duplicate field "metadata.name"');
  assert.equal(strictDecodingError([jsonPatchStrictError(unknownFieldError('[0].foo'))]), 'strict decoding error: json patch unknown field "[0].foo"');
});

test('Go decode errors with and without struct context', () => {
  assert.equal(goUnmarshalTypeError('string', 'int32', 'DeploymentSpec', 'spec.replicas'),
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(goUnmarshalTypeError('array', 'v1.Deployment'), 'json: cannot unmarshal array into Go value of type v1.Deployment');
});

test('warning header values escape quotes and backslashes only, and drop control characters', () => {
  assert.equal(warningHeaderValue('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
  assert.equal(warningHeaderValue('a\\b'), '299 - "a\\\\b"');
  assert.equal(warningHeaderValue('line 5: key "name" already set in map\nline 6'), undefined);
});

test('goQuote escapes like strconv.Quote', () => {
  assert.equal(goQuote('a"b\\c\nd\u0001'), '"a\\"b\\\\c\\nd\\x01"');
  assert.equal(goQuote('ünïcode'), '"ünïcode"');
});

test('the ordered parser keeps duplicate members and number literals', () => {
  const parsed = parseOrdered('{"a": 1, "a": 2.50, "b": [true, null, "x\\"y"], "c": {}}') as OrderedObject;
  assert.deepEqual(parsed.keys, ['a', 'a', 'b', 'c']);
  assert.deepEqual(parsed.values[1], new NumberLiteral(2.5, '2.50'));
  assert.deepEqual(parsed.values[2], [true, null, 'x"y']);
  assert.throws(() => parseOrdered('{"a": 1,}'), SyntaxError);
  assert.throws(() => parseOrdered('[1] 2'), SyntaxError);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabelAnnotationOverrider } from '../../openapi/karmada/types.js';
import type { Obj } from './jsonpatch.js';
import { applyAnnotationsOverrider, applyLabelsOverrider } from './labels.js';

const obj = (labels?: Record<string, string>): Obj => ({ kind: 'ConfigMap', metadata: { name: 'c', ...(labels && { labels }) } });

test('labelsOverrider adds, replaces and removes labels', () => {
  const cases: [string, Obj, LabelAnnotationOverrider, Obj][] = [
    ['add sets new and existing keys', obj({ a: '1' }), { operator: 'add', value: { a: '2', 'app.kubernetes.io/name': 'web' } }, obj({ a: '2', 'app.kubernetes.io/name': 'web' })],
    ['add creates the map', obj(), { operator: 'add', value: { a: '1' } }, obj({ a: '1' })],
    ['add of nothing does not create the map', obj(), { operator: 'add', value: {} }, obj()],
    ['replace only touches existing keys', obj({ a: '1' }), { operator: 'replace', value: { a: '2', b: '3' } }, obj({ a: '2' })],
    ['remove only touches existing keys', obj({ a: '1', b: '2' }), { operator: 'remove', value: { a: '', c: '' } }, obj({ b: '2' })],
    ['replace without labels changes nothing', obj(), { operator: 'replace', value: { a: '1' } }, obj()],
    ['remove without labels changes nothing', obj(), { operator: 'remove', value: { a: '1' } }, obj()],
  ];
  for (const [name, input, o, want] of cases) {
    const before = structuredClone(input);
    assert.deepEqual(applyLabelsOverrider(input, o), want, name);
    assert.deepEqual(input, before, `${name}: the input is left alone`);
  }
});

test('annotationsOverrider works on annotations', () => {
  const input: Obj = { metadata: { labels: { a: '1' }, annotations: { a: '1' } } };
  assert.deepEqual(applyAnnotationsOverrider(input, { operator: 'replace', value: { a: 'x' } }), { metadata: { labels: { a: '1' }, annotations: { a: 'x' } } });
  assert.deepEqual(applyAnnotationsOverrider(input, { operator: 'remove', value: { a: '' } }), { metadata: { labels: { a: '1' }, annotations: {} } });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet, fieldElement, keyElement, pathString, valueElement, type Path } from './fieldpath.js';

const f = fieldElement;

test('FieldsV1: "." first for a member with children, {} for leaves, elements in kube order', () => {
  const set = FieldSet.of(
    [f('spec'), f('ports'), keyElement({ protocol: 'TCP', port: 80 })],
    [f('spec'), f('ports'), keyElement({ protocol: 'TCP', port: 80 }), f('port')],
    [f('spec'), f('ports'), keyElement({ protocol: 'TCP', port: 8 })],
    [f('metadata'), f('finalizers'), valueElement('b')],
    [f('metadata'), f('finalizers'), valueElement('a')],
    [f('apiVersion')],
  );
  // Keys serialize with their fields sorted by name; 8 sorts before 80 numerically, fields before keys before values.
  assert.equal(JSON.stringify(set.toFieldsV1()),
    '{"f:apiVersion":{},"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}}},' +
    '"f:spec":{"f:ports":{"k:{\\"port\\":8,\\"protocol\\":\\"TCP\\"}":{},"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}}}}}');
});

test('FieldsV1 round-trips, and decoding canonicalizes keys and drops unknown element kinds', () => {
  const wire = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:ports': { 'k:{"protocol":"TCP", "port":80}': { '.': {}, 'f:port': {} }, 'x:future': {} } },
  };
  const set = FieldSet.fromFieldsV1(wire);
  assert.ok(set.has([f('spec'), f('ports'), 'k:{"port":80,"protocol":"TCP"}', f('port')]));
  assert.ok(set.has([f('metadata'), f('labels')]));
  assert.ok(!set.has([f('metadata')]));
  assert.deepEqual(FieldSet.fromFieldsV1(set.toFieldsV1()).toFieldsV1(), set.toFieldsV1());
  assert.deepEqual(set.toFieldsV1()['f:spec'], { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } });
});

test('set operations: difference keeps subtrees of removed members, recursiveDifference does not', () => {
  const a = FieldSet.of([f('a'), f('b')], [f('a'), f('c')], [f('a')], [f('d')]);
  const b = FieldSet.of([f('a')]);
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:a': { 'f:b': {}, 'f:c': {} }, 'f:d': {} });
  assert.deepEqual(a.recursiveDifference(b).toFieldsV1(), { 'f:d': {} });
  assert.deepEqual(a.intersection(FieldSet.of([f('a'), f('c')], [f('x')])).toFieldsV1(), { 'f:a': { 'f:c': {} } });
  assert.ok(a.difference(a).empty);
  assert.deepEqual(b.union(FieldSet.of([f('a'), f('z')])).toFieldsV1(), { 'f:a': { '.': {}, 'f:z': {} } });
});

test('paths print the way kube names fields in conflicts', () => {
  const p: Path = [f('spec'), f('containers'), keyElement({ name: 'web' }), f('image')];
  assert.equal(pathString(p), '.spec.containers[name="web"].image');
  assert.equal(pathString([f('metadata'), f('finalizers'), valueElement('x')]), '.metadata.finalizers[="x"]');
  assert.equal(pathString([f('ports'), keyElement({ protocol: 'UDP', port: 53 })]), '.ports[port=53,protocol="UDP"]');
  assert.deepEqual(FieldSet.of([f('b'), f('x')], [f('a')], [f('b')]).paths().map(pathString), ['.a', '.b', '.b.x']);
});

test('key and value elements escape HTML characters as Go does', () => {
  assert.equal(valueElement('<a&b>'), 'v:"\\u003ca\\u0026b\\u003e"');
  assert.equal(keyElement({ name: 'x' }), 'k:{"name":"x"}');
});

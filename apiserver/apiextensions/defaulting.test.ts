import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../storage/store.js';
import { normalizer } from './defaulting.js';
import type { JSONSchemaProps } from './types.js';

const normalized = (schema: JSONSchemaProps, obj: KObject): KObject => {
  const copy = structuredClone(obj);
  normalizer(schema)(copy);
  return copy;
};

const typeMeta = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };

test('unknown fields are pruned at every level; apiVersion, kind and metadata of the object stay', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'string' }, list: { type: 'array', items: { type: 'object', properties: { a: { type: 'integer' } } } } } } } };
  assert.deepEqual(
    normalized(schema, { ...typeMeta, spec: { size: 's', extra: 1, list: [{ a: 1, b: 2 }] }, status: { x: 1 }, top: true }),
    { ...typeMeta, spec: { size: 's', list: [{ a: 1 }] } },
  );
});

test('x-kubernetes-preserve-unknown-fields keeps unknown fields but still prunes inside known ones', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } } } };
  assert.deepEqual(
    normalized(schema, { ...typeMeta, spec: { anything: { deep: [1] }, known: { a: 'x', b: 'pruned' } } }),
    { ...typeMeta, spec: { anything: { deep: [1] }, known: { a: 'x' } } },
  );
});

test('maps keep their keys and prune inside their values; an embedded resource keeps its type and object meta', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: {
    labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
    template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: {} } } },
  } };
  assert.deepEqual(
    normalized(schema, { ...typeMeta, labels: { a: { v: '1', w: '2' } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { x: 1 }, other: 1 } }),
    { ...typeMeta, labels: { a: { v: '1' } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } },
  );
});

test("fields outside ObjectMeta are dropped from the object's metadata, its own fields kept", () => {
  const obj = { ...typeMeta, metadata: { name: 'w', labels: { a: 'b' }, finalizers: ['f'], unknownField: 1 } };
  assert.deepEqual(normalized({ type: 'object' }, obj).metadata, { name: 'w', labels: { a: 'b' }, finalizers: ['f'] });
});

test('defaults apply where the parent object exists, nested ones included, and inside defaulted values', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: {
    replicas: { type: 'integer', default: 1 },
    strategy: { type: 'object', default: {}, properties: { type: { type: 'string', default: 'Rolling' } } },
    optional: { type: 'object', properties: { depth: { type: 'integer', default: 3 } } },
    ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } } },
  } } } };
  assert.deepEqual(normalized(schema, { ...typeMeta }), { ...typeMeta }, 'no spec, nothing to default into');
  assert.deepEqual(
    normalized(schema, { ...typeMeta, spec: { ports: [{}, { protocol: 'UDP' }] } }).spec,
    { replicas: 1, strategy: { type: 'Rolling' }, ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }] },
  );
  assert.deepEqual(normalized(schema, { ...typeMeta, spec: { optional: {}, replicas: 5 } }).spec, { replicas: 5, optional: { depth: 3 }, strategy: { type: 'Rolling' } });
});

test('nulls: dropped when not nullable, defaulted when there is a default, kept when nullable', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: {
    plain: { type: 'string' },
    withDefault: { type: 'string', default: 'd' },
    nullable: { type: 'string', nullable: true },
    map: { type: 'object', additionalProperties: { type: 'string', default: 'v' } },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
  } } } };
  assert.deepEqual(
    normalized(schema, { ...typeMeta, spec: { plain: null, withDefault: null, nullable: null, map: { a: null }, free: { known: null, unknown: null, deep: { x: null } } } }).spec,
    { withDefault: 'd', nullable: null, map: { a: 'v' }, free: { unknown: null, deep: { x: null } } },
    'where no schema reaches, nulls stay',
  );
});

test('a default is a copy: defaulted objects do not share it', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', default: { list: [] }, properties: { list: { type: 'array', items: { type: 'string' } } } } } };
  const normalize = normalizer(schema);
  const a: KObject = { ...typeMeta };
  const b: KObject = { ...typeMeta };
  normalize(a);
  normalize(b);
  a.spec.list.push('x');
  assert.deepEqual(b.spec, { list: [] });
  assert.deepEqual(schema.properties!.spec.default, { list: [] });
});

test('items of a list under x-kubernetes-preserve-unknown-fields keep their unknown fields', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: {
    free: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'object', properties: { a: { type: 'string' } } } },
    strict: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
  } } } };
  assert.deepEqual(
    normalized(schema, { ...typeMeta, spec: { free: [{ a: 'x', b: 1 }], strict: [{ a: 'x', b: 1 }] } }).spec,
    { free: [{ a: 'x', b: 1 }], strict: [{ a: 'x' }] },
  );
});

test('metadata is coerced and defaults applied however deep their schema is, beside subtrees that have neither', () => {
  // What the walks skip is decided per schema node: an embedded resource in a list in a map, and a default in a
  // map's values in a list, are each reached past siblings with nothing of the kind under them.
  const plain = { type: 'object', properties: { s: { type: 'string' }, n: { type: 'array', items: { type: 'integer' } } } } as JSONSchemaProps;
  const schema: JSONSchemaProps = { type: 'object', properties: {
    before: plain,
    byName: { type: 'object', additionalProperties: { type: 'array', items: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } },
    rules: { type: 'array', items: { type: 'object', additionalProperties: { type: 'object', properties: { mode: { type: 'string', default: 'auto' } } } } },
    after: plain,
  } };
  const out = normalized(schema, {
    ...typeMeta,
    before: { s: 'x', n: [1] },
    byName: { a: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', bogus: 1 }, data: { k: 'v' } }] },
    rules: [{ r1: {}, r2: { mode: 'manual' } }],
    after: { s: 'y' },
  });
  assert.deepEqual(out.byName, { a: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } }] });
  assert.deepEqual(out.rules, [{ r1: { mode: 'auto' }, r2: { mode: 'manual' } }]);
  assert.deepEqual([out.before, out.after], [{ s: 'x', n: [1] }, { s: 'y' }]);
});

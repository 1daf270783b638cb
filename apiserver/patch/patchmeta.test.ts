import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchSchema } from './patchmeta.js';

// kube's own OpenAPI v3 documents wrap references as allOf: [{$ref}] with the patch facts beside them; the generated
// built-in schemas inline the $ref instead. Both must resolve.
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const components: Record<string, object> = {
  Root: {
    properties: {
      spec: { allOf: [ref('Spec')], default: {} },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      byName: { type: 'object', additionalProperties: ref('Spec') },
    },
  },
  Spec: {
    properties: {
      items: { type: 'array', items: { allOf: [ref('Item')] }, 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'id' },
      tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
    },
  },
  Item: { properties: { id: { type: 'string' } } },
};
const root = PatchSchema.named({ get: (name) => components[name] }, 'Root');

test('patch meta: facts of a list field behind allOf', () => {
  const { schema, meta } = root.field('spec').schema.listField('items');
  assert.deepEqual(meta, { strategies: ['merge', 'retainKeys'], mergeKey: 'id' });
  assert.equal(schema.kindName(), 'struct');
});

test('patch meta: primitive list elements name their Go kind', () => {
  const { schema, meta } = root.field('spec').schema.listField('tags');
  assert.deepEqual(meta, { strategies: ['merge'], mergeKey: '' });
  assert.equal(schema.kindName(), 'string');
});

test('patch meta: any key of a map has the map\'s value schema', () => {
  assert.equal(root.field('labels').schema.field('whatever').schema.kindName(), 'string');
  assert.equal(root.field('byName').schema.field('a').schema.listField('items').meta.mergeKey, 'id');
});

test('patch meta: an unknown field has no facts below it', () => {
  const unknown = root.field('nope').schema;
  assert.deepEqual(unknown.listField('items').meta, { strategies: [], mergeKey: '' });
  assert.equal(unknown.kindName(), 'interface');
});

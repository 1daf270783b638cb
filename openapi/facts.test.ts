import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extractFacts, stableStringify, type Schema, type SwaggerV2 } from './facts.js';
import { BUILTIN_SCHEMAS_FILE, loadBuiltinSchemas } from './schemas.js';

const swagger: SwaggerV2 = {
  definitions: {
    'io.k8s.api.demo.v1.Widget': {
      description: 'A widget.',
      type: 'object',
      properties: {
        metadata: { description: 'meta', $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
        description: { description: 'a field named description', type: 'string' },
        ports: {
          type: 'array',
          items: { $ref: '#/definitions/io.k8s.api.demo.v1.Port' },
          'x-kubernetes-patch-merge-key': 'port',
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port'],
          'x-kubernetes-validations': [{ rule: 'self.size() > 0', message: 'prose' }],
        },
      },
      'x-kubernetes-group-version-kind': [{ group: 'demo', version: 'v1', kind: 'Widget' }],
    },
    'io.k8s.api.demo.v1.Port': { type: 'object', required: ['port'], properties: { port: { type: 'integer', format: 'int32' }, target: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' } } },
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string', default: '' } } } },
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { description: 'x', type: 'string', format: 'int-or-string' },
    'io.k8s.api.demo.v1.Unused': { type: 'object' },
  },
};

/** Schema keywords (not property names) anywhere below `node`. */
function keywords(node: Schema, out = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(node)) {
    out.add(key);
    if (key === 'properties') for (const sub of Object.values(value as Record<string, Schema>)) keywords(sub, out);
    else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object') keywords(value as Schema, out);
    else if (key === 'allOf' || key === 'oneOf' || key === 'anyOf') for (const sub of value as Schema[]) keywords(sub, out);
  }
  return out;
}

test('extractFacts keeps the referenced closure, drops prose and unlisted keywords, rewrites refs to v3', () => {
  const facts = extractFacts(swagger, [{ group: 'demo', version: 'v1', kind: 'Widget' }], []);
  assert.deepEqual(Object.keys(facts).sort(), [
    'io.k8s.api.demo.v1.Port', 'io.k8s.api.demo.v1.Widget',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  ]);
  const widget = facts['io.k8s.api.demo.v1.Widget'];
  assert.equal(widget.description, undefined);
  const props = widget.properties as Record<string, Schema>;
  assert.deepEqual(props.description, { type: 'string' }, 'a property called description stays, its prose goes');
  assert.deepEqual(props.metadata, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
  assert.deepEqual(props.ports, {
    type: 'array',
    items: { $ref: '#/components/schemas/io.k8s.api.demo.v1.Port' },
    'x-kubernetes-patch-merge-key': 'port',
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['port'],
  });
  assert.deepEqual(facts['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties, { labels: { type: 'object', additionalProperties: { type: 'string', default: '' } } });
  assert.deepEqual(facts['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
});

test('extractFacts fails loudly on a kind the document does not have', () => {
  assert.throws(() => extractFacts(swagger, [{ group: 'demo', version: 'v1', kind: 'Gadget' }], []), /demo\/v1\/Gadget/);
});

const committed = loadBuiltinSchemas();

test('the committed built-in schemas carry no descriptions and only fact keywords', () => {
  const allowed = new Set(['type', 'format', 'properties', 'items', 'additionalProperties', 'required', 'enum', '$ref',
    'allOf', 'oneOf', 'default', 'x-kubernetes-group-version-kind', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy',
    'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-unions']);
  const seen = new Set<string>();
  for (const schema of Object.values(committed.schemas)) keywords(schema, seen);
  assert.ok(!seen.has('description'));
  assert.deepEqual([...seen].filter((k) => !allowed.has(k)), []);
});

test('the committed Deployment schema has its GVK and the strategic-merge facts of containers', () => {
  const deployment = committed.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const containers = (committed.schemas['io.k8s.api.core.v1.PodSpec'].properties as Record<string, Schema>).containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.ok(committed.schemas['io.k8s.api.apps.v1.DeploymentList']);
  assert.ok(committed.schemas['io.k8s.api.autoscaling.v1.Scale']);
});

test('the committed file is in its canonical (sorted, regenerable) form', () => {
  const text = readFileSync(BUILTIN_SCHEMAS_FILE, 'utf8');
  assert.equal(text, stableStringify(JSON.parse(text), 1) + '\n');
});

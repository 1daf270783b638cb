import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from '../errors.js';
import { definitionName } from './openapi.js';
import { registrationFor } from './resources.js';
import type { CustomResourceDefinition, JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = { type: 'object', properties: {
  spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, color: { type: 'string' }, port: { 'x-kubernetes-int-or-string': true },
    template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } },
  status: { type: 'object', properties: { replicas: { type: 'integer' } } },
} };

const crd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Cluster',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, selectableFields: [{ jsonPath: '.spec.color' }],
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: schema } },
      { name: 'v1alpha1', served: false, storage: false },
    ],
  },
};
const names = { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all'] };

test('one resource per served version; other versions are stored as the storage version', () => {
  const { resources } = registrationFor(crd, names, { terminating: false });
  assert.deepEqual(resources.map((rt) => [rt.version, rt.storageVersion]), [['v1', undefined], ['v1beta1', 'stable.example.com/v1']]);
  const [v1, beta] = resources;
  assert.deepEqual(
    { group: v1.group, kind: v1.kind, listKind: v1.listKind, plural: v1.plural, singular: v1.singular, shortNames: v1.shortNames, categories: v1.categories, namespaced: v1.namespaced, custom: v1.custom },
    { group: 'stable.example.com', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', shortNames: ['wd'], categories: ['all'], namespaced: false, custom: true },
  );
  assert.deepEqual(v1.subresources, { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });
  assert.equal(beta.subresources, undefined);
  assert.equal(v1.fieldSelectors!['spec.color']({ spec: { color: 'red' } }), 'red');
  assert.equal(v1.schemaRef, 'com.example.stable.v1.Widget');
  assert.equal(beta.schemaRef, 'com.example.stable.v1beta1.Widget');
});

test('the hooks default and validate with the version schema, and refuse creates once terminating', () => {
  const state = { terminating: false };
  const [v1] = registrationFor(crd, names, state).resources;
  const obj = { apiVersion: 'stable.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { extra: 1 } };
  v1.hooks!.normalize!(obj);
  assert.deepEqual(obj.spec, { replicas: 1 });
  assert.deepEqual(v1.hooks!.validate!({ ...obj, spec: { replicas: 'x' } }).map((e) => e.field), ['spec.replicas', '.spec.replicas'], 'schema, then scale');
  state.terminating = true;
  assert.throws(() => v1.hooks!.validate!(obj), (err: unknown) => err instanceof APIError && err.code === 405 &&
    err.message === 'create not allowed while custom resource definition is terminating');
  assert.deepEqual(v1.hooks!.validate!(obj, obj), [], 'updates are still allowed');
});

test('the OpenAPI schemas carry type and object meta, the GVK, and a list schema', () => {
  const { schemas } = registrationFor(crd, names, { terminating: false });
  assert.deepEqual(Object.keys(schemas).sort(), ['com.example.stable.v1.Widget', 'com.example.stable.v1.WidgetList', 'com.example.stable.v1beta1.Widget', 'com.example.stable.v1beta1.WidgetList']);
  const kind = schemas['com.example.stable.v1.Widget'] as any;
  assert.deepEqual(kind['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'Widget', version: 'v1' }]);
  assert.deepEqual(kind.properties.metadata, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
  assert.deepEqual(kind.properties.apiVersion, { type: 'string' });
  assert.deepEqual(kind.properties.spec.properties.port.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  const template = kind.properties.spec.properties.template;
  assert.deepEqual(template.required, ['kind', 'apiVersion']);
  assert.ok(template.properties.metadata.$ref);
  const list = schemas['com.example.stable.v1.WidgetList'] as any;
  assert.deepEqual(list.properties.items, { type: 'array', items: { $ref: '#/components/schemas/com.example.stable.v1.Widget' } });
  assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'WidgetList', version: 'v1' }]);
  assert.equal(schema.properties!.spec.properties!.port.anyOf, undefined, "the CRD's own schema is left as it was");
  assert.equal(definitionName('a.b.c', 'v2', 'K'), 'c.b.a.v2.K');
});

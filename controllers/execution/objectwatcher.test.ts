import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../overrides/jsonpatch.js';
import { conflictMessage, covers, isManaged, markedManifest, overwrites, unmarkedManifest } from './objectwatcher.js';
import { ResourceMapper, resourcePath } from './rest.js';
import type { RESTClient } from '../runtime/rest.js';

const coverage: [string, unknown, unknown, boolean][] = [
  ['equal scalars', 1, 1, true],
  ['different scalars', 1, 2, false],
  ['member defaults added to the object', { spec: { replicas: 2, strategy: { type: 'RollingUpdate' } } }, { spec: { replicas: 2 } }, true],
  ['a field of the manifest changed', { spec: { replicas: 5 } }, { spec: { replicas: 2 } }, false],
  ['a field of the manifest removed', { spec: {} }, { spec: { replicas: 2 } }, false],
  ['list elements covered one by one', { c: [{ name: 'a', image: 'x', pull: 'Always' }] }, { c: [{ name: 'a', image: 'x' }] }, true],
  ['a list element added in the member', { c: [{ name: 'a' }, { name: 'b' }] }, { c: [{ name: 'a' }] }, false],
  ['a list where an object is expected', { c: [] }, { c: {} }, false],
  ['undefined fields of the manifest are not required', {}, { a: undefined }, true],
];

test('covers', () => {
  for (const [name, observed, desired, want] of coverage) assert.equal(covers(observed, desired), want, name);
});

test('markedManifest marks the object as Karmada’s and names its Work; unmarkedManifest takes every mark off', () => {
  const manifest: Obj = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'c',
      labels: { app: 'a', 'propagationpolicy.karmada.io/permanent-id': 'p', 'resourcebinding.karmada.io/permanent-id': 'b' },
      annotations: { note: 'n', 'work.karmada.io/name': 'from-binding', 'resourcetemplate.karmada.io/managed-labels': 'app' },
    },
  };
  const before = structuredClone(manifest);
  const marked = markedManifest(manifest, { namespace: 'karmada-es-m1', name: 'by-hand' });
  assert.equal(isManaged(marked), true);
  assert.equal(marked.metadata.annotations['work.karmada.io/namespace'], 'karmada-es-m1');
  assert.equal(marked.metadata.annotations['work.karmada.io/name'], 'from-binding', 'the binding controller’s annotation wins');
  assert.deepEqual(manifest, before, 'the manifest itself is not modified');
  assert.deepEqual(unmarkedManifest(marked).metadata, { name: 'c', labels: { app: 'a' }, annotations: { note: 'n' } });
});

test('overwrites: the manifest’s conflict resolution, else the Work’s', () => {
  const m = (value?: string): Obj => ({ metadata: value ? { annotations: { 'work.karmada.io/conflict-resolution': value } } : {} });
  const table: [Obj, Record<string, string> | undefined, boolean][] = [
    [m(), undefined, false],
    [m('overwrite'), undefined, true],
    [m('abort'), { 'work.karmada.io/conflict-resolution': 'overwrite' }, false],
    [m(), { 'work.karmada.io/conflict-resolution': 'overwrite' }, true],
  ];
  for (const [manifest, annotations, want] of table) assert.equal(overwrites(manifest, annotations), want, JSON.stringify([manifest, annotations]));
});

test('conflictMessage is Karmada’s', () => {
  assert.equal(
    conflictMessage({ kind: 'ClusterRole', metadata: { name: 'r' } }, 'm1'),
    'resource(kind=ClusterRole, /r) already exists in the cluster m1 and the work.karmada.io/conflict-resolution strategy value is empty, Karmada will not manage this resource',
  );
});

test('resourcePath', () => {
  const deployments = { plural: 'deployments', namespaced: true };
  assert.equal(resourcePath('apps/v1', deployments, 'ns', 'web'), '/apis/apps/v1/namespaces/ns/deployments/web');
  assert.equal(resourcePath('apps/v1', deployments, undefined), '/apis/apps/v1/deployments');
  assert.equal(resourcePath('v1', { plural: 'namespaces', namespaced: false }, 'ignored', 'ns'), '/api/v1/namespaces/ns');
});

test('ResourceMapper reads discovery once, and again for a kind it did not find (not more often than asked)', async () => {
  const requests: string[] = [];
  let resources = [{ name: 'deployments', kind: 'Deployment', namespaced: true }, { name: 'deployments/status', kind: 'Deployment', namespaced: true }];
  const rest: RESTClient = {
    async request(_method, path) {
      requests.push(path);
      return { resources };
    },
    send: async () => assert.fail('discovery writes nothing'),
    raw: async () => assert.fail('discovery reads objects'),
  };
  const mapper = new ResourceMapper(rest, 0);
  assert.deepEqual(await mapper.resolve('apps/v1', 'Deployment'), { plural: 'deployments', namespaced: true });
  await mapper.resolve('apps/v1', 'Deployment');
  assert.deepEqual(requests, ['/apis/apps/v1']);
  await assert.rejects(mapper.resolve('apps/v1', 'Widget'), /no matches for kind "Widget" in version "apps\/v1"/);
  resources = [...resources, { name: 'widgets', kind: 'Widget', namespaced: false }];
  assert.deepEqual(await mapper.resolve('apps/v1', 'Widget'), { plural: 'widgets', namespaced: false });
  assert.equal(requests.length, 3);

  const patient = new ResourceMapper(rest, 60_000);
  await patient.resolve('apps/v1', 'Deployment');
  await assert.rejects(patient.resolve('apps/v1', 'Gadget'));
  assert.equal(requests.length, 4, 'a fresh discovery is not read again');
});

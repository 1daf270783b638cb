import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from './errors.js';
import { BUILTIN_RESOURCES } from './registry/builtin.js';
import type { ResourceType } from './registry/types.js';
import { buildTable, parseIncludeObject, tableColumnsFor } from './tables.js';

const deployments = BUILTIN_RESOURCES.find((r) => r.plural === 'deployments')!;
const roles = BUILTIN_RESOURCES.find((r) => r.plural === 'roles')!;
const widget: ResourceType = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', singular: 'widget', namespaced: true };

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '42', creationTimestamp: new Date(Date.now() - 7500).toISOString(), labels: { app: 'web' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  status: { readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
};

type Table = { kind: string; apiVersion: string; metadata: object; columnDefinitions: any[] | null; rows: { cells: unknown[]; object: any }[] };
const table = (...args: Parameters<typeof buildTable>) => buildTable(...args) as Table;

test('a list prints as a meta.k8s.io/v1 Table with column definitions, cells and list metadata', () => {
  const t = table(deployments, [deployment], {}, { resourceVersion: '50', continue: 'abc', remainingItemCount: 3 });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(Object.keys(t), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  assert.deepEqual(t.metadata, { resourceVersion: '50', continue: 'abc', remainingItemCount: 3 });
  assert.deepEqual(t.columnDefinitions![0], { name: 'Name', type: 'string', format: 'name', description: '', priority: 0 });
  assert.deepEqual(
    t.columnDefinitions!.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]],
  );
  assert.deepEqual(t.rows[0].cells, ['web', '2/2', 2, 2, '7s', 'nginx', 'nginx', 'app=web']);
});

test('includeObject decides what each row carries', () => {
  const metadata = table(deployments, [deployment]).rows[0].object;
  assert.deepEqual(metadata, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: deployment.metadata });
  assert.deepEqual(table(deployments, [deployment], { includeObject: 'Metadata' }).rows[0].object, metadata);
  assert.equal(table(deployments, [deployment], { includeObject: 'Object' }).rows[0].object, deployment);
  const none = table(deployments, [deployment], { includeObject: 'None' }).rows[0];
  assert.ok('object' in none);
  assert.equal(none.object, null);
});

test('noHeaders leaves the column definitions null but keeps every cell', () => {
  const t = table(deployments, [deployment], { noHeaders: true });
  assert.equal(t.columnDefinitions, null);
  assert.equal(t.rows[0].cells.length, 8);
});

test('an empty list still has rows and empty list metadata', () => {
  const t = table(deployments, [], {}, {});
  assert.deepEqual(t.rows, []);
  assert.deepEqual(t.metadata, {});
  assert.equal(t.columnDefinitions!.length, 8);
});

test('a single object\'s Table carries its resourceVersion', () => {
  assert.deepEqual(table(deployments, [deployment]).metadata, { resourceVersion: '42' });
  assert.deepEqual(table(deployments, [deployment], {}, { resourceVersion: '50' }).metadata, { resourceVersion: '50' });
});

test('a v1beta1 Table versions its rows\' PartialObjectMetadata too', () => {
  const t = table(deployments, [deployment], { version: 'v1beta1' });
  assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
  assert.equal(t.rows[0].object.apiVersion, 'meta.k8s.io/v1beta1');
});

test('kinds without printer columns get Name and Age; printer-less built-ins keep kube Created At', () => {
  const obj = { metadata: { name: 'w', creationTimestamp: new Date(Date.now() - 3 * 3_600_000 - 500).toISOString() } };
  const t = table(widget, [obj]);
  assert.deepEqual(t.columnDefinitions!.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Age', 'date', '']]);
  assert.deepEqual(t.rows[0].cells, ['w', '3h']);
  assert.equal(tableColumnsFor(widget).length, 2);

  const r = table(roles, [{ metadata: { name: 'reader', creationTimestamp: '2024-02-03T04:05:06Z' } }]);
  assert.deepEqual(r.columnDefinitions!.map((c) => [c.name, c.type]), [['Name', 'string'], ['Created At', 'date']]);
  assert.deepEqual(r.rows[0].cells, ['reader', '2024-02-03T04:05:06Z']);
});

test('a missing cell value is sent as null, as Go sends a nil interface', () => {
  const rt: ResourceType = { ...widget, columns: [{ name: 'Name', type: 'string', format: 'name', priority: 0, cell: () => undefined }] };
  assert.deepEqual(table(rt, [{}]).rows[0].cells, [null]);
});

test('parseIncludeObject accepts kube values and rejects the rest with a 400', () => {
  assert.equal(parseIncludeObject(undefined), 'Metadata');
  assert.equal(parseIncludeObject(''), 'Metadata');
  for (const v of ['None', 'Metadata', 'Object'] as const) assert.equal(parseIncludeObject(v), v);
  assert.throws(
    () => parseIncludeObject('object'),
    (err: unknown) => err instanceof APIError && err.code === 400 && err.message === 'unrecognized includeObject value: "object"',
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore } from '../../storage/leveldb.js';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import { Registry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { compareKubeVersions, Discovery, type CachedDocument } from './discovery.js';

const ALL_VERBS_SORTED = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUB_VERBS = ['get', 'patch', 'update'];

function builtin(group: string, kind: string): ResourceType {
  const rt = BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === kind && !r.storageVersion);
  assert.ok(rt, `${group}/${kind} is built in`);
  return rt;
}

const widget = (version: string): ResourceType => ({
  group: 'example.io',
  version,
  kind: 'Widget',
  plural: 'widgets',
  singular: 'widget',
  namespaced: false,
  verbs: ['get', 'list', 'watch'],
});

/** A registry over a throwaway LevelDB store; everything is closed and removed afterwards. */
async function withRegistry(rts: ResourceType[], fn: (registry: Registry, discovery: Discovery) => Promise<void> | void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-discovery-'));
  const store = await LevelStore.open(dir);
  try {
    const registry = new Registry(store);
    registry.add(...rts);
    await fn(registry, new Discovery(registry));
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const body = (doc: CachedDocument | undefined): any => {
  assert.ok(doc, 'document exists');
  return JSON.parse(doc.body);
};

const STANDARD = () => [builtin('', 'ConfigMap'), builtin('', 'Namespace'), builtin('apps', 'Deployment'), widget('v1beta1'), widget('v1'), widget('v2alpha1')];

test('compareKubeVersions sorts like kube CompareKubeAwareVersionStrings', () => {
  // The case from k8s.io/apimachinery/pkg/version/helpers_test.go.
  const input = ['v1', 'v2', 'foo10', 'v3', 'v10', 'foo1', 'v11alpha2', 'v10alpha1', 'v11beta2', 'v10beta3', 'v12alpha1'];
  const want = ['v10', 'v3', 'v2', 'v1', 'v11beta2', 'v10beta3', 'v12alpha1', 'v11alpha2', 'v10alpha1', 'foo1', 'foo10'];
  assert.deepEqual([...input].sort(compareKubeVersions), want);
  assert.deepEqual([...want].reverse().sort(compareKubeVersions), want);
  const pairs: [string, string, '<' | '>' | '='][] = [
    ['v2', 'v1', '<'], // negative: the first sorts first
    ['v1', 'v11alpha2', '<'],
    ['v1', 'v1beta1', '<'],
    ['v1beta2', 'v1beta1', '<'],
    ['v1beta1', 'v2alpha1', '<'],
    ['v2beta1', 'v1beta2', '<'],
    ['v1alpha1', 'v1', '>'],
    ['v1', 'foo', '<'],
    ['v1alpha', 'v1alpha1', '>'], // "v1alpha" is not kube-like
    ['v1', 'v1', '='],
    ['foo', 'foo', '='],
    ['bar', 'foo', '<'],
  ];
  for (const [a, b, rel] of pairs) {
    const c = compareKubeVersions(a, b);
    assert.equal(rel === '<' ? c < 0 : rel === '>' ? c > 0 : c === 0, true, `${a} ${rel} ${b} (got ${c})`);
    assert.equal(Math.sign(compareKubeVersions(b, a)) + Math.sign(c), 0, `antisymmetric: ${a}, ${b}`);
  }
});

test('legacy APIResourceList lists resources and their subresources', () =>
  withRegistry(STANDARD(), (_registry, discovery) => {
    const core = body(discovery.apiResourceList('', 'v1'));
    assert.equal(core.kind, 'APIResourceList');
    assert.equal(core.apiVersion, 'v1');
    assert.equal(core.groupVersion, 'v1');
    const byName = new Map<string, any>(core.resources.map((r: any) => [r.name, r]));
    assert.deepEqual([...byName.keys()].sort(), ['configmaps', 'namespaces', 'namespaces/finalize', 'namespaces/status']);
    const { storageVersionHash: cmHash, ...configmaps } = byName.get('configmaps');
    assert.deepEqual(configmaps, { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ALL_VERBS_SORTED, shortNames: ['cm'] });
    assert.match(cmHash, /^[A-Za-z0-9+/]{11}=$/);
    const { storageVersionHash: _nsHash, ...namespaces } = byName.get('namespaces');
    assert.deepEqual(namespaces, {
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['ns'],
    });
    assert.deepEqual(byName.get('namespaces/status'), { name: 'namespaces/status', singularName: '', namespaced: false, kind: 'Namespace', verbs: SUB_VERBS });
    assert.deepEqual(byName.get('namespaces/finalize'), { name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });

    const apps = body(discovery.apiResourceList('apps', 'v1'));
    assert.equal(apps.groupVersion, 'apps/v1');
    assert.deepEqual(
      apps.resources.map((r: any) => r.name),
      ['deployments', 'deployments/scale', 'deployments/status'],
    );
    assert.deepEqual(apps.resources[0], {
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ALL_VERBS_SORTED,
      shortNames: ['deploy'],
      categories: ['all'],
      storageVersionHash: '8aSe+NMegvE=',
    });
    assert.deepEqual(apps.resources[1], { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUB_VERBS });
    // Field order as kube's APIResource marshals it.
    assert.deepEqual(Object.keys(apps.resources[1]), ['name', 'singularName', 'namespaced', 'group', 'version', 'kind', 'verbs']);
    assert.deepEqual(apps.resources[2], { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: SUB_VERBS });

    const widgets = body(discovery.apiResourceList('example.io', 'v1beta1'));
    assert.equal(widgets.groupVersion, 'example.io/v1beta1');
    assert.deepEqual(
      widgets.resources.map((r: any) => [r.name, r.verbs]),
      [['widgets', ['get', 'list', 'watch']]],
    );

    assert.equal(discovery.apiResourceList('apps', 'v2'), undefined);
    assert.equal(discovery.apiResourceList('nope.io', 'v1'), undefined);
    assert.equal(discovery.apiResourceList('', 'v2'), undefined);
  }));

test('storageVersionHash of core resources hashes "/v1/<Kind>"', () =>
  withRegistry(STANDARD(), (_registry, discovery) => {
    const hashes = Object.fromEntries(body(discovery.apiResourceList('', 'v1')).resources.map((r: any) => [r.name, r.storageVersionHash]));
    // Values served by kube-apiserver.
    assert.equal(hashes.configmaps, 'qFsyl6wFWjQ=');
    assert.equal(hashes.namespaces, 'Q3oi5N2YM8M=');
  }));

test('legacy APIResourceList is sorted by resource name like kube', () =>
  withRegistry([builtin('', 'Namespace'), builtin('', 'ConfigMap')], (_registry, discovery) => {
    assert.deepEqual(
      body(discovery.apiResourceList('', 'v1')).resources.map((r: any) => r.name),
      ['configmaps', 'namespaces', 'namespaces/finalize', 'namespaces/status'],
    );
    const core = body(discovery.aggregated(true, 'v2')).items[0].versions[0].resources;
    assert.deepEqual(
      core.map((r: any) => r.resource),
      ['configmaps', 'namespaces'],
    );
    assert.deepEqual(
      core[1].subresources.map((s: any) => s.subresource),
      ['finalize', 'status'],
    );
  }));

test('aggregated discovery v2 document shape', () =>
  withRegistry(STANDARD(), (_registry, discovery) => {
    const apis = body(discovery.aggregated(false, 'v2'));
    assert.equal(apis.kind, 'APIGroupDiscoveryList');
    assert.equal(apis.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.deepEqual(apis.metadata, {});
    assert.deepEqual(
      apis.items.map((i: any) => i.metadata),
      [
        { name: 'apps', creationTimestamp: null },
        { name: 'example.io', creationTimestamp: null },
      ],
    );
    const appsV1 = apis.items[0].versions;
    assert.equal(appsV1.length, 1);
    assert.equal(appsV1[0].version, 'v1');
    assert.equal(appsV1[0].freshness, 'Current');
    assert.deepEqual(appsV1[0].resources, [
      {
        resource: 'deployments',
        responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        scope: 'Namespaced',
        singularResource: 'deployment',
        verbs: ALL_VERBS_SORTED,
        shortNames: ['deploy'],
        categories: ['all'],
        subresources: [
          { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: SUB_VERBS },
          { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: SUB_VERBS },
        ],
      },
    ]);
    assert.deepEqual(Object.keys(appsV1[0]), ['version', 'resources', 'freshness']);
    assert.deepEqual(Object.keys(appsV1[0].resources[0]), ['resource', 'responseKind', 'scope', 'singularResource', 'verbs', 'shortNames', 'categories', 'subresources']);

    // Versions are listed in kube priority order; a resource without subresources has no subresources key.
    const example = apis.items[1];
    assert.deepEqual(
      example.versions.map((v: any) => v.version),
      ['v1', 'v1beta1', 'v2alpha1'],
    );
    assert.deepEqual(example.versions[0].resources, [
      { resource: 'widgets', responseKind: { group: 'example.io', version: 'v1', kind: 'Widget' }, scope: 'Cluster', singularResource: 'widget', verbs: ['get', 'list', 'watch'] },
    ]);

    const api = body(discovery.aggregated(true, 'v2'));
    assert.equal(api.items.length, 1);
    assert.deepEqual(api.items[0].metadata, { creationTimestamp: null });
    const ns = api.items[0].versions[0].resources.find((r: any) => r.resource === 'namespaces');
    assert.equal(ns.scope, 'Cluster');
    assert.deepEqual(ns.responseKind, { group: '', version: 'v1', kind: 'Namespace' });
    assert.deepEqual(
      [...ns.subresources].sort((x: any, y: any) => x.subresource.localeCompare(y.subresource)),
      [
        { subresource: 'finalize', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] },
        { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: SUB_VERBS },
      ],
    );

    const beta = body(discovery.aggregated(false, 'v2beta1'));
    assert.equal(beta.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.deepEqual(beta.items, apis.items);
  }));

test('APIGroupList, APIGroup and APIVersions', () =>
  withRegistry([...STANDARD(), builtin('batch', 'Job'), builtin('rbac.authorization.k8s.io', 'Role')], (_registry, discovery) => {
    const list = body(discovery.apiGroupList());
    assert.equal(list.kind, 'APIGroupList');
    assert.equal(list.apiVersion, 'v1');
    // kube-apiserver's group order first, other groups after it.
    assert.deepEqual(
      list.groups.map((g: any) => g.name),
      ['apps', 'batch', 'rbac.authorization.k8s.io', 'example.io'],
    );
    const example = list.groups.find((g: any) => g.name === 'example.io');
    assert.deepEqual(example, {
      name: 'example.io',
      versions: [
        { groupVersion: 'example.io/v1', version: 'v1' },
        { groupVersion: 'example.io/v1beta1', version: 'v1beta1' },
        { groupVersion: 'example.io/v2alpha1', version: 'v2alpha1' },
      ],
      preferredVersion: { groupVersion: 'example.io/v1', version: 'v1' },
    });
    assert.deepEqual(list.groups[0], {
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });

    const group = body(discovery.apiGroupDoc('example.io'));
    assert.deepEqual(group, { kind: 'APIGroup', apiVersion: 'v1', ...example });
    assert.equal(discovery.apiGroupDoc(''), undefined);
    assert.equal(discovery.apiGroupDoc('nope.io'), undefined);

    assert.deepEqual(discovery.apiVersions('10.0.0.1:6443'), {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
    });
  }));

test('preferredVersion falls back to beta, then alpha', () =>
  withRegistry([widget('v1alpha1'), widget('v1beta2'), widget('v1beta1')], (_registry, discovery) => {
    const group = body(discovery.apiGroupDoc('example.io'));
    assert.deepEqual(group.preferredVersion, { groupVersion: 'example.io/v1beta2', version: 'v1beta2' });
    assert.deepEqual(
      group.versions.map((v: any) => v.version),
      ['v1beta2', 'v1beta1', 'v1alpha1'],
    );
  }));

test('ETags are content hashes, stable until the registry changes', () =>
  withRegistry(STANDARD(), (registry, discovery) => {
    const first = discovery.apiGroupList();
    assert.match(first.etag, /^"[0-9A-F]{128}"$/);
    assert.equal(first.etag, `"${createHash('sha512').update(first.body).digest('hex').toUpperCase()}"`);
    // Cached: the same document until something changes.
    assert.equal(discovery.apiGroupList(), first);
    const agg = discovery.aggregated(false, 'v2');
    assert.equal(discovery.aggregated(false, 'v2'), agg);
    const docs = [first, agg, discovery.aggregated(true, 'v2'), discovery.aggregated(false, 'v2beta1'), discovery.apiResourceList('apps', 'v1')!, discovery.apiGroupDoc('apps')!];
    assert.equal(new Set(docs.map((d) => d.etag)).size, docs.length, 'different documents have different ETags');

    // A new Discovery over the same registry serves identical bytes and ETags.
    const again = new Discovery(registry);
    assert.equal(again.apiGroupList().etag, first.etag);
    assert.equal(again.aggregated(false, 'v2').body, agg.body);

    registry.add(builtin('batch', 'Job'));
    const changed = discovery.apiGroupList();
    assert.notEqual(changed.etag, first.etag);
    assert.ok(body(changed).groups.some((g: any) => g.name === 'batch'));
    assert.notEqual(discovery.aggregated(false, 'v2').etag, agg.etag);
    // Unrelated documents keep their bytes and ETag after a rebuild.
    assert.equal(discovery.apiResourceList('apps', 'v1')!.etag, docs[4].etag);

    registry.remove('batch', 'v1', 'jobs');
    assert.equal(discovery.apiGroupList().etag, first.etag);
    assert.equal(discovery.aggregated(false, 'v2').body, agg.body);
  }));

test('ETag is the full SHA-512 like kube', () =>
  withRegistry(STANDARD(), (_registry, discovery) => {
    const doc = discovery.aggregated(false, 'v2');
    assert.equal(doc.etag, `"${createHash('sha512').update(doc.body).digest('hex').toUpperCase()}"`);
  }));

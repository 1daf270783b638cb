import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceType } from '../apiserver/registry/types.js';
import { openApiHash, openApiV3ResponseHeaders, SchemaRegistry } from './schemas.js';

type Doc = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> };
};

const deployments: ResourceType = {
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  schemaRef: 'io.k8s.api.apps.v1.Deployment',
};
const configmaps: ResourceType = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true };
const namespaces: ResourceType = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, subresources: { status: true } };
const clusterRoles: ResourceType = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false };
const served = [deployments, configmaps, namespaces, clusterRoles];

/** kubectl's QueryParamVerifierV3: the first PATCH operation tagged with the kind decides whether the param is supported. */
function kubectlSupportsQueryParam(doc: Doc, gvk: { group: string; version: string; kind: string }, param: string): boolean | 'path not found' {
  for (const item of Object.values(doc.paths)) {
    const op = item.patch;
    const tagged = op?.['x-kubernetes-group-version-kind'];
    if (!tagged || tagged.group !== gvk.group || tagged.version !== gvk.version || tagged.kind !== gvk.kind) continue;
    return (op.parameters ?? []).some((p: any) => p.name === param && p.in === 'query');
  }
  return 'path not found';
}

test('the apps/v1 document lets kubectl --validate=strict use server-side field validation', () => {
  const doc = new SchemaRegistry().openApiV3Document('apis/apps/v1', served) as Doc;
  assert.equal(doc.openapi, '3.0.0');
  assert.equal(doc.info.title, 'Kubernetes');
  assert.equal(kubectlSupportsQueryParam(doc, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'fieldValidation'), true);
  const patchOps = Object.values(doc.paths).map((item) => item.patch).filter(Boolean);
  assert.equal(patchOps.length, 3, 'item, status and scale');
  for (const op of patchOps) {
    assert.ok(op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query' && p.schema.type === 'string' && p.schema.uniqueItems));
    assert.ok(op.parameters.some((p: any) => p.name === 'force' && p.schema.type === 'boolean'));
    assert.deepEqual(Object.keys(op.requestBody.content).sort(), ['application/apply-patch+yaml', 'application/json-patch+json',
      'application/merge-patch+json', 'application/strategic-merge-patch+json']);
  }
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.equal(item.patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(item.parameters.map((p: any) => `${p.in}:${p.name}`), ['path:name', 'path:namespace', 'query:pretty']);
  assert.equal(item.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.apps.v1.Deployment');
  const collection = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
  assert.equal(collection.post['x-kubernetes-action'], 'post');
  assert.ok(collection.post.parameters.some((p: any) => p.name === 'fieldValidation'));
  assert.equal(collection.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.apps.v1.DeploymentList');
  assert.equal(collection.delete.operationId, 'deleteAppsV1CollectionNamespacedDeployment');
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'].get.operationId, 'readAppsV1NamespacedDeploymentStatus');
});

test('documents carry every schema their operations reach, with the kind schemas kubectl explain looks up', () => {
  const doc = new SchemaRegistry().openApiV3Document('apis/apps/v1', served) as Doc;
  const schemas = doc.components.schemas;
  assert.deepEqual(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  for (const name of ['io.k8s.api.core.v1.Container', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.api.autoscaling.v1.Scale'])
    assert.ok(schemas[name], name);
  assert.equal(schemas['io.k8s.api.core.v1.ConfigMap'], undefined, 'other group-versions stay out');
  const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g)!;
  for (const ref of refs) assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `dangling ${ref}`);
});

test('core and cluster-scoped paths, and verbs the resource does not serve', () => {
  const registry = new SchemaRegistry();
  const core = registry.openApiV3Document('api/v1', served) as Doc;
  assert.equal(kubectlSupportsQueryParam(core, { group: '', version: 'v1', kind: 'Namespace' }, 'fieldValidation'), true);
  assert.equal(core.paths['/api/v1/namespaces/{name}'].get.operationId, 'readCoreV1Namespace');
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch.operationId, 'patchCoreV1NamespacedConfigMap');
  const rbac = registry.openApiV3Document('apis/rbac.authorization.k8s.io/v1', served) as Doc;
  assert.equal(rbac.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles'].post.operationId, 'createRbacAuthorizationV1ClusterRole');
  assert.deepEqual(rbac.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}'].get.tags, ['rbacAuthorization_v1']);
  const readOnly = registry.openApiV3Document('api/v1', [{ ...configmaps, verbs: ['get', 'list'] }]) as Doc;
  assert.deepEqual(Object.keys(readOnly.paths['/api/v1/namespaces/{namespace}/configmaps/{name}']).sort(), ['get', 'parameters']);
  assert.equal(registry.openApiV3Document('apis/nothing/v1', served), undefined);
});

const crontabs: ResourceType = { group: 'stable.example.com', version: 'v1', kind: 'CronTab', plural: 'crontabs', singular: 'crontab', namespaced: true };
const crontabSchema = {
  'com.example.stable.v1.CronTab': {
    type: 'object', properties: { spec: { type: 'object', properties: { cron: { type: 'string' } } } },
    'x-kubernetes-group-version-kind': [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }],
  },
};

test('custom resources found by GVK: no strategic merge patch', () => {
  const registry = new SchemaRegistry();
  registry.addSchemas(crontabSchema);
  const doc = registry.openApiV3Document('apis/stable.example.com/v1', [crontabs]) as Doc;
  const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
  assert.equal(patch.operationId, 'patchStableExampleComV1NamespacedCronTab');
  assert.ok(!('application/strategic-merge-patch+json' in patch.requestBody.content));
  assert.equal(patch.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/com.example.stable.v1.CronTab');
  assert.ok(doc.components.schemas['com.example.stable.v1.CronTab']);
});

test('the index lists each group-version with a stable hash that changes with the document', () => {
  const registry = new SchemaRegistry();
  const index = registry.openApiV3Paths(served);
  assert.deepEqual(Object.keys(index.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/rbac.authorization.k8s.io/v1']);
  const url = index.paths['apis/apps/v1'].serverRelativeURL;
  const doc = registry.document('apis/apps/v1', served)!;
  assert.equal(url, `/openapi/v3/apis/apps/v1?hash=${doc.hash}`);
  assert.match(doc.hash, /^[0-9A-F]{128}$/);
  assert.equal(doc.hash, openApiHash(doc.body));
  assert.equal(doc.etag, `"${doc.hash}"`);

  assert.deepEqual(new SchemaRegistry().openApiV3Paths([...served].reverse()), index, 'same inputs, same hashes');
  assert.deepEqual(registry.index(served), registry.index(served));

  const withoutScale = registry.openApiV3Paths([{ ...deployments, subresources: { status: true } }, configmaps, namespaces, clusterRoles]);
  assert.notEqual(withoutScale.paths['apis/apps/v1'].serverRelativeURL, url);
  assert.equal(withoutScale.paths['api/v1'].serverRelativeURL, index.paths['api/v1'].serverRelativeURL);

  registry.addSchemas({ 'io.k8s.api.apps.v1.DeploymentSpec': { type: 'object', properties: { replicas: { type: 'integer' } } } });
  assert.notEqual(registry.openApiV3Paths(served).paths['apis/apps/v1'].serverRelativeURL, url);
});

test('response headers: a current hash is immutable, a stale one redirects, none revalidates', () => {
  const doc = new SchemaRegistry().document('apis/apps/v1', served)!;
  const now = new Date('2025-01-01T00:00:00Z');
  assert.deepEqual(openApiV3ResponseHeaders('apis/apps/v1', doc, doc.hash, now), {
    status: 200,
    headers: { 'content-type': 'application/json', etag: doc.etag, vary: 'Accept', 'cache-control': 'public, immutable', expires: 'Thu, 01 Jan 2026 00:00:00 GMT' },
  });
  assert.deepEqual(openApiV3ResponseHeaders('apis/apps/v1', doc, 'STALE', now), { status: 301, headers: { location: `/openapi/v3/apis/apps/v1?hash=${doc.hash}` } });
  assert.equal(openApiV3ResponseHeaders('apis/apps/v1', doc, undefined, now).headers['cache-control'], 'no-cache, private');
});

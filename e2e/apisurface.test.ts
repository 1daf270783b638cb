// The apiserver's non-resource endpoints and resource semantics over real HTTPS: discovery, OpenAPI, health,
// metrics, representations, status subresource, generation, deletecollection, conversion and token auth.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APIServerProcess, tempDir } from './harness.js';

let server: APIServerProcess;
let tokenDir: string;
before(async () => {
  tokenDir = await tempDir();
  const tokenFile = join(tokenDir, 'tokens.csv');
  await writeFile(tokenFile, '# comment\nsecret-token,alice,1001,"dev,ops"\n');
  server = await APIServerProcess.start(['--token-auth-file', tokenFile]);
});
after(async () => {
  await server.destroy();
  await rm(tokenDir, { recursive: true, force: true });
});

const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

test('aggregated discovery with ETag and 304', async () => {
  const res = await server.request('GET', '/apis', { headers: { accept: AGGREGATED_V2 } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const doc = res.json();
  assert.equal(doc.kind, 'APIGroupDiscoveryList');
  const apps = doc.items.find((g: any) => g.metadata.name === 'apps');
  const deployments = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
  assert.deepEqual(deployments.shortNames, ['deploy']);
  assert.equal(deployments.scope, 'Namespaced');
  assert.deepEqual(deployments.subresources.map((s: any) => s.subresource).sort(), ['scale', 'status']);
  const etag = res.headers.etag as string;
  assert.ok(etag);
  const again = await server.request('GET', '/apis', { headers: { accept: AGGREGATED_V2, 'if-none-match': etag } });
  assert.equal(again.status, 304);
  const core = (await server.request('GET', '/api', { headers: { accept: AGGREGATED_V2.replace(/v=v2;/, 'v=v2beta1;') } })).json();
  assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.ok(core.items[0].versions[0].resources.some((r: any) => r.resource === 'configmaps'));
});

test('legacy discovery documents', async () => {
  const api = (await server.request('GET', '/api')).json();
  assert.deepEqual(api.versions, ['v1']);
  const v1 = (await server.request('GET', '/api/v1')).json();
  assert.equal(v1.groupVersion, 'v1');
  assert.ok(v1.resources.some((r: any) => r.name === 'namespaces/finalize'));
  const groups = (await server.request('GET', '/apis')).json();
  const autoscaling = groups.groups.find((g: any) => g.name === 'autoscaling');
  assert.deepEqual(autoscaling.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  const apps = (await server.request('GET', '/apis/apps')).json();
  assert.equal(apps.kind, 'APIGroup');
  assert.equal((await server.request('GET', '/apis/apps/v1')).json().resources.find((r: any) => r.name === 'deployments').kind, 'Deployment');
  assert.equal((await server.request('GET', '/apis/nope')).status, 404);
});

test('request latency ends when the response is written, not when a slow client has read it', async () => {
  // 24 MiB of ConfigMaps: more than loopback's socket buffers hold, so the response is still being sent while the
  // client leaves it unread.
  await server.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'slow-reader' } }) });
  for (let i = 0; i < 24; i++) {
    const body = JSON.stringify({ metadata: { name: `big-${i}` }, data: { blob: 'x'.repeat(1_000_000) } });
    assert.equal((await server.request('POST', '/api/v1/namespaces/slow-reader/configmaps', { body })).status, 201);
  }
  const listLatency = async () => {
    const text = (await server.request('GET', '/metrics', { anonymous: true })).body;
    const series = (name: string) => Number(new RegExp(`^apiserver_request_duration_seconds_${name}\\{verb="LIST",group="",resource="configmaps",subresource=""\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    return { sum: series('sum'), count: series('count') };
  };
  const before = await listLatency();
  const readDelayMs = 4_000;
  const list = await server.request('GET', '/api/v1/namespaces/slow-reader/configmaps', { readDelayMs });
  assert.equal(list.status, 200);
  assert.equal(list.json().items.length, 24);
  const after = await listLatency();
  assert.equal(after.count - before.count, 1);
  // The client's pause is not counted: the latency ends when the response is handed to the connection.
  assert.ok(after.sum - before.sum < readDelayMs / 2 / 1000, `LIST latency ${after.sum - before.sum} s includes the client's ${readDelayMs} ms`);
});

test('OpenAPI v3 index, documents with hash caching, and v2', async () => {
  const index = (await server.request('GET', '/openapi/v3')).json();
  const url: string = index.paths['apis/apps/v1'].serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  const doc = await server.request('GET', url);
  assert.equal(doc.status, 200);
  assert.match(String(doc.headers['cache-control']), /immutable/);
  const body = doc.json();
  const patch = body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation') || body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].parameters?.some((p: any) => p.name === 'fieldValidation'));
  const stale = await server.request('GET', '/openapi/v3/apis/apps/v1?hash=0000');
  assert.equal(stale.status, 301);
  assert.equal((await server.request('GET', '/openapi/v2')).status, 200);
});

test('health endpoints, version and metrics', async () => {
  const verbose = await server.request('GET', '/readyz?verbose', { anonymous: true });
  assert.equal(verbose.status, 200);
  assert.match(verbose.body, /^\[\+\]ping ok$/m);
  assert.match(verbose.body, /readyz check passed/);
  assert.equal((await server.request('GET', '/livez/ping', { anonymous: true })).body, 'ok');
  await server.request('GET', '/api/v1/namespaces/default/configmaps');
  const metrics = await server.request('GET', '/metrics', { anonymous: true });
  assert.match(metrics.body, /apiserver_request_total\{verb="LIST",group="",resource="configmaps",subresource="",code="200"\} \d+/);
  assert.match(metrics.body, /apiserver_request_duration_seconds_bucket/);
});

test('Table, PartialObjectMetadata and YAML representations', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rep', labels: { a: 'b' } }, data: { x: '1', y: '2' } });
  assert.equal((await server.request('POST', '/api/v1/namespaces/default/configmaps', { body })).status, 201);
  const table = await server.request('GET', '/api/v1/namespaces/default/configmaps/rep', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  assert.match(String(table.headers['content-type']), /as=Table/);
  const t = table.json();
  assert.equal(t.kind, 'Table');
  assert.deepEqual(t.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
  assert.equal(t.rows[0].cells[0], 'rep');
  assert.equal(t.rows[0].cells[1], 2);
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  const partial = (await server.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%3Db', { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } })).json();
  assert.equal(partial.kind, 'PartialObjectMetadataList');
  assert.deepEqual(partial.items.map((i: any) => i.metadata.name), ['rep']);
  assert.equal(partial.items[0].data, undefined);
  const yaml = await server.request('GET', '/api/v1/namespaces/default/configmaps/rep', { headers: { accept: 'application/yaml' } });
  assert.match(yaml.body, /^kind: ConfigMap$/m);
});

test('status subresource, generation and deletecollection', async () => {
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gen' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    status: { replicas: 7 },
  };
  const created = (await server.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: JSON.stringify(deploy) })).json();
  assert.equal(created.metadata.generation, 1);
  assert.equal(created.status, undefined, 'status is not taken on create');
  const path = '/apis/apps/v1/namespaces/default/deployments/gen';
  const merge = { 'content-type': 'application/merge-patch+json' };
  const labeled = (await server.request('PATCH', path, { body: '{"metadata":{"labels":{"x":"y"}},"status":{"replicas":3}}', headers: merge })).json();
  assert.equal(labeled.metadata.generation, 1, 'a label change does not move generation');
  assert.equal(labeled.status, undefined, 'the main resource ignores status');
  const scaled = (await server.request('PATCH', path, { body: '{"spec":{"replicas":3}}', headers: merge })).json();
  assert.equal(scaled.metadata.generation, 2);
  const status = (await server.request('PATCH', `${path}/status`, { body: '{"spec":{"replicas":9},"status":{"replicas":3,"readyReplicas":3}}', headers: merge })).json();
  assert.deepEqual(status.status, { replicas: 3, readyReplicas: 3 });
  assert.equal(status.spec.replicas, 3, '/status ignores spec');
  assert.equal(status.metadata.generation, 2);

  for (const name of ['dc-1', 'dc-2', 'dc-keep'])
    await server.request('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { dc: name === 'dc-keep' ? 'keep' : 'go' } } }) });
  const gone = await server.request('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=dc%3Dgo');
  assert.equal(gone.status, 200);
  assert.deepEqual(gone.json().items.map((i: any) => i.metadata.name).sort(), ['dc-1', 'dc-2']);
  const left = (await server.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=dc')).json();
  assert.deepEqual(left.items.map((i: any) => i.metadata.name), ['dc-keep']);
});

test('autoscaling/v1 and v2 serve the same HorizontalPodAutoscalers', async () => {
  const hpa = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 60 },
  };
  const res = await server.request('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', { body: JSON.stringify(hpa) });
  assert.equal(res.status, 201, res.body);
  assert.equal(res.json().spec.targetCPUUtilizationPercentage, 60);
  const v2 = (await server.request('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web')).json();
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.equal(v2.spec.metrics[0].resource.target.averageUtilization, 60);
  const v1list = (await server.request('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers')).json();
  assert.equal(v1list.items[0].apiVersion, 'autoscaling/v1');
  assert.equal(v1list.items[0].spec.targetCPUUtilizationPercentage, 60);
});

test('bearer tokens from the token file authenticate', async () => {
  const res = await server.request('GET', '/api/v1/namespaces', { anonymous: true, headers: { authorization: 'Bearer secret-token' } });
  assert.equal(res.status, 200);
});

// Bad input over real HTTPS: each case gets kube's Status code and reason, and the server keeps serving.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIServerProcess } from './harness.js';

let server: APIServerProcess;
before(async () => {
  server = await APIServerProcess.start();
});
after(async () => {
  await server.destroy();
});

async function expectStatus(res: Awaited<ReturnType<APIServerProcess['request']>>, code: number, reason: string, message?: RegExp) {
  assert.equal(res.status, code, res.body);
  const status = res.json();
  assert.equal(status.kind, 'Status');
  assert.equal(status.apiVersion, 'v1');
  assert.equal(status.status, 'Failure');
  assert.equal(status.code, code);
  assert.equal(status.reason, reason);
  if (message) assert.match(status.message, message);
  // The server is still up after every bad request.
  assert.equal((await server.request('GET', '/readyz')).status, 200);
}

const CM = '/api/v1/namespaces/default/configmaps';

test('malformed JSON → 400 BadRequest', async () => {
  await expectStatus(await server.request('POST', CM, { body: '{"apiVersion": "v1", "kind": ' }), 400, 'BadRequest', /json parse error/);
});

test('malformed YAML → 400 BadRequest', async () => {
  await expectStatus(await server.request('POST', CM, { body: 'a: [b', headers: { 'content-type': 'application/yaml' } }), 400, 'BadRequest', /YAML/);
});

test('YAML body is accepted on create', async () => {
  const res = await server.request('POST', CM, { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: "1"\n', headers: { 'content-type': 'application/yaml' } });
  assert.equal(res.status, 201, res.body);
  assert.equal(res.json().data.a, '1');
});

test('wrong apiVersion for the URL → 400', async () => {
  const body = JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  await expectStatus(await server.request('POST', CM, { body }), 400, 'BadRequest', /^the API version in the data \(apps\/v1\) does not match the expected API version \(v1\)$/);
});

test('wrong kind for the URL → 400', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
  await expectStatus(await server.request('POST', CM, { body }), 400, 'BadRequest', /Secret in version "v1" cannot be handled as a ConfigMap/);
});

test('namespace mismatch → 400', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } });
  await expectStatus(await server.request('POST', CM, { body }), 400, 'BadRequest', /^the namespace of the provided object does not match the namespace sent on the request$/);
});

test('invalid name → 422 Invalid with a cause naming metadata.name', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } });
  const res = await server.request('POST', CM, { body });
  await expectStatus(res, 422, 'Invalid', /^ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
  assert.equal(res.json().details.causes[0].field, 'metadata.name');
  assert.equal(res.json().details.causes[0].reason, 'FieldValueInvalid');
});

test('invalid label value → 422 Invalid', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok', labels: { a: 'has space' } } });
  await expectStatus(await server.request('POST', CM, { body }), 422, 'Invalid', /metadata.labels: Invalid value: "has space"/);
});

test('a 4 MiB body → 413 RequestEntityTooLarge', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } });
  await expectStatus(await server.request('POST', CM, { body }), 413, 'RequestEntityTooLarge', /^Request entity too large: limit is 3145728$/);
});

test('unknown resource → 404 NotFound', async () => {
  await expectStatus(await server.request('GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound', /^the server could not find the requested resource$/);
  await expectStatus(await server.request('GET', '/apis/nope.example.com/v1/things'), 404, 'NotFound');
});

test('missing object → 404 with kube message', async () => {
  const res = await server.request('GET', `${CM}/missing`);
  await expectStatus(res, 404, 'NotFound', /^configmaps "missing" not found$/);
  assert.deepEqual(res.json().details, { name: 'missing', kind: 'configmaps' });
  await expectStatus(await server.request('GET', '/apis/apps/v1/namespaces/default/deployments/nope'), 404, 'NotFound', /^deployments.apps "nope" not found$/);
});

test('duplicate create → 409 AlreadyExists', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } });
  assert.equal((await server.request('POST', CM, { body })).status, 201);
  await expectStatus(await server.request('POST', CM, { body }), 409, 'AlreadyExists', /^configmaps "dup" already exists$/);
});

test('stale resourceVersion on update → 409 Conflict', async () => {
  const created = (await server.request('POST', CM, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cas' } }) })).json();
  const first = { ...created, data: { a: '1' } };
  assert.equal((await server.request('PUT', `${CM}/cas`, { body: JSON.stringify(first) })).status, 200);
  const stale = { ...created, data: { a: '2' } };
  await expectStatus(await server.request('PUT', `${CM}/cas`, { body: JSON.stringify(stale) }), 409, 'Conflict', /^Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again$/);
  // A merge patch that names a resourceVersion is a precondition too (the detector claims templates this way).
  const stalePatch = { metadata: { resourceVersion: created.metadata.resourceVersion, labels: { claimed: 'yes' } } };
  await expectStatus(
    await server.request('PATCH', `${CM}/cas`, { body: JSON.stringify(stalePatch), headers: { 'content-type': 'application/merge-patch+json' } }),
    409,
    'Conflict',
    /^Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again$/,
  );
  const current = (await server.request('GET', `${CM}/cas`)).json();
  const patched = await server.request('PATCH', `${CM}/cas`, { body: JSON.stringify({ ...stalePatch, metadata: { ...stalePatch.metadata, resourceVersion: current.metadata.resourceVersion } }), headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(patched.status, 200, patched.body);
  assert.deepEqual(patched.json().data, { a: '1' }, 'the response is the whole object');
});

test('unsupported media types → 415, malformed protobuf → 400, protobuf-only Accept → 406', async () => {
  await expectStatus(await server.request('POST', CM, { body: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'UnsupportedMediaType', /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml, application\/vnd.kubernetes.protobuf$/);
  await expectStatus(await server.request('POST', CM, { body: 'x', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } }), 400, 'BadRequest', /k8s/);
  await expectStatus(await server.request('PATCH', `${CM}/dup`, { body: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'UnsupportedMediaType', /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/strategic-merge-patch\+json, application\/apply-patch\+yaml$/);
  await expectStatus(await server.request('GET', CM, { headers: { accept: 'application/vnd.kubernetes.protobuf' } }), 406, 'NotAcceptable');
});

test('method not allowed → 405', async () => {
  await expectStatus(await server.request('PUT', CM, { body: '{}' }), 405, 'MethodNotAllowed');
  await expectStatus(await server.request('DELETE', '/api/v1/namespaces'), 405, 'MethodNotAllowed');
});

test('no credentials or a bad token → 401 Unauthorized; health and version stay open', async () => {
  await expectStatus(await server.request('GET', CM, { anonymous: true }), 401, 'Unauthorized', /^Unauthorized$/);
  await expectStatus(await server.request('GET', CM, { anonymous: true, headers: { authorization: 'Bearer nope' } }), 401, 'Unauthorized');
  assert.equal((await server.request('GET', '/healthz', { anonymous: true })).status, 200);
  assert.equal((await server.request('GET', '/livez', { anonymous: true })).status, 200);
  const version = await server.request('GET', '/version', { anonymous: true });
  assert.equal(version.status, 200);
  assert.equal(version.json().major, '1');
});

test('writing into a missing namespace → 404; into a terminating one → 403', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  await expectStatus(await server.request('POST', '/api/v1/namespaces/ghost/configmaps', { body }), 404, 'NotFound', /^namespaces "ghost" not found$/);
  // A finalizer on content keeps the namespace terminating long enough to observe.
  assert.equal((await server.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ending' } }) })).status, 201);
  const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } };
  assert.equal((await server.request('POST', '/api/v1/namespaces/ending/configmaps', { body: JSON.stringify(held) })).status, 201);
  assert.equal((await server.request('DELETE', '/api/v1/namespaces/ending')).status, 200);
  const res = await server.request('POST', '/api/v1/namespaces/ending/configmaps', { body });
  await expectStatus(res, 403, 'Forbidden', /^configmaps "x" is forbidden: unable to create new content in namespace ending because it is being terminated$/);
  assert.equal(res.json().details.causes[0].reason, 'NamespaceTerminating');
  // Releasing the finalizer lets the namespace go.
  const patch = JSON.stringify({ metadata: { finalizers: null } });
  assert.equal((await server.request('PATCH', '/api/v1/namespaces/ending/configmaps/held', { body: patch, headers: { 'content-type': 'application/merge-patch+json' } })).status, 200);
  for (let i = 0; i < 100; i++) {
    if ((await server.request('GET', '/api/v1/namespaces/ending')).status === 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('namespace was not removed');
});

test('system namespaces cannot be deleted', async () => {
  await expectStatus(await server.request('DELETE', '/api/v1/namespaces/default'), 403, 'Forbidden', /^namespaces "default" is forbidden: this namespace may not be deleted$/);
});

test('bad selectors → 400', async () => {
  await expectStatus(await server.request('GET', `${CM}?labelSelector=${encodeURIComponent('a in (b')}`), 400, 'BadRequest');
  await expectStatus(await server.request('GET', `${CM}?fieldSelector=spec.nope%3Dx`), 400, 'BadRequest', /field label not supported: spec.nope/);
});

test('dryRun=All does not persist', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } });
  assert.equal((await server.request('POST', `${CM}?dryRun=All`, { body })).status, 201);
  assert.equal((await server.request('GET', `${CM}/dry`)).status, 404);
});

// Deletion over real HTTPS, compared with kube-apiserver and kube-controller-manager's garbage collector (which
// Flotilla runs inside the apiserver): ownerReference propagation (Background, Foreground, Orphan), dangling owners,
// finalizers, DELETE responses, namespace termination, DeleteOptions in the body or the query, and dryRun.
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

const MERGE = { 'content-type': 'application/merge-patch+json' };
const HOLD = 'example.com/hold';

async function call(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  if (body === undefined) return server.request(method, path, { headers });
  const text = JSON.stringify(body);
  // node:http sends a DELETE body without framing unless the length is given (no chunked encoding by default for
  // DELETE), which the server can only read as a malformed next request.
  return server.request(method, path, { body: text, headers: { 'content-length': String(Buffer.byteLength(text)), ...headers } });
}

async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
  const res = await call(method, path, body, headers);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} → ${res.status} ${res.body}`);
  return res.json();
}

/** Polls (bounded) until cond resolves true. */
async function eventually(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const gone = (path: string) => async () => (await call('GET', path)).status === 404;

async function namespace(name: string): Promise<string> {
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return `/api/v1/namespaces/${name}`;
}

interface Owner {
  name: string;
  uid: string;
}

function ownerRef(owner: Owner, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, ...extra };
}

function configMap(name: string, meta: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data: { a: '1' } };
}

function secret(name: string, meta: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, ...meta }, type: 'Opaque', data: { a: 'MQ==' } };
}

async function createOwner(ns: string, name = 'owner'): Promise<Owner> {
  const o = await ok('POST', `${ns}/configmaps`, configMap(name));
  return { name, uid: o.metadata.uid };
}

test('Background: dependents (ConfigMaps and Secrets) are collected after the owner goes', async () => {
  const ns = await namespace('gc-background');
  const owner = await createOwner(ns);
  await ok('POST', `${ns}/configmaps`, configMap('dep-cm', { ownerReferences: [ownerRef(owner)] }));
  await ok('POST', `${ns}/secrets`, secret('dep-secret', { ownerReferences: [ownerRef(owner)] }));
  await ok('POST', `${ns}/configmaps`, configMap('bystander'));

  const res = await call('DELETE', `${ns}/configmaps/owner?propagationPolicy=Background`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().kind, 'Status');
  assert.equal((await call('GET', `${ns}/configmaps/owner`)).status, 404, 'the owner goes at once');
  await eventually('dep-cm collected', gone(`${ns}/configmaps/dep-cm`));
  await eventually('dep-secret collected', gone(`${ns}/secrets/dep-secret`));
  assert.equal((await call('GET', `${ns}/configmaps/bystander`)).status, 200);
});

test('Foreground (DeleteOptions in the body): the owner waits with foregroundDeletion until blocking dependents are gone', async () => {
  const ns = await namespace('gc-foreground');
  const owner = await createOwner(ns);
  const block = { blockOwnerDeletion: true };
  await ok('POST', `${ns}/configmaps`, configMap('free', { ownerReferences: [ownerRef(owner, block)] }));
  await ok('POST', `${ns}/secrets`, secret('held', { ownerReferences: [ownerRef(owner, block)], finalizers: [HOLD] }));

  const res = await call('DELETE', `${ns}/configmaps/owner`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
  // kube answers 200 here (202 only for orphanDependents=false); that detail has its own test below.
  assert.ok(res.status === 200 || res.status === 202, res.body);
  const pending = res.json();
  assert.equal(pending.kind, 'ConfigMap', 'an object that is not deleted yet is returned as itself');
  assert.ok(pending.metadata.deletionTimestamp);
  assert.deepEqual(pending.metadata.finalizers, ['foregroundDeletion']);

  await eventually('the free dependent collected', gone(`${ns}/configmaps/free`));
  await eventually('the held dependent marked for deletion', async () => !!(await ok('GET', `${ns}/secrets/held`)).metadata.deletionTimestamp);
  const waiting = await call('GET', `${ns}/configmaps/owner`);
  assert.equal(waiting.status, 200, 'the owner stays while a blocking dependent exists');
  assert.ok(waiting.json().metadata.deletionTimestamp);
  assert.deepEqual(waiting.json().metadata.finalizers, ['foregroundDeletion']);

  await ok('PATCH', `${ns}/secrets/held`, { metadata: { finalizers: null } }, MERGE);
  await eventually('the held dependent gone', gone(`${ns}/secrets/held`));
  await eventually('the owner gone', gone(`${ns}/configmaps/owner`));
});

test(
  'Foreground: dependents without blockOwnerDeletion are deleted but do not hold the owner',
  async () => {
    const ns = await namespace('gc-foreground-nonblocking');
    const owner = await createOwner(ns);
    await ok('POST', `${ns}/configmaps`, configMap('lingering', { ownerReferences: [ownerRef(owner)], finalizers: [HOLD] }));
    await ok('DELETE', `${ns}/configmaps/owner?propagationPolicy=Foreground`);
    try {
      await eventually('the owner gone while its non-blocking dependent lingers', gone(`${ns}/configmaps/owner`), 5_000);
    } finally {
      await eventually('the dependent marked for deletion', async () => !!(await ok('GET', `${ns}/configmaps/lingering`)).metadata.deletionTimestamp);
      await ok('PATCH', `${ns}/configmaps/lingering`, { metadata: { finalizers: null } }, MERGE);
      await eventually('the dependent gone', gone(`${ns}/configmaps/lingering`));
      await eventually('the owner gone', gone(`${ns}/configmaps/owner`));
    }
  },
);

test(
  'a Foreground DELETE that does not delete at once answers 200 with the object',
  async () => {
    const ns = await namespace('gc-foreground-code');
    const owner = await createOwner(ns);
    await ok('POST', `${ns}/configmaps`, configMap('dep', { ownerReferences: [ownerRef(owner, { blockOwnerDeletion: true })], finalizers: [HOLD] }));
    const res = await call('DELETE', `${ns}/configmaps/owner?propagationPolicy=Foreground`);
    try {
      assert.equal(res.status, 200, res.body);
    } finally {
      await eventually('the dependent marked for deletion', async () => !!(await ok('GET', `${ns}/configmaps/dep`)).metadata.deletionTimestamp);
      await ok('PATCH', `${ns}/configmaps/dep`, { metadata: { finalizers: null } }, MERGE);
      await eventually('the owner gone', gone(`${ns}/configmaps/owner`));
    }
  },
);

test(
  'orphanDependents=false (deprecated) means foreground deletion and answers 202',
  async () => {
    const ns = await namespace('gc-orphan-false');
    const owner = await createOwner(ns);
    await ok('POST', `${ns}/configmaps`, configMap('dep', { ownerReferences: [ownerRef(owner, { blockOwnerDeletion: true })], finalizers: [HOLD] }));
    const res = await call('DELETE', `${ns}/configmaps/owner?orphanDependents=false`);
    try {
      assert.equal(res.status, 202, res.body);
      assert.deepEqual(res.json().metadata.finalizers, ['foregroundDeletion']);
    } finally {
      await eventually('the dependent marked for deletion', async () => !!(await ok('GET', `${ns}/configmaps/dep`)).metadata.deletionTimestamp);
      await ok('PATCH', `${ns}/configmaps/dep`, { metadata: { finalizers: null } }, MERGE);
      await eventually('the owner gone', gone(`${ns}/configmaps/owner`));
    }
  },
);

test('Orphan (in the query): dependents stay with the ownerReference removed', async () => {
  const ns = await namespace('gc-orphan');
  const owner = await createOwner(ns);
  await ok('POST', `${ns}/configmaps`, configMap('dep-cm', { ownerReferences: [ownerRef(owner)] }));
  await ok('POST', `${ns}/secrets`, secret('dep-secret', { ownerReferences: [ownerRef(owner)] }));

  const res = await call('DELETE', `${ns}/configmaps/owner?propagationPolicy=Orphan`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().kind, 'ConfigMap');
  assert.ok(res.json().metadata.deletionTimestamp);
  assert.deepEqual(res.json().metadata.finalizers, ['orphan']);
  await eventually('the owner gone', gone(`${ns}/configmaps/owner`));
  for (const path of [`${ns}/configmaps/dep-cm`, `${ns}/secrets/dep-secret`]) {
    const dep = await ok('GET', path);
    assert.equal(dep.metadata.ownerReferences, undefined, `${path} no longer names the owner`);
    assert.equal(dep.metadata.deletionTimestamp, undefined);
  }
});

test('a dependent whose owner never existed (wrong uid, or no such object) is collected', async () => {
  const ns = await namespace('gc-dangling');
  const real = await createOwner(ns, 'real');
  await ok('POST', `${ns}/configmaps`, configMap('wrong-uid', { ownerReferences: [ownerRef({ name: 'real', uid: '00000000-0000-0000-0000-000000000001' })] }));
  await ok('POST', `${ns}/secrets`, secret('no-owner', { ownerReferences: [ownerRef({ name: 'ghost', uid: '00000000-0000-0000-0000-000000000002' })] }));
  await ok('POST', `${ns}/configmaps`, configMap('right-uid', { ownerReferences: [ownerRef(real)] }));
  await eventually('wrong-uid collected', gone(`${ns}/configmaps/wrong-uid`));
  await eventually('no-owner collected', gone(`${ns}/secrets/no-owner`));
  assert.equal((await call('GET', `${ns}/configmaps/real`)).status, 200, 'the same-named owner is not touched');
  assert.equal((await call('GET', `${ns}/configmaps/right-uid`)).status, 200, 'a dependent of the real owner stays');
});

test('an object updated to reference an owner that does not exist is collected; an update that keeps its owner is not', async () => {
  const ns = await namespace('gc-updated-refs');
  const real = await createOwner(ns, 'real');
  await ok('POST', `${ns}/configmaps`, configMap('kept', { ownerReferences: [ownerRef(real)] }));
  await ok('POST', `${ns}/configmaps`, configMap('repointed'));
  await ok('PATCH', `${ns}/configmaps/kept`, { data: { a: '2' } }, MERGE);
  await ok('PATCH', `${ns}/configmaps/repointed`, { metadata: { ownerReferences: [ownerRef({ name: 'ghost', uid: '00000000-0000-0000-0000-000000000003' })] } }, MERGE);
  await eventually('repointed collected', gone(`${ns}/configmaps/repointed`));
  assert.equal((await ok('GET', `${ns}/configmaps/kept`)).data.a, '2', 'a dependent of a live owner stays');
});

test('a dependent with two owners loses only the deleted owner\'s reference', async () => {
  const ns = await namespace('gc-two-owners');
  const first = await createOwner(ns, 'first');
  const second = await createOwner(ns, 'second');
  await ok('POST', `${ns}/configmaps`, configMap('shared', { ownerReferences: [ownerRef(first), ownerRef(second)] }));
  await ok('DELETE', `${ns}/configmaps/first`);
  await eventually('the reference to the deleted owner removed', async () => (await ok('GET', `${ns}/configmaps/shared`)).metadata.ownerReferences?.length === 1);
  const shared = await ok('GET', `${ns}/configmaps/shared`);
  assert.deepEqual(shared.metadata.ownerReferences, [ownerRef(second)]);
  assert.equal(shared.metadata.deletionTimestamp, undefined);
  // Deleting the remaining owner then collects it.
  await ok('DELETE', `${ns}/configmaps/second`);
  await eventually('shared collected', gone(`${ns}/configmaps/shared`));
});

test('a custom finalizer keeps a deleted object (with deletionTimestamp) until it is removed', async () => {
  const ns = await namespace('finalizers');
  await ok('POST', `${ns}/configmaps`, configMap('held', { finalizers: [HOLD] }));
  const res = await call('DELETE', `${ns}/configmaps/held`);
  assert.equal(res.status, 200, res.body);
  const marked = res.json();
  assert.equal(marked.kind, 'ConfigMap');
  assert.ok(marked.metadata.deletionTimestamp);
  assert.equal(marked.metadata.deletionGracePeriodSeconds, 0);
  assert.deepEqual(marked.metadata.finalizers, [HOLD]);

  const got = await call('GET', `${ns}/configmaps/held`);
  assert.equal(got.status, 200);
  assert.equal(got.json().metadata.deletionTimestamp, marked.metadata.deletionTimestamp);
  // Deleting again is no error and changes nothing.
  const again = await call('DELETE', `${ns}/configmaps/held`);
  assert.equal(again.status, 200, again.body);
  assert.equal(again.json().metadata.deletionTimestamp, marked.metadata.deletionTimestamp);
  assert.equal((await call('GET', `${ns}/configmaps/held`)).status, 200);

  const released = await call('PATCH', `${ns}/configmaps/held`, { metadata: { finalizers: null } }, MERGE);
  assert.equal(released.status, 200, released.body);
  assert.equal((await call('GET', `${ns}/configmaps/held`)).status, 404, 'removing the last finalizer deletes the object');
});

test('an immediate DELETE answers 200 with a Success Status naming the object', async () => {
  const ns = await namespace('delete-status');
  const created = await ok('POST', `${ns}/configmaps`, configMap('bye'));
  const res = await call('DELETE', `${ns}/configmaps/bye`);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'bye', kind: 'configmaps', uid: created.metadata.uid } });
  const s = await ok('POST', `${ns}/secrets`, secret('bye'));
  const sres = await call('DELETE', `${ns}/secrets/bye`);
  assert.deepEqual(sres.json().details, { name: 'bye', kind: 'secrets', uid: s.metadata.uid });
  // A second DELETE is a 404.
  const missing = await call('DELETE', `${ns}/configmaps/bye`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json().reason, 'NotFound');
});

test('Namespace deletion: Terminating, contents deleted, then the namespace', async () => {
  const ns = await namespace('doomed');
  await ok('POST', `${ns}/configmaps`, configMap('plain'));
  await ok('POST', `${ns}/secrets`, secret('plain'));
  await ok('POST', `${ns}/configmaps`, configMap('held', { finalizers: [HOLD] }));

  const res = await call('DELETE', ns);
  assert.equal(res.status, 200, res.body);
  const terminating = res.json();
  assert.equal(terminating.kind, 'Namespace');
  assert.equal(terminating.status.phase, 'Terminating');
  assert.ok(terminating.metadata.deletionTimestamp);
  assert.deepEqual(terminating.spec.finalizers, ['kubernetes']);

  await eventually('the plain ConfigMap deleted', gone(`${ns}/configmaps/plain`));
  await eventually('the plain Secret deleted', gone(`${ns}/secrets/plain`));
  await eventually('the held ConfigMap marked', async () => !!(await ok('GET', `${ns}/configmaps/held`)).metadata.deletionTimestamp);
  const still = await ok('GET', ns);
  assert.equal(still.status.phase, 'Terminating', 'the namespace waits for its contents');

  await ok('PATCH', `${ns}/configmaps/held`, { metadata: { finalizers: null } }, MERGE);
  await eventually('the namespace gone', gone(ns));
});

test('DeleteOptions preconditions in the body: a uid or resourceVersion mismatch → 409 Conflict', async () => {
  const ns = await namespace('preconditions');
  const created = await ok('POST', `${ns}/configmaps`, configMap('guarded'));
  const wrongUid = await call('DELETE', `${ns}/configmaps/guarded`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } });
  assert.equal(wrongUid.status, 409, wrongUid.body);
  assert.equal(wrongUid.json().reason, 'Conflict');
  assert.equal(wrongUid.json().message, `Operation cannot be fulfilled on configmaps "guarded": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${created.metadata.uid}`);
  const wrongRv = await call('DELETE', `${ns}/configmaps/guarded`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } });
  assert.equal(wrongRv.status, 409, wrongRv.body);
  assert.equal((await call('GET', `${ns}/configmaps/guarded`)).status, 200);
  const right = await call('DELETE', `${ns}/configmaps/guarded`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } });
  assert.equal(right.status, 200, right.body);
  assert.equal((await call('GET', `${ns}/configmaps/guarded`)).status, 404);
});

test('orphanDependents=true in the body orphans like propagationPolicy=Orphan', async () => {
  const ns = await namespace('gc-orphan-body');
  const owner = await createOwner(ns);
  await ok('POST', `${ns}/configmaps`, configMap('dep', { ownerReferences: [ownerRef(owner)] }));
  const res = await call('DELETE', `${ns}/configmaps/owner`, { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: true });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json().metadata.finalizers, ['orphan']);
  await eventually('the owner gone', gone(`${ns}/configmaps/owner`));
  const dep = await ok('GET', `${ns}/configmaps/dep`);
  assert.equal(dep.metadata.ownerReferences, undefined);
});

test('dryRun=All DELETE leaves the object (query or body)', async () => {
  const ns = await namespace('dry-delete');
  const created = await ok('POST', `${ns}/configmaps`, configMap('stay'));
  const res = await call('DELETE', `${ns}/configmaps/stay?dryRun=All`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().status, 'Success');
  const after1 = await ok('GET', `${ns}/configmaps/stay`);
  assert.equal(after1.metadata.resourceVersion, created.metadata.resourceVersion);

  const body = await call('DELETE', `${ns}/configmaps/stay`, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
  assert.equal(body.status, 200, body.body);
  assert.equal((await ok('GET', `${ns}/configmaps/stay`)).metadata.resourceVersion, created.metadata.resourceVersion);

  // With a finalizer: a dry run does not mark the object for deletion either.
  const held = await ok('POST', `${ns}/configmaps`, configMap('held', { finalizers: [HOLD] }));
  assert.equal((await call('DELETE', `${ns}/configmaps/held?dryRun=All`)).status, 200);
  const heldAfter = await ok('GET', `${ns}/configmaps/held`);
  assert.equal(heldAfter.metadata.deletionTimestamp, undefined);
  assert.equal(heldAfter.metadata.resourceVersion, held.metadata.resourceVersion);
  await ok('PATCH', `${ns}/configmaps/held`, { metadata: { finalizers: null } }, MERGE);

  // A dry-run delete of an owner collects nothing.
  const owner = await createOwner(ns);
  await ok('POST', `${ns}/configmaps`, configMap('dep', { ownerReferences: [ownerRef(owner)] }));
  assert.equal((await call('DELETE', `${ns}/configmaps/owner?dryRun=All&propagationPolicy=Orphan`)).status, 200);
  assert.equal((await call('DELETE', `${ns}/configmaps/owner?dryRun=All`)).status, 200);
  const ownerAfter = await ok('GET', `${ns}/configmaps/owner`);
  assert.equal(ownerAfter.metadata.deletionTimestamp, undefined);
  assert.equal(ownerAfter.metadata.finalizers, undefined);
  const dep = await call('GET', `${ns}/configmaps/dep`);
  assert.equal(dep.status, 200);
  assert.deepEqual(dep.json().metadata.ownerReferences, [ownerRef(owner)]);
});

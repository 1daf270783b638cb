import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../storage/store.js';
import { federationCRDs } from '../../openapi/karmada/crds.js';
import { alreadyExists, conflict, notFound, OBJECT_MODIFIED } from '../errors.js';
import { ensureFederationCRDs, SPEC_HASH_ANNOTATION, type CRDStore } from './bootstrap.js';

const GR = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' };

/** A CRD store in memory that counts writes, with resourceVersions checked on update as the registry does. */
class FakeStore implements CRDStore {
  readonly objects = new Map<string, KObject>();
  writes: string[] = [];
  private rv = 0;

  async get(_ns: undefined, name: string): Promise<KObject> {
    const obj = this.objects.get(name);
    if (!obj) throw notFound(GR, name);
    return structuredClone(obj);
  }

  async create(_ns: undefined, obj: KObject): Promise<KObject> {
    const name = obj.metadata!.name;
    if (this.objects.has(name)) throw alreadyExists(GR, name);
    return this.put(`create ${name}`, obj);
  }

  async update(_ns: undefined, name: string, obj: KObject): Promise<KObject> {
    if (obj.metadata?.resourceVersion !== this.objects.get(name)?.metadata?.resourceVersion) throw conflict(GR, name, OBJECT_MODIFIED);
    return this.put(`update ${name}`, obj);
  }

  private put(write: string, obj: KObject): KObject {
    this.writes.push(write);
    const stored = structuredClone(obj);
    stored.metadata!.resourceVersion = String(++this.rv);
    this.objects.set(stored.metadata!.name, stored);
    return structuredClone(stored);
  }
}

const PP = 'propagationpolicies.policy.karmada.io';

test('creates every federation CRD once, then leaves them alone', async () => {
  const store = new FakeStore();
  await ensureFederationCRDs(store);
  assert.deepEqual(store.writes, federationCRDs().map((c) => `create ${c.metadata!.name}`));
  assert.equal(store.objects.size, 8);
  assert.match(store.objects.get(PP)!.metadata!.annotations[SPEC_HASH_ANNOTATION], /^[0-9a-f]{16}$/);
  store.writes = [];
  await ensureFederationCRDs(store);
  assert.deepEqual(store.writes, []);
});

test('server-side defaults in the stored spec are no reason to update', async () => {
  const store = new FakeStore();
  await ensureFederationCRDs(store);
  const stored = store.objects.get(PP)!;
  // What kube's CRD defaulting adds.
  stored.spec.conversion = { strategy: 'None' };
  stored.spec.preserveUnknownFields = false;
  store.writes = [];
  await ensureFederationCRDs(store);
  assert.deepEqual(store.writes, []);
});

test('a CRD from an older Flotilla is updated, keeping its metadata', async () => {
  const store = new FakeStore();
  await ensureFederationCRDs(store);
  const stored = store.objects.get(PP)!;
  // What an older generator may have installed: a field fewer, another hash.
  delete stored.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.preemption;
  stored.metadata!.annotations[SPEC_HASH_ANNOTATION] = 'old';
  stored.metadata!.labels = { keep: 'me' };
  store.writes = [];
  await ensureFederationCRDs(store);
  assert.deepEqual(store.writes, [`update ${PP}`]);
  const updated = store.objects.get(PP)!;
  assert.deepEqual(updated.spec, federationCRDs().find((c) => c.metadata!.name === PP)!.spec);
  assert.deepEqual(updated.metadata!.labels, { keep: 'me' });
});

test('a hand-edited spec is put back', async () => {
  const store = new FakeStore();
  await ensureFederationCRDs(store);
  store.objects.get(PP)!.spec.scope = 'Cluster';
  store.writes = [];
  await ensureFederationCRDs(store);
  assert.deepEqual(store.writes, [`update ${PP}`]);
  assert.equal(store.objects.get(PP)!.spec.scope, 'Namespaced');
});

test('a create lost to another apiserver is read again', async () => {
  const store = new FakeStore();
  const create = store.create.bind(store);
  let raced = false;
  store.create = async (ns, obj) => {
    if (!raced) {
      raced = true;
      await create(ns, obj);
      throw alreadyExists(GR, obj.metadata!.name);
    }
    return create(ns, obj);
  };
  await ensureFederationCRDs(store);
  assert.equal(store.objects.size, 8);
});

test('other errors are the caller’s', async () => {
  const store = new FakeStore();
  store.get = async () => {
    throw new Error('storage down');
  };
  await assert.rejects(ensureFederationCRDs(store), /storage down/);
});

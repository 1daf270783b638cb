import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LevelStore } from '../../storage/leveldb.js';
import { StorageError, type ListOptions, type Store, type WatchOptions } from '../../storage/store.js';
import { SchemaRegistry } from '../../openapi/schemas.js';
import { startAPIRuntime } from '../apiserver.js';
import { APIError } from '../errors.js';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import { Registry } from '../registry/registry.js';
import { GarbageCollector } from './garbagecollector.js';

const logger = pino({ level: 'silent' });
const NS = 'default';

/** store, with listEncoded (what the collector reads its graph with) and watch replaced where given. */
function withStore(store: Store, over: { listEncoded?: Store['listEncoded']; watch?: Store['watch'] }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listEncoded' && over.listEncoded) return over.listEncoded;
      if (prop === 'watch' && over.watch) return over.watch;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

async function withLevelStore(fn: (store: LevelStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-gc-'));
  const store = await LevelStore.open(dir);
  try {
    await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A store whose lists fail once with 'Expired' on the first continued page, as when the history moves past a list's
 * snapshot between two pages.
 */
function expiringOnce(store: Store): Store {
  let expired = false;
  return withStore(store, {
    listEncoded: (prefix: string, opts?: ListOptions) => {
      if (opts?.continue && !expired) {
        expired = true;
        return Promise.reject(new StorageError('Expired', prefix, 'too old'));
      }
      return store.listEncoded(prefix, opts);
    },
  });
}

for (const expire of [false, true]) {
  test(`the graph is read page by page at start${expire ? ', and read again when a continue token expires' : ''}: every page's dependents are collected`, async () => {
    await withLevelStore(async (store) => {
      const registry = new Registry(store);
      registry.add(...BUILTIN_RESOURCES);
      const cms = registry.storeFor(registry.lookup('', 'v1', 'configmaps')!);
      const owner = await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
      const ref = (uid: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }];
      // Written before the collector starts: only its start can find them. Names interleave, so both kinds span pages.
      for (let i = 0; i < 7; i++) {
        await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `a-${i}-kept`, ownerReferences: ref(owner.metadata!.uid) } });
        await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `a-${i}-orphan`, ownerReferences: ref('no-such-uid') } });
      }
      // Owned by a kind nobody serves: not taken for an orphan (a CRD may come), as kube's collector does.
      const widget = [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'widget-uid' }];
      await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'widget-owned', ownerReferences: widget } });
      const gc = new GarbageCollector(registry, expire ? expiringOnce(store) : store, logger, 2);
      try {
        await gc.start();
        await gc.idle();
        const names = async () => (await cms.list(NS, {})).items.map((o) => o.metadata!.name).sort();
        assert.deepEqual(await names(), ['owner', 'widget-owned', ...Array.from({ length: 7 }, (_, i) => `a-${i}-kept`)].sort());
        // The owner's dependents, found on every page, go with it.
        await cms.delete(NS, 'owner');
        await until('the dependents collected with their owner', async () => (await names()).join() === 'widget-owned');
        await assert.rejects(cms.get(NS, 'a-6-kept'), (err: unknown) => err instanceof APIError && err.code === 404);
      } finally {
        gc.stop();
      }
    });
  });
}

test('the apiserver serves while the collector reads its graph; what is written meanwhile is collected once it has', { timeout: 20_000 }, async () => {
  await withLevelStore(async (store) => {
    // The first list of ConfigMaps, the collector's read (nothing else lists them at start), waits for the gate.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let gated = false;
    const gatedStore = withStore(store, {
      listEncoded: async (prefix: string, opts?: ListOptions) => {
        if (!gated && prefix.includes('configmaps')) {
          gated = true;
          await gate;
        }
        return store.listEncoded(prefix, opts);
      },
    });
    const runtime = await startAPIRuntime(gatedStore, new SchemaRegistry(), logger);
    // The runtime serves before the collector has read the graph; it may not have come to ConfigMaps yet.
    await until('the collector to read ConfigMaps', async () => gated);
    try {
      const cms = runtime.registry.storeFor(runtime.registry.lookup('', 'v1', 'configmaps')!);
      const owner = await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
      const ref = (uid: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }];
      await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', ownerReferences: ref(owner.metadata!.uid) } });
      await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', ownerReferences: ref('no-such-uid') } });
      await new Promise((r) => setTimeout(r, 200));
      const names = async () => (await cms.list(NS, {})).items.map((o) => o.metadata!.name).sort();
      assert.deepEqual(await names(), ['kept', 'orphan', 'owner'], 'nothing is collected before the graph is read');
      open();
      await until('the orphan collected', async () => !(await names()).includes('orphan'));
      await cms.delete(NS, 'owner');
      await until('the dependent collected with its owner', async () => (await names()).length === 0);
    } finally {
      open();
      runtime.stop();
    }
  });
});

test('when the writes made during the read have left the history, the graph is read again', async () => {
  await withLevelStore(async (store) => {
    const registry = new Registry(store);
    registry.add(...BUILTIN_RESOURCES);
    const cms = registry.storeFor(registry.lookup('', 'v1', 'configmaps')!);
    await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'no-such-uid' }] } });
    let watches = 0;
    const expiring = withStore(store, {
      watch: (prefix: string, opts: WatchOptions, onEvent) => {
        if (watches++ === 0) throw new StorageError('Expired', prefix, 'too old resource version');
        return store.watch(prefix, opts, onEvent);
      },
    });
    const gc = new GarbageCollector(registry, expiring, logger);
    try {
      await gc.start();
      await gc.idle();
      assert.equal(watches, 2);
      await assert.rejects(cms.get(NS, 'orphan'), (err: unknown) => err instanceof APIError && err.code === 404);
    } finally {
      gc.stop();
    }
  });
});

test('deletions left waiting for the collector (orphan, foreground) are carried out once it starts', async () => {
  await withLevelStore(async (store) => {
    const registry = new Registry(store);
    registry.add(...BUILTIN_RESOURCES);
    const cms = registry.storeFor(registry.lookup('', 'v1', 'configmaps')!);
    const ref = (name: string, uid: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name, uid, blockOwnerDeletion: true }];
    const orphaning = await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphaning' } });
    const foreground = await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreground' } });
    await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'released', ownerReferences: ref('orphaning', orphaning.metadata!.uid) } });
    await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed', ownerReferences: ref('foreground', foreground.metadata!.uid) } });
    // Deleted while no collector runs: each waits on its finalizer, with nothing of it in the graph but that.
    await cms.delete(NS, 'orphaning', { propagationPolicy: 'Orphan' });
    await cms.delete(NS, 'foreground', { propagationPolicy: 'Foreground' });
    const names = async () => (await cms.list(NS, {})).items.map((o) => o.metadata!.name).sort();
    assert.deepEqual(await names(), ['doomed', 'foreground', 'orphaning', 'released']);
    const gc = new GarbageCollector(registry, store, logger);
    try {
      await gc.start();
      await until('both deletions carried out', async () => (await names()).join() === 'released');
      assert.equal((await cms.get(NS, 'released')).metadata?.ownerReferences, undefined, 'the orphaned dependent keeps no reference to its owner');
    } finally {
      gc.stop();
    }
  });
});

test('an object whose owners are taken off leaves the graph, and one given owners by an update joins it', async () => {
  await withLevelStore(async (store) => {
    const registry = new Registry(store);
    registry.add(...BUILTIN_RESOURCES);
    const cms = registry.storeFor(registry.lookup('', 'v1', 'configmaps')!);
    const owner = await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    const ref = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid }];
    await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'released', ownerReferences: ref } });
    await cms.create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'adopted' } });
    const gc = new GarbageCollector(registry, store, logger);
    try {
      await gc.start();
      await gc.idle();
      await cms.guaranteedUpdate(NS, 'released', (cm) => ({ ...cm, metadata: { ...cm.metadata, ownerReferences: undefined } }));
      const adopted = await cms.get(NS, 'adopted');
      await cms.update(NS, 'adopted', { ...adopted, data: { now: 'owned' }, metadata: { ...adopted.metadata, ownerReferences: ref } });
      await gc.idle();
      // A foreground deletion deletes the owner's dependents as the graph holds them.
      await cms.delete(NS, 'owner', { propagationPolicy: 'Foreground' });
      const names = async () => (await cms.list(NS, {})).items.map((o) => o.metadata!.name).sort();
      await until('the owner and its one dependent deleted', async () => (await names()).join() === 'released');
    } finally {
      gc.stop();
    }
  });
});

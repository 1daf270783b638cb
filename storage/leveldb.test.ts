import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LevelStore, type LevelStoreOptions } from './leveldb.js';
import { StorageError, type KObject, type StoreEvent } from './store.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flotilla-storage-'));
}

/** Runs fn against a store in a fresh directory and removes everything afterwards. */
async function withStore(opts: LevelStoreOptions, fn: (store: LevelStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const store = await LevelStore.open(dir, opts);
  try {
    await fn(store, dir);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function cm(name: string, data: Record<string, string> = {}): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, data };
}

const key = (name: string) => `/registry/configmaps/ns/${name}`;
const rvOf = (obj: KObject | undefined) => Number(obj?.metadata?.resourceVersion);
const names = (items: KObject[]) => items.map((o) => o.metadata!.name as string);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof StorageError && err.code === code);
}

function throwsWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof StorageError && err.code === code);
}

test('create, get, update and delete with their errors', async () => {
  await withStore({}, async (store) => {
    const created = await store.create(key('a'), cm('a', { v: '1' }));
    assert.equal(rvOf(created), store.currentResourceVersion());
    assert.deepEqual(await store.get(key('a')), created);
    assert.equal(await store.get(key('missing')), undefined);
    await rejectsWith(store.create(key('a'), cm('a')), 'KeyExists');
    await rejectsWith(store.create(key('b'), created), 'InvalidObject');

    await rejectsWith(store.update(key('a'), cm('a', { v: '2' }), String(rvOf(created) - 1)), 'Conflict');
    await rejectsWith(store.update(key('missing'), cm('missing')), 'KeyNotFound');
    const updated = await store.update(key('a'), cm('a', { v: '2' }), created.metadata!.resourceVersion);
    assert.ok(rvOf(updated) > rvOf(created));
    assert.equal((await store.get(key('a')))!.data.v, '2');

    const unchanged = await store.update(key('a'), cm('a', { v: '2' }));
    assert.equal(rvOf(unchanged), rvOf(updated), 'writing identical content is not a change');
    assert.equal(store.currentResourceVersion(), rvOf(updated));

    await rejectsWith(store.delete(key('a'), { uid: 'someone-else' }), 'Conflict');
    await rejectsWith(store.delete(key('a'), { resourceVersion: created.metadata!.resourceVersion }), 'Conflict');
    await rejectsWith(store.delete(key('missing')), 'KeyNotFound');
    const deleted = await store.delete(key('a'), { uid: 'uid-a', resourceVersion: updated.metadata!.resourceVersion });
    assert.equal(deleted.data.v, '2');
    assert.equal(rvOf(deleted), store.currentResourceVersion());
    assert.ok(rvOf(deleted) > rvOf(updated));
    assert.equal(await store.get(key('a')), undefined);
    await rejectsWith(store.update(key('a'), cm('a')), 'KeyNotFound');
    await store.create(key('a'), cm('a'));
  });
});

test('a fresh store starts above resourceVersion 0', async () => {
  await withStore({}, async (store) => {
    const empty = await store.list('/registry/');
    assert.ok(empty.resourceVersion > 0);
    assert.ok(rvOf(await store.create(key('a'), cm('a'))) > empty.resourceVersion);
  });
});

test('resourceVersion keeps increasing across restarts, deletes included', async () => {
  const dir = await tempDir();
  try {
    let store = await LevelStore.open(dir);
    await store.create(key('a'), cm('a'));
    await store.create(key('b'), cm('b'));
    const deleted = await store.delete(key('b'));
    await store.close();

    store = await LevelStore.open(dir);
    assert.equal(store.currentResourceVersion(), rvOf(deleted), 'the deletion advanced the persisted counter');
    assert.equal(rvOf(await store.create(key('c'), cm('c'))), rvOf(deleted) + 1);
    const last = await store.delete(key('c'));
    await store.close();

    store = await LevelStore.open(dir);
    assert.equal(store.currentResourceVersion(), rvOf(last));
    assert.ok(rvOf(await store.create(key('d'), cm('d'))) > rvOf(last));
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writes after close reject', async () => {
  const dir = await tempDir();
  const store = await LevelStore.open(dir);
  const inflight = store.create(key('a'), cm('a'));
  await store.close();
  assert.equal(rvOf(await inflight), store.currentResourceVersion(), 'close waits for queued writes');
  await assert.rejects(store.create(key('b'), cm('b')), /closed/);
  await assert.rejects(store.delete(key('a')), /closed/);
  await rm(dir, { recursive: true, force: true });
});

test('paginated list shows the first page snapshot despite writes between pages', async () => {
  await withStore({}, async (store) => {
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await store.create(key(n), cm(n, { v: '1' }));
    await store.create('/registry/configmaps/other/x', cm('x'));
    const before = await store.list('/registry/configmaps/ns/');

    const page1 = await store.list('/registry/configmaps/ns/', { limit: 3 });
    assert.deepEqual(names(page1.items), ['a', 'b', 'c']);
    assert.equal(page1.resourceVersion, before.resourceVersion);
    assert.ok(page1.continue);

    await store.update(key('e'), cm('e', { v: '2' }));
    await store.delete(key('f'));
    await store.create(key('dd'), cm('dd'));
    await store.update(key('dd'), cm('dd', { v: '2' }));
    await store.create(key('zz'), cm('zz'));
    await store.update(key('b'), cm('b', { v: '2' }));

    const page2 = await store.list('/registry/configmaps/ns/', { limit: 3, continue: page1.continue });
    assert.equal(page2.resourceVersion, page1.resourceVersion);
    await store.delete(key('g'));
    const page3 = await store.list('/registry/configmaps/ns/', { limit: 3, continue: page2.continue });
    assert.equal(page3.continue, undefined);
    assert.deepEqual([...page1.items, ...page2.items, ...page3.items], before.items);

    const now = await store.list('/registry/configmaps/ns/');
    assert.deepEqual(names(now.items), ['a', 'b', 'c', 'd', 'dd', 'e', 'zz']);
    assert.equal(now.resourceVersion, store.currentResourceVersion());
  });
});

test('a list taken among concurrent writes reports the resourceVersion its data is at', async () => {
  await withStore({}, async (store) => {
    const writes: Promise<KObject>[] = [];
    const lists: Promise<{ rv: number; count: number }>[] = [];
    for (let wave = 0; wave < 40; wave++) {
      for (let i = 0; i < 50; i++) writes.push(store.create(key(`w${wave}-${i}`), cm(`w${wave}-${i}`)));
      // Lists start at varying points of the writer loop, some while a batch is being written.
      await new Promise((resolve) => setImmediate(resolve));
      lists.push(store.list('/registry/configmaps/ns/').then((l) => ({ rv: l.resourceVersion, count: l.items.length })));
    }
    const rvs = (await Promise.all(writes)).map(rvOf);
    for (const { rv, count } of await Promise.all(lists)) {
      assert.equal(count, rvs.filter((r) => r <= rv).length, `list at ${rv} holds exactly the writes up to it`);
    }
  });
});

test('list then watch from its resourceVersion, amid concurrent writes, sees every later change exactly once', async () => {
  await withStore({}, async (store) => {
    const writes: Promise<KObject>[] = [];
    const watches: Promise<{ from: number; rvs: number[] }>[] = [];
    for (let wave = 0; wave < 30; wave++) {
      for (let i = 0; i < 40; i++) writes.push(store.create(key(`w${wave}-${i}`), cm(`w${wave}-${i}`)));
      await new Promise((resolve) => setImmediate(resolve));
      watches.push(
        store.list('/registry/configmaps/ns/', { limit: 1 }).then(({ resourceVersion }) => {
          const rvs: number[] = [];
          store.watch('/registry/configmaps/ns/', { resourceVersion }, (e) => rvs.push(e.rv));
          return { from: resourceVersion, rvs };
        }),
      );
    }
    const written = (await Promise.all(writes)).map(rvOf);
    for (const { from, rvs } of await Promise.all(watches)) {
      assert.deepEqual(rvs, written.filter((r) => r > from), `watch from ${from}`);
    }
  });
});

test('continued pages taken amid concurrent writes all show the first page snapshot', async () => {
  await withStore({}, async (store) => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(key(`p${String(i).padStart(3, '0')}`), cm(`p${i}`))));
    const snapshot = await store.list('/registry/configmaps/ns/');
    const pages: KObject[] = [];
    let page = await store.list('/registry/configmaps/ns/', { limit: 10 });
    pages.push(...page.items);
    const writes: Promise<unknown>[] = [];
    for (let wave = 0; page.continue; wave++) {
      for (let i = 0; i < 10; i++) {
        const n = (wave * 37 + i * 13) % 200;
        const k = key(`p${String(n).padStart(3, '0')}`);
        writes.push(store.guaranteedUpdate(k, (cur) => ({ ...cur, data: { wave: String(wave) } })).catch(() => {}));
        if (i === 0) writes.push(store.delete(k).catch(() => {}));
        writes.push(store.create(key(`p${String(n).padStart(3, '0')}x${wave}`), cm('new')));
      }
      await new Promise((resolve) => setImmediate(resolve));
      page = await store.list('/registry/configmaps/ns/', { limit: 10, continue: page.continue });
      pages.push(...page.items);
    }
    await Promise.all(writes);
    assert.deepEqual(pages, snapshot.items);
  });
});

test('continue tokens: malformed is InvalidContinue, too old is Expired', async () => {
  await withStore({ historyCount: 3, historyAgeMs: 0 }, async (store) => {
    for (const n of ['a', 'b', 'c']) await store.create(key(n), cm(n));
    const page1 = await store.list('/registry/configmaps/ns/', { limit: 1 });

    await rejectsWith(store.list('/registry/configmaps/ns/', { limit: 1, continue: 'not base64!' }), 'InvalidContinue');
    const forged = (token: object) => Buffer.from(JSON.stringify(token)).toString('base64url');
    for (const bad of [
      forged({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }),
      forged({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }),
      forged({ v: 'meta.k8s.io/v1', rv: 2, start: '' }),
      forged({ v: 'meta.k8s.io/v1', rv: 2, start: '../../secrets/x' }),
    ]) {
      await rejectsWith(store.list('/registry/configmaps/ns/', { continue: bad }), 'InvalidContinue');
    }

    await store.update(key('b'), cm('b', { v: '2' }));
    const stillFine = await store.list('/registry/configmaps/ns/', { limit: 1, continue: page1.continue });
    assert.deepEqual(names(stillFine.items), ['b']);
    assert.equal(stillFine.items[0].data.v, undefined, 'page 2 shows b as of page 1');

    for (let i = 0; i < 3; i++) await store.create(key(`n${i}`), cm(`n${i}`));
    await rejectsWith(store.list('/registry/configmaps/ns/', { limit: 1, continue: page1.continue }), 'Expired');
  });
});

test('after a restart, continue tokens work only if the history since the restart covers them', async () => {
  const dir = await tempDir();
  try {
    let store = await LevelStore.open(dir);
    for (const n of ['a', 'b', 'c']) await store.create(key(n), cm(n));
    const unchanged = await store.list('/registry/configmaps/ns/', { limit: 1 });
    await store.close();
    store = await LevelStore.open(dir);
    await store.delete(key('c'));
    const rest = await store.list('/registry/configmaps/ns/', { continue: unchanged.continue });
    assert.deepEqual(names(rest.items), ['b', 'c'], 'rewound with events recorded since the restart');

    const stale = await store.list('/registry/configmaps/ns/', { limit: 1 });
    await store.create(key('d'), cm('d'));
    await store.close();
    store = await LevelStore.open(dir);
    await rejectsWith(store.list('/registry/configmaps/ns/', { continue: stale.continue }), 'Expired');
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('watch replays history then streams live events, in order, without gaps or duplicates', async () => {
  await withStore({}, async (store) => {
    const start = store.currentResourceVersion();
    await store.create(key('a'), cm('a'));
    await store.create('/registry/secrets/ns/s', cm('s'));
    await store.update(key('a'), cm('a', { v: '2' }));

    const seen: StoreEvent[] = [];
    const watcher = store.watch('/registry/configmaps/', { resourceVersion: start }, (e) => seen.push(e));
    assert.deepEqual(
      seen.map((e) => e.type),
      ['ADDED', 'MODIFIED'],
    );
    assert.equal(seen[1].prevObject?.data.v, undefined);

    const live = await Promise.all([
      store.create(key('b'), cm('b')),
      store.delete(key('a')),
      store.create('/registry/secrets/ns/t', cm('t')),
      store.create(key('c'), cm('c')),
    ]);
    // Someone joining mid-stream from the same point sees the same sequence.
    const late: StoreEvent[] = [];
    const lateWatcher = store.watch('/registry/configmaps/', { resourceVersion: start }, (e) => late.push(e));
    await store.update(key('c'), cm('c', { v: '2' }));
    watcher.stop();
    await store.create(key('after-stop'), cm('after-stop'));
    lateWatcher.stop();

    const expected = [
      ['ADDED', key('a')],
      ['MODIFIED', key('a')],
      ['ADDED', key('b')],
      ['DELETED', key('a')],
      ['ADDED', key('c')],
      ['MODIFIED', key('c')],
    ];
    assert.deepEqual(
      seen.map((e) => [e.type, e.key]),
      expected,
    );
    assert.deepEqual(late.map((e) => [e.type, e.key]), [...expected, ['ADDED', key('after-stop')]]);
    const rvs = seen.map((e) => e.rv);
    assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y));
    assert.equal(new Set(rvs).size, rvs.length);
    assert.equal(seen[3].rv, rvOf(live[1]));
    assert.equal(rvOf(seen[3].object), seen[3].rv, 'DELETED carries the deletion resourceVersion');
  });
});

test('watch without resourceVersion sees only future events; too old is Expired, also after restart', async () => {
  const dir = await tempDir();
  try {
    let store = await LevelStore.open(dir);
    const first = await store.create(key('a'), cm('a'));
    const fromNow: StoreEvent[] = [];
    store.watch('/registry/', {}, (e) => fromNow.push(e));
    await store.create(key('b'), cm('b'));
    assert.deepEqual(fromNow.map((e) => e.key), [key('b')]);
    await store.close();

    store = await LevelStore.open(dir);
    const current = store.currentResourceVersion();
    throwsWith(() => store.watch('/registry/', { resourceVersion: rvOf(first) }, () => {}), 'Expired');
    const seen: StoreEvent[] = [];
    store.watch('/registry/', { resourceVersion: current }, (e) => seen.push(e));
    await store.create(key('c'), cm('c'));
    assert.deepEqual(seen.map((e) => e.rv), [current + 1]);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('watch from a resourceVersion not reached yet delivers only the changes after it', async () => {
  await withStore({}, async (store) => {
    const from = store.currentResourceVersion() + 2;
    const seen: number[] = [];
    store.watch('/registry/', { resourceVersion: from }, (e) => seen.push(e.rv));
    for (const n of ['a', 'b', 'c', 'd']) await store.create(key(n), cm(n));
    assert.deepEqual(seen, [from + 1, from + 2]);
  });
});

test('history drops events only beyond the count bound and past the age bound', async () => {
  await withStore({ historyCount: 5, historyAgeMs: 0 }, async (store) => {
    const start = store.currentResourceVersion();
    const rvs: number[] = [];
    for (let i = 0; i < 10; i++) rvs.push(rvOf(await store.create(key(`k${i}`), cm(`k${i}`))));
    throwsWith(() => store.watch('/registry/', { resourceVersion: start }, () => {}), 'Expired');
    throwsWith(() => store.watch('/registry/', { resourceVersion: rvs[3] }, () => {}), 'Expired');
    const seen: number[] = [];
    store.watch('/registry/', { resourceVersion: rvs[4] }, (e) => seen.push(e.rv)).stop();
    assert.deepEqual(seen, rvs.slice(5));
  });
  await withStore({ historyCount: 2, historyAgeMs: 60_000 }, async (store) => {
    const start = store.currentResourceVersion();
    for (let i = 0; i < 10; i++) await store.create(key(`k${i}`), cm(`k${i}`));
    let replayed = 0;
    store.watch('/registry/', { resourceVersion: start }, () => replayed++).stop();
    assert.equal(replayed, 10, 'young events are kept beyond the count bound');
  });
});

test('guaranteedUpdate loses no update under concurrency and treats the same object as a no-op', async () => {
  await withStore({}, async (store) => {
    await store.create(key('counter'), cm('counter', { n: '0' }));
    let attempts = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.guaranteedUpdate(key('counter'), async (cur) => {
          attempts++;
          await new Promise((resolve) => setImmediate(resolve));
          return { ...cur, data: { n: String(Number(cur.data.n) + 1) } };
        }),
      ),
    );
    assert.equal((await store.get(key('counter')))!.data.n, '20');
    assert.ok(attempts > 20, 'concurrent changes forced retries');

    const events: StoreEvent[] = [];
    store.watch('/registry/', {}, (e) => events.push(e));
    const rv = store.currentResourceVersion();
    const same = await store.guaranteedUpdate(key('counter'), (cur) => cur);
    assert.equal(rvOf(same), rv);
    assert.equal(store.currentResourceVersion(), rv);
    await rejectsWith(
      store.guaranteedUpdate(key('missing'), (cur) => cur),
      'KeyNotFound',
    );
    await assert.rejects(
      store.guaranteedUpdate(key('counter'), () => {
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(events.length, 0);
  });
});

test('an update right after a write starts from that write, and what a no-op answers is the caller\'s to change', async () => {
  await withStore({}, async (store) => {
    const events: StoreEvent[] = [];
    store.watch('/registry/', {}, (e) => events.push(e));
    await store.create(key('a'), cm('a', { n: '1' }));
    await store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: String(Number(cur.data.n) + 1) } }));
    const queued = store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: String(Number(cur.data.n) + 1) } }));
    // Queued behind the write above, not yet committed: it still starts from it.
    const second = store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: String(Number(cur.data.n) + 1) } }));
    await Promise.all([queued, second]);
    assert.equal((await store.get(key('a')))!.data.n, '4');
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED']);
    assert.equal(events[2].prevObject, events[1].object, 'a change\'s prevObject is the object the previous change was sent as');

    const same = await store.guaranteedUpdate(key('a'), (cur) => cur);
    same.data.n = 'changed by the caller';
    const again = await store.update(key('a'), { ...(await store.get(key('a')))! });
    again.data.n = 'changed again';
    assert.equal(events.length, 4, 'no-ops');
    assert.equal(events[3].object.data.n, '4', 'what watchers were sent is left alone');
    await store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: `${cur.data.n}+` } }));
    assert.equal((await store.get(key('a')))!.data.n, '4+');

    await store.delete(key('a'));
    await rejectsWith(store.guaranteedUpdate(key('a'), (cur) => cur), 'KeyNotFound');
    await store.create(key('a'), cm('a', { n: 'new' }));
    assert.equal((await store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: `${cur.data.n}!` } }))).data.n, 'new!');
  });
});

test('a failed batch rejects its writes and every queued one, and later writes start from what LevelDB holds', async () => {
  await withStore({}, async (store) => {
    await store.create(key('a'), cm('a', { n: '1' }));
    type Batch = { put(k: string, v: string): void; del(k: string): void; write(): Promise<void>; close(): Promise<void> };
    const db = (store as unknown as { db: { batch: () => Batch } }).db;
    const batch = db.batch.bind(db);
    // The operations are taken as usual; writing them fails.
    db.batch = () => {
      const real = batch();
      return Object.assign(real, { write: () => real.close().then(() => Promise.reject(new Error('disk full'))) });
    };
    const failed = store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: '2' } }));
    const created = store.create(key('b'), cm('b'));
    await assert.rejects(failed, /disk full/);
    await assert.rejects(created, /disk full/);
    db.batch = batch;
    assert.equal((await store.get(key('a')))!.data.n, '1');
    assert.equal(await store.get(key('b')), undefined);
    const next = await store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { n: `${cur.data.n}+` } }));
    assert.equal(next.data.n, '1+', 'the update started from the stored state, not the rejected write');
    assert.equal((await store.create(key('b'), cm('b'))).metadata!.name, 'b');
  });
});

test('writing back the stored object with its members in another order is no change; array order is', async () => {
  await withStore({}, async (store) => {
    const stored = await store.create(key('r'), { ...cm('r', { a: '1', b: '2' }), spec: { list: [1, 2], nested: { x: 1, y: [{ p: 1, q: 2 }] } } });
    const events: StoreEvent[] = [];
    store.watch('/registry/', {}, (e) => events.push(e));
    const rv = store.currentResourceVersion();
    const reordered = (obj: KObject): KObject => ({
      spec: { nested: { y: [{ q: 2, p: 1 }], x: 1 }, list: [1, 2] },
      data: { b: '2', a: '1' },
      metadata: { uid: obj.metadata!.uid, resourceVersion: obj.metadata!.resourceVersion, namespace: 'ns', name: 'r' },
      kind: 'ConfigMap',
      apiVersion: 'v1',
    });
    assert.notEqual(JSON.stringify(reordered(stored)), JSON.stringify(stored));

    assert.equal(rvOf(await store.update(key('r'), reordered(stored), String(rv))), rv);
    assert.equal(rvOf(await store.guaranteedUpdate(key('r'), (cur) => reordered(cur))), rv);
    assert.equal(store.currentResourceVersion(), rv);
    assert.equal(JSON.stringify(await store.get(key('r'))), JSON.stringify(stored), 'the stored text is left as it was');

    const swapped = reordered(stored);
    swapped.spec.list = [2, 1];
    const changed = await store.update(key('r'), swapped);
    assert.ok(rvOf(changed) > rv, 'the order of array elements is content');
    assert.deepEqual(events.map((e) => `${e.type} ${e.rv}`), [`MODIFIED ${rvOf(changed)}`]);
  });
});

test('a write that keeps the text length changes the object unless its content is the same, whatever else holds the new resourceVersion', async () => {
  await withStore({}, async (store) => {
    // spec comes before metadata in the text, and holds the resourceVersion that the next write of the key is given.
    const obj = (v: string): KObject => ({ spec: { resourceVersion: String(store.currentResourceVersion() + 2) }, ...cm('s', { v }) });
    const created = await store.create(key('s'), obj('1'));
    const stored = (await store.get(key('s')))!;
    assert.equal(stored.spec.resourceVersion, String(rvOf(created) + 1));

    const same = await store.update(key('s'), { ...stored, metadata: { ...stored.metadata } });
    assert.equal(rvOf(same), rvOf(created), 'writing back the same content is no change, though the new version appears first in its text');
    assert.equal(rvOf(await store.guaranteedUpdate(key('s'), (cur) => ({ ...cur }))), rvOf(created));
    assert.equal(store.currentResourceVersion(), rvOf(created));

    const moved = await store.update(key('s'), { ...stored, data: { v: '2' } });
    assert.equal(rvOf(moved), rvOf(created) + 1, 'a value of the same length is a change');
    assert.equal((await store.get(key('s')))!.data.v, '2');
  });
});

test('a key written again keeps no older version of its object alive', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await withStore({}, async (store) => {
    // The first version's object, as a watcher had it parsed: once the key has moved on, nothing of the store's may
    // hold it (a chain from each version to the one before grew without end for a key written often).
    let first: WeakRef<KObject> | undefined;
    const watcher = store.watch('/registry/', {}, (e) => {
      if (e.type === 'ADDED') first = new WeakRef(e.object);
      else void e.prevObject;
    });
    await store.create(key('v'), cm('v', { n: '0' }));
    for (let n = 1; n <= 3; n++) await store.guaranteedUpdate(key('v'), (cur) => ({ ...cur, data: { n: String(n) } }));
    watcher.stop();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.ok(first, 'the watcher saw the create');
    assert.equal(first.deref(), undefined);
    assert.equal((await store.get(key('v')))!.data.n, '3');
  });
});

test('countRemaining: pages report how many objects follow them, as of the first page', async () => {
  await withStore({}, async (store) => {
    const prefix = '/registry/configmaps/ns/';
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await store.create(key(n), cm(n));
    await store.create('/registry/configmaps/other/x', cm('x'));
    const page1 = await store.list(prefix, { limit: 2, countRemaining: true });
    assert.equal(page1.remainingItemCount, 5);
    assert.equal((await store.list(prefix, { limit: 2 })).remainingItemCount, undefined, 'counted only when asked');
    assert.equal((await store.listEncoded(prefix, { limit: 2, countRemaining: true })).remainingItemCount, 5);

    // Later pages count the first page's snapshot: the new key, the deletion and the update are not seen.
    await store.create(key('dd'), cm('dd'));
    await store.delete(key('f'));
    await store.update(key('g'), cm('g', { v: '2' }));
    await store.create(key('zz'), cm('zz'));
    const page2 = await store.list(prefix, { limit: 2, continue: page1.continue, countRemaining: true });
    assert.deepEqual(names(page2.items), ['c', 'd']);
    assert.equal(page2.remainingItemCount, 3);
    const page3 = await store.list(prefix, { limit: 2, continue: page2.continue, countRemaining: true });
    assert.deepEqual(names(page3.items), ['e', 'f']);
    assert.equal(page3.remainingItemCount, 1);
    const page4 = await store.list(prefix, { limit: 2, continue: page3.continue, countRemaining: true });
    assert.deepEqual(names(page4.items), ['g']);
    assert.equal(page4.continue, undefined);
    assert.equal(page4.remainingItemCount, undefined, 'the last page has nothing after it to count');

    // A token without a count (as kube-apiserver writes them), or with one that cannot be right, is counted again.
    const bare = (token: string, remaining?: unknown) => {
      const t = JSON.parse(Buffer.from(token, 'base64url').toString());
      return Buffer.from(JSON.stringify({ v: t.v, rv: t.rv, start: t.start, ...(remaining === undefined ? {} : { remaining }) })).toString('base64url');
    };
    for (const remaining of [undefined, 2, -1, 'x', 1.5]) {
      const again = await store.list(prefix, { limit: 2, continue: bare(page1.continue!, remaining), countRemaining: true });
      assert.equal(again.remainingItemCount, 3, `token count ${String(remaining)}`);
    }
    // The count a token carries is what later pages subtract from, without reading the rest of the range.
    assert.equal((await store.list(prefix, { limit: 2, continue: bare(page1.continue!, 40), countRemaining: true })).remainingItemCount, 38);

    const now = await store.list(prefix, { limit: 3, countRemaining: true });
    assert.equal(now.remainingItemCount, 5, 'a new list counts the current state: d, dd, e, g and zz follow c');
    assert.equal((await store.list(prefix, { limit: 8, countRemaining: true })).remainingItemCount, undefined);
  });
});

test('group commit keeps every one of many concurrent writes, in resourceVersion order', async () => {
  await withStore({}, async (store) => {
    const events: number[] = [];
    store.watch('/registry/', {}, (e) => events.push(e.rv));
    const before = store.currentResourceVersion();
    const created = await Promise.all(
      Array.from({ length: 1500 }, (_, i) => store.create(key(`g${String(i).padStart(4, '0')}`), cm(`g${i}`))),
    );
    // Conflicts inside one batch are still caught.
    const dupes = await Promise.allSettled([store.create(key('dup'), cm('dup')), store.create(key('dup'), cm('dup'))]);
    assert.deepEqual(
      dupes.map((r) => r.status),
      ['fulfilled', 'rejected'],
    );

    const rvs = created.map(rvOf);
    assert.deepEqual(rvs, Array.from({ length: 1500 }, (_, i) => before + 1 + i));
    assert.deepEqual(events, [...rvs, before + 1501]);
    const listed = await store.list('/registry/configmaps/ns/');
    assert.equal(listed.items.length, 1501);
  });
});

test('acknowledged writes survive SIGKILL of the writing process', async () => {
  const dir = await tempDir();
  try {
    const writer = fileURLToPath(new URL('./testdata/writer.js', import.meta.url));
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let creates = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      // Killed once it has acknowledged 1,500 creates (a create split across two chunks is not counted: no matter).
      creates += chunk.match(/^create /gm)?.length ?? 0;
      if (creates >= 1500 && child.exitCode === null) child.kill('SIGKILL');
    });
    const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (code, sig) => resolve([code, sig])),
    );
    assert.equal(signal, 'SIGKILL');

    const acked = new Map<string, { op: string; rv: number }>();
    let maxRv = 0;
    for (const line of output.split('\n').slice(0, -1)) {
      const [op, k, rv] = line.split(' ');
      // A delete sent but not acknowledged may or may not have been stored: the create's rv stays the expectation.
      if (op === 'deleting') {
        acked.set(k, { ...acked.get(k)!, op });
        continue;
      }
      acked.set(k, { op, rv: Number(rv) });
      assert.ok(Number(rv) > 0);
      maxRv = Math.max(maxRv, Number(rv));
    }
    assert.ok(acked.size > 1000);

    const store = await LevelStore.open(dir);
    try {
      assert.ok(store.currentResourceVersion() >= maxRv);
      for (const [k, { op, rv }] of acked) {
        const obj = await store.get(k);
        if (op === 'delete') assert.equal(obj, undefined, `${k} stays deleted`);
        else if (op === 'deleting') assert.ok(obj === undefined || rvOf(obj) === rv, `${k} is created or deleted`);
        else assert.equal(rvOf(obj), rv, `${k} survived`);
      }
      const { items } = await store.list('/registry/durability/');
      const rvs = items.map(rvOf);
      assert.equal(new Set(rvs).size, rvs.length, 'resourceVersions are unique');
      assert.ok(rvOf(await store.create('/registry/durability/after', cm('after'))) > maxRv);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

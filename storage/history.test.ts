import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventHistory } from './history.js';
import { LevelStore, type LevelStoreOptions } from './leveldb.js';
import { StorageError, type KObject, type StoreEvent } from './store.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const key = (name: string) => `/registry/configmaps/ns/${name}`;
const cm = (name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data });
const rvOf = (obj: KObject) => Number(obj.metadata?.resourceVersion);
/** A distinct string of about `size` characters, as a fresh read of stored JSON would be. */
const text = (i: number, size: number) => JSON.stringify({ i, data: 'x'.repeat(size) });
const copy = (s: string) => Buffer.from(s).toString();

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function withStore(opts: LevelStoreOptions, fn: (store: LevelStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-history-'));
  const store = await LevelStore.open(dir, opts);
  try {
    await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function throwsExpired(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof StorageError && err.code === 'Expired');
}

test('the byte budget drops old events however young and few, and a watch from before them is Expired', async () => {
  const data = { blob: 'x'.repeat(1000) };
  await withStore({ historyCount: 10_000, historyAgeMs: 60_000, historyBytes: 10_000 }, async (store) => {
    const start = store.currentResourceVersion();
    const rvs: number[] = [];
    for (let i = 0; i < 20; i++) rvs.push(rvOf(await store.create(key(`k${String(i).padStart(2, '0')}`), cm(`k${i}`, data))));

    throwsExpired(() => store.watch('/registry/', { resourceVersion: start }, () => {}));
    const seen: number[] = [];
    const oldestKept = rvs.findIndex((rv) => {
      try {
        store.watch('/registry/', { resourceVersion: rv }, (e) => seen.push(e.rv)).stop();
        return true;
      } catch (err) {
        assert.ok(err instanceof StorageError && err.code === 'Expired');
        return false;
      }
    });
    // About 1.1 KB per event within 10,000 bytes: the newest eight or nine stay.
    assert.ok(oldestKept >= 10 && oldestKept <= 12, `history reaches back to after event ${oldestKept} of 20`);
    assert.deepEqual(seen, rvs.slice(oldestKept + 1));
  });
});

test('a continued list older than what the byte budget keeps is Expired', async () => {
  const data = { blob: 'x'.repeat(1000) };
  await withStore({ historyCount: 10_000, historyAgeMs: 60_000, historyBytes: 10_000 }, async (store) => {
    for (const n of ['a', 'b', 'c']) await store.create(key(n), cm(n, data));
    const page1 = await store.list('/registry/configmaps/', { limit: 1 });
    await store.update(key('b'), cm('b', { v: '2' }));
    const page2 = await store.list('/registry/configmaps/', { limit: 1, continue: page1.continue });
    assert.equal(page2.items[0].data.blob, data.blob, 'b as of page 1, rewound through the history');
    for (let i = 0; i < 10; i++) await store.create(key(`n${i}`), cm(`n${i}`, data));
    await assert.rejects(store.list('/registry/configmaps/', { limit: 1, continue: page1.continue }), (err: unknown) => err instanceof StorageError && err.code === 'Expired');
  });
});

test('dropped events are released at once, before the array is compacted', () => {
  const before = heapUsed();
  const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: 4 * MiB }, 1);
  for (let rv = 2; rv < 102; rv++) {
    history.append({ type: 'ADDED', key: key(`k${rv}`), rv, json: text(rv, MiB) }, Date.now());
    history.trim(Date.now());
  }
  const retained = heapUsed() - before;
  assert.equal([...history.between(0)].length, 3, 'three 1 MiB events fit in 4 MiB');
  assert.ok(retained < 16 * MiB, `100 MiB appended, ${(retained / MiB).toFixed(1)} MiB retained`);
  assert.equal(history.completeAfter, 98);
});

test("an event's previous version shares the text of the key's previous event", () => {
  const before = heapUsed();
  const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: Infinity }, 1);
  let previous: string | undefined;
  for (let rv = 2; rv < 42; rv++) {
    const json = text(rv, MiB);
    // As LevelStore hands them over: prevJson read back from the database, an equal string but not the same one.
    history.append({ type: previous ? 'MODIFIED' : 'ADDED', key: key('a'), rv, json, prevJson: previous && copy(previous) }, Date.now());
    previous = json;
  }
  previous = undefined;
  const retained = heapUsed() - before;
  assert.ok(retained > 38 * MiB && retained < 50 * MiB, `40 versions of 1 MiB retain ${(retained / MiB).toFixed(1)} MiB`);
});

test('the byte count includes a shared text once, and still counts it after the event that shared it is dropped', () => {
  const size = 1000;
  // Five of the longest texts below.
  const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: 5 * text(10, size).length }, 1);
  let previous: string | undefined;
  for (let rv = 2; rv < 12; rv++) {
    const json = text(rv, size);
    history.append({ type: previous ? 'MODIFIED' : 'ADDED', key: key('a'), rv, json, prevJson: previous && copy(previous) }, Date.now());
    history.trim(Date.now());
    previous = json;
    // Counted once per version, as long as the first version is kept: five fit.
    if (rv === 6) assert.equal([...history.between(0)].length, 5);
  }
  // Four versions and the text before the oldest of them, which that one keeps as its prevJson.
  assert.deepEqual(
    [...history.between(0)].map((e) => e.rv),
    [8, 9, 10, 11],
  );
  assert.equal(history.completeAfter, 7);
});

test('replay parses the kept text into the objects the live events carried', async () => {
  await withStore({}, async (store) => {
    const start = store.currentResourceVersion();
    const live: StoreEvent[] = [];
    store.watch('/registry/', {}, (e) => live.push(e));
    await store.create(key('a'), cm('a', { v: '1' }));
    await store.update(key('a'), cm('a', { v: '2' }));
    await store.guaranteedUpdate(key('a'), (cur) => ({ ...cur, data: { v: '3' } }));
    await store.create(key('b'), cm('b'));
    await store.delete(key('a'));

    const replayed: StoreEvent[] = [];
    store.watch('/registry/configmaps/', { resourceVersion: start }, (e) => replayed.push(e)).stop();
    const shape = (e: StoreEvent) => ({ type: e.type, key: e.key, rv: e.rv, object: e.object, prevObject: e.prevObject, json: e.json });
    assert.deepEqual(replayed.map(shape), live.map(shape));
    assert.deepEqual(
      replayed.map((e) => [e.type, e.object.data?.v, e.prevObject?.data?.v]),
      [
        ['ADDED', '1', undefined],
        ['MODIFIED', '2', '1'],
        ['MODIFIED', '3', '2'],
        ['ADDED', undefined, undefined],
        ['DELETED', '3', '3'],
      ],
    );
    const deleted = replayed[4];
    assert.equal(rvOf(deleted.object), deleted.rv, 'a DELETED object carries the deletion resourceVersion');
    assert.equal(rvOf(deleted.prevObject!), replayed[2].rv);
  });
});

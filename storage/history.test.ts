import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateRawSync } from 'node:zlib';
import { DEFLATED, EventHistory, PLAIN } from './history.js';
import { LevelStore, type LevelStoreOptions } from './leveldb.js';
import { StorageError, type KObject, type StoreEvent } from './store.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const key = (name: string) => `/registry/configmaps/ns/${name}`;
const cm = (name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data });
const rvOf = (obj: KObject) => Number(obj.metadata?.resourceVersion);
/**
 * `size` characters, the same for the same seed, that deflate shrinks only to about three quarters (the history keeps
 * its texts deflated): base64 of digests.
 */
function noise(seed: string | number, size: number): string {
  const parts: string[] = [];
  for (let j = 0, n = 0; n < size; j++, n += 88) parts.push(createHash('sha512').update(`${seed}:${j}`).digest('base64'));
  return parts.join('').slice(0, size);
}
/** A distinct string of about `size` characters, as a fresh read of stored JSON would be. */
const text = (i: number, size: number) => JSON.stringify({ i, data: noise(i, size) });
/** What the history counts of a text. */
const deflated = (s: string) => deflateRawSync(s, { level: 1, windowBits: 12, memLevel: 4 }).length;
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
  await withStore({ historyCount: 10_000, historyAgeMs: 60_000, historyBytes: 10_000 }, async (store) => {
    const start = store.currentResourceVersion();
    const rvs: number[] = [];
    for (let i = 0; i < 20; i++) rvs.push(rvOf(await store.create(key(`k${String(i).padStart(2, '0')}`), cm(`k${i}`, { blob: noise(i, 1400) }))));

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
    // About 1.1 KB per event deflated within 10,000 bytes: the newest eight or nine stay.
    assert.ok(oldestKept >= 10 && oldestKept <= 12, `history reaches back to after event ${oldestKept} of 20`);
    assert.deepEqual(seen, rvs.slice(oldestKept + 1));
  });
});

test('a continued list older than what the byte budget keeps is Expired', async () => {
  await withStore({ historyCount: 10_000, historyAgeMs: 60_000, historyBytes: 10_000 }, async (store) => {
    for (const n of ['a', 'b', 'c']) await store.create(key(n), cm(n, { blob: noise(n, 1400) }));
    const page1 = await store.list('/registry/configmaps/', { limit: 1 });
    await store.update(key('b'), cm('b', { v: '2' }));
    const page2 = await store.list('/registry/configmaps/', { limit: 1, continue: page1.continue });
    assert.equal(page2.items[0].data.blob, noise('b', 1400), 'b as of page 1, rewound through the history');
    for (let i = 0; i < 10; i++) await store.create(key(`n${i}`), cm(`n${i}`, { blob: noise(i, 1400) }));
    await assert.rejects(store.list('/registry/configmaps/', { limit: 1, continue: page1.continue }), (err: unknown) => err instanceof StorageError && err.code === 'Expired');
  });
});

test('dropped events are released at once, before the array is compacted', () => {
  const before = heapUsed();
  const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: MiB }, 1);
  for (let rv = 2; rv < 102; rv++) {
    history.append({ type: 'ADDED', key: key(`k${rv}`), rv, json: text(rv, MiB / 4) }, Date.now());
    history.trim(Date.now());
  }
  const retained = heapUsed() - before;
  // A text of 256 KiB deflates to about 195 KiB: five fit in 1 MiB.
  const kept = [...history.between(0)].length;
  assert.equal(kept, Math.floor(MiB / deflated(text(100, MiB / 4))));
  assert.ok(retained < 4 * MiB, `25 MiB appended, ${(retained / MiB).toFixed(1)} MiB retained`);
  assert.equal(history.completeAfter, 101 - kept);
});

test("an event's previous version shares the text of the key's previous event", () => {
  const before = heapUsed();
  const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: Infinity }, 1);
  let previous: string | undefined;
  for (let rv = 2; rv < 42; rv++) {
    const json = text(rv, MiB / 4);
    // As LevelStore hands them over: prevJson read back from the database, an equal string but not the same one.
    history.append({ type: previous ? 'MODIFIED' : 'ADDED', key: key('a'), rv, json, prevJson: previous && copy(previous) }, Date.now());
    previous = json;
  }
  previous = undefined;
  const retained = heapUsed() - before;
  const once = 40 * deflated(text(2, MiB / 4));
  assert.ok(retained > 0.95 * once && retained < 1.25 * once, `40 versions of 256 KiB, ${(once / MiB).toFixed(1)} MiB deflated, retain ${(retained / MiB).toFixed(1)} MiB`);
  assert.deepEqual(
    [...history.between(0)].slice(-2).map((e) => e.prevJson === text(e.rv - 1, MiB / 4)),
    [true, true],
    'each version keeps the one before it',
  );
});

test("a previous version other than the text of the key's last event is kept as it was given", () => {
  for (const codec of [DEFLATED, PLAIN]) {
    const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: Infinity }, 1, codec);
    history.append({ type: 'ADDED', key: key('a'), rv: 2, json: text(2, 100) }, Date.now());
    history.append({ type: 'MODIFIED', key: key('a'), rv: 3, json: text(3, 100), prevJson: text(1, 50) }, Date.now());
    history.append({ type: 'DELETED', key: key('a'), rv: 4, prevJson: text(3, 100) }, Date.now());
    assert.deepEqual(
      [...history.between(0)].map((e) => [e.type, e.json, e.prevJson]),
      [
        ['ADDED', text(2, 100), undefined],
        ['MODIFIED', text(3, 100), text(1, 50)],
        ['DELETED', undefined, text(3, 100)],
      ],
    );
  }
});

test('the budget counts deflated text, or plain text in a store that keeps it plain', async () => {
  /** How many events the history holds: what a watch from its oldest retained version replays. */
  const retained = (store: LevelStore, from: number): number => {
    for (let rv = from; ; rv++) {
      try {
        let n = 0;
        store.watch('/registry/', { resourceVersion: rv }, () => n++).stop();
        return n;
      } catch (err) {
        assert.ok(err instanceof StorageError && err.code === 'Expired');
      }
    }
  };
  // 20 events of 1 KB of text that deflates to almost nothing.
  for (const [deflateHistory, expected] of [[true, [20, 20]], [false, [8, 9]]] as const) {
    await withStore({ historyCount: 10_000, historyAgeMs: 60_000, historyBytes: 10_000, deflateHistory }, async (store) => {
      const start = store.currentResourceVersion();
      for (let i = 0; i < 20; i++) await store.create(key(`k${i}`), cm(`k${i}`, { blob: 'x'.repeat(1000) }));
      const n = retained(store, start);
      assert.ok(n >= expected[0] && n <= expected[1], `deflateHistory ${deflateHistory}: ${n} of 20 events kept within 10,000 bytes`);
    });
  }
});

test('the byte count includes a shared text once, and still counts it after the event that shared it is dropped', () => {
  const size = 1000;
  // Five of the longest texts below, deflated.
  const longest = Math.max(...Array.from({ length: 10 }, (_, i) => deflated(text(i + 2, size))));
  const history = new EventHistory({ count: 1000, ageMs: 60_000, bytes: 5 * longest }, 1);
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

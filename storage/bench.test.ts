import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLevelPuts, benchStorageList, benchStorageWrites } from './bench.js';
import { LevelStore } from './leveldb.js';

const objects = Array.from({ length: 300 }, (_, i) => ({ kind: 'ConfigMap', metadata: { name: 'same' }, data: { i: String(i) } }));

test('benchStorageWrites stores every object and reports sane latencies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
  try {
    const result = await benchStorageWrites(dir, objects, 16);
    assert.ok(result.opsPerSec > 0);
    assert.ok(result.p50Ms > 0 && result.p50Ms <= result.p99Ms);
    const store = await LevelStore.open(dir);
    const { items } = await store.list('/registry/');
    await store.close();
    assert.deepEqual(
      items.map((o) => o.data.i),
      objects.map((o) => o.data.i),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('benchLevelPuts measures plain puts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
  try {
    const result = await benchLevelPuts(dir, objects, 16);
    assert.ok(result.opsPerSec > 0);
    assert.ok(result.p50Ms > 0 && result.p50Ms <= result.p99Ms);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('benchStorageList: a paged list of large objects waits a few turns of a busy event loop, not one per handful of objects', async () => {
  // Each step of a read waits for the event loop: on a busy apiserver, one per 16 KiB (classic-level's default step)
  // made one page of 500 Works take seconds. Counting turns, not time, keeps the check independent of the machine.
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
  try {
    const result = await benchStorageList(dir, { objects: 200, objectBytes: 8 * 1024, pageSize: 150, lists: 1, concurrency: 1, busyTurnMs: 2 });
    // 1.6 MiB of values in two pages: 100 or more steps of 16 KiB; a few steps a page otherwise.
    assert.ok(result.turnsPerList > 0 && result.turnsPerList < 30, `${result.turnsPerList} turns of the event loop for two pages`);
    assert.ok(result.msPerList > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLevelPuts, benchStorageWrites } from './bench.js';
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

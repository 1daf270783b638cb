// Raw write ceilings under the apiserver: LevelStore creates (validation, resourceVersion, group commit, events) and,
// for comparison, plain classic-level puts of the same JSON. Each run expects a fresh directory.
import { performance } from 'node:perf_hooks';
import { ClassicLevel } from 'classic-level';
import { LevelStore } from './leveldb.js';
import type { KObject } from './store.js';

export interface WriteBenchResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export async function benchStorageWrites(dir: string, objects: KObject[], concurrency: number): Promise<WriteBenchResult> {
  const store = await LevelStore.open(dir);
  try {
    return await measure(objects.length, concurrency, (i) => store.create(benchKey(i), objects[i]));
  } finally {
    await store.close();
  }
}

export async function benchLevelPuts(dir: string, objects: KObject[], concurrency: number): Promise<WriteBenchResult> {
  const db = new ClassicLevel<string, string>(dir);
  await db.open();
  try {
    return await measure(objects.length, concurrency, (i) => db.put(benchKey(i), JSON.stringify(objects[i])));
  } finally {
    await db.close();
  }
}

// Keys come from the position, not the object, so duplicate names in the input cannot turn creates into failures.
function benchKey(i: number): string {
  return `/registry/bench/${String(i).padStart(8, '0')}`;
}

async function measure(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<WriteBenchResult> {
  const latencies = new Float64Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const started = performance.now();
      await op(i);
      latencies[i] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort();
  const percentile = (p: number) => (n === 0 ? 0 : latencies[Math.min(n - 1, Math.floor(p * n))]);
  return { opsPerSec: elapsedMs > 0 ? (n * 1000) / elapsedMs : 0, p50Ms: percentile(0.5), p99Ms: percentile(0.99) };
}

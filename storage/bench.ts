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

export interface ListBenchOptions {
  objects: number;
  /** Bytes of data in each object. */
  objectBytes: number;
  pageSize: number;
  /** Paged lists of the whole collection, run one after the other. */
  lists: number;
  /** Lists read at once: an apiserver's garbage collector, controller-manager and scheduler list together. */
  concurrency: number;
  /** CPU each turn of the event loop takes meanwhile, as a loaded server's turns do (0: an idle loop). */
  busyTurnMs: number;
}

export interface ListBenchResult {
  /** Mean time of one paged list of the whole collection. */
  msPerList: number;
  /** Turns of the event loop one list waited through: a read that takes many steps waits a turn for each. */
  turnsPerList: number;
}

/**
 * Paged LevelStore lists (listEncoded, as the apiserver serves them) of a collection of large objects, while the
 * event loop is kept busy: what a controller's start-up list of Works meets on a loaded apiserver.
 */
export async function benchStorageList(dir: string, o: ListBenchOptions): Promise<ListBenchResult> {
  const store = await LevelStore.open(dir);
  try {
    const data = { bytes: 'x'.repeat(o.objectBytes) };
    await measure(o.objects, 32, (i) => store.create(benchKey(i), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `o${i}`, namespace: 'bench' }, data }));
    const listAll = async () => {
      let token: string | undefined;
      do token = (await store.listEncoded('/registry/bench/', { limit: o.pageSize, continue: token })).continue;
      while (token);
    };
    let turns = 0;
    let busy = true;
    const turn = () => {
      turns++;
      const until = performance.now() + o.busyTurnMs;
      while (performance.now() < until);
      if (busy) setImmediate(turn);
    };
    setImmediate(turn);
    const started = performance.now();
    try {
      for (let done = 0; done < o.lists; done += o.concurrency) await Promise.all(Array.from({ length: Math.min(o.concurrency, o.lists - done) }, listAll));
    } finally {
      busy = false;
    }
    const elapsedMs = performance.now() - started;
    return { msPerList: (elapsedMs * o.concurrency) / o.lists, turnsPerList: (turns * o.concurrency) / o.lists };
  } finally {
    await store.close();
  }
}

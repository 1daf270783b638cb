import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue, type Reconcile, type WorkQueueOptions } from './workqueue.js';

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Awaits p while holding a ref'd timer: the queue's own timers are unref'd, so a test waiting only on them would
 * otherwise let the event loop end.
 */
async function alive<T>(p: Promise<T>, timeoutMs = 3000): Promise<T> {
  const t = setTimeout(() => {}, timeoutMs);
  try {
    return await p;
  } finally {
    clearTimeout(t);
  }
}

/** Resolves once cond() holds, polling; fails after timeoutMs. */
async function until(cond: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Resolves true when p settles within ms, false otherwise. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

interface Harness<K> {
  q: WorkQueue<K>;
  calls: K[];
  times: number[];
  errors: [K, unknown][];
}

function queue<K>(reconcile: Reconcile<K>, opts: WorkQueueOptions = {}): Harness<K> {
  const h: Harness<K> = { q: undefined as unknown as WorkQueue<K>, calls: [], times: [], errors: [] };
  h.q = new WorkQueue<K>(
    async (key) => {
      h.calls.push(key);
      h.times.push(performance.now());
      return reconcile(key);
    },
    (key, err) => h.errors.push([key, err]),
    opts,
  );
  return h;
}

test('a key is queued at most once', async () => {
  const block = gate();
  const h = queue<string>(async (key) => {
    if (key === 'x') await block.promise;
  });
  h.q.add('x'); // starts at once and holds the only worker
  for (const k of ['a', 'b', 'a', 'a', 'b', 'c']) h.q.add(k);
  assert.equal(h.q.length, 3);
  assert.deepEqual(h.calls, ['x']);
  block.open();
  await h.q.idle();
  assert.deepEqual(h.calls, ['x', 'a', 'b', 'c']);
  assert.equal(h.q.length, 0);
  h.q.stop();
});

test('a deep queue that is refilled while it drains keeps first-in, first-out order', async () => {
  const total = 20_000;
  let next = 10_000;
  const seen = new Set<number>();
  const block = gate();
  const h = queue<number>(async (key) => {
    if (key < 0) return block.promise;
    // Each run adds one new key at the back, and every thousandth key re-adds itself the first time it runs.
    if (next < total) h.q.add(next++);
    if (key % 1000 === 0 && !seen.has(key)) h.q.add(key);
    seen.add(key);
  });
  h.q.add(-1); // holds the only worker while the queue fills
  for (let k = 0; k < 10_000; k++) h.q.add(k);
  block.open();
  await alive(h.q.idle(), 10_000);
  const expected = Array.from({ length: total }, (_, i) => i);
  assert.deepEqual([...new Set(h.calls)].slice(1), expected);
  assert.equal(h.calls.length, 1 + total + total / 1000);
  assert.equal(h.q.length, 0);
  h.q.stop();
});

test('a key added while it is processed runs once more afterwards, never concurrently with itself', async () => {
  const blocks = [gate(), gate()];
  let running = 0;
  let maxRunning = 0;
  let aCalls = 0;
  const h = queue<string>(
    async (key) => {
      if (key !== 'a') return;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await blocks[Math.min(aCalls++, 1)].promise;
      running--;
    },
    { workers: 3 },
  );
  h.q.add('a');
  h.q.add('a');
  h.q.add('a');
  h.q.add('b'); // another worker is free and takes b meanwhile
  await until(() => h.calls.includes('b'), 2000, 'b to run');
  assert.deepEqual(h.calls, ['a', 'b']);
  assert.equal(h.q.length, 0, 'the re-added key waits outside the queue');
  blocks[0].open();
  await until(() => h.calls.length === 3, 2000, 'a to run again');
  assert.deepEqual(h.calls, ['a', 'b', 'a']);
  h.q.add('a'); // dirty again during the second run
  blocks[1].open();
  await h.q.idle();
  assert.deepEqual(h.calls, ['a', 'b', 'a', 'a']);
  assert.equal(maxRunning, 1);
  h.q.stop();
});

test('workers bound the concurrency and onDequeue reports depth and wait', async () => {
  const blocks = new Map<string, Gate>(['a', 'b', 'c', 'd'].map((k) => [k, gate()]));
  let running = 0;
  let maxRunning = 0;
  const dequeues: [number, number][] = [];
  const h = queue<string>(
    async (key) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await blocks.get(key)!.promise;
      running--;
    },
    { workers: 2, onDequeue: (depth, waited) => dequeues.push([depth, waited]) },
  );
  for (const k of ['a', 'b', 'c', 'd']) h.q.add(k);
  assert.deepEqual(h.calls, ['a', 'b']);
  assert.equal(h.q.length, 2);
  await sleep(20);
  blocks.get('a')!.open();
  await until(() => h.calls.length === 3);
  blocks.get('b')!.open();
  blocks.get('c')!.open();
  blocks.get('d')!.open();
  await h.q.idle();
  assert.deepEqual(h.calls, ['a', 'b', 'c', 'd']);
  assert.equal(maxRunning, 2);
  assert.deepEqual(
    dequeues.map(([depth]) => depth),
    [0, 0, 1, 0], // a and b start as they are added; c leaves d behind
  );
  assert.ok(dequeues[2][1] >= 15, `c waited while a ran (${dequeues[2][1]} ms)`);
  h.q.stop();
});

test('a failing key is retried with exponential backoff and reported to onError', async () => {
  const boom = [new Error('first'), new Error('second')];
  let n = 0;
  const done = gate();
  const h = queue<string>(
    async () => {
      if (n < boom.length) throw boom[n++];
      done.open();
    },
    { baseDelayMs: 40 },
  );
  h.q.add('k');
  await alive(done.promise);
  assert.deepEqual(h.calls, ['k', 'k', 'k']);
  assert.deepEqual(h.errors, [
    ['k', boom[0]],
    ['k', boom[1]],
  ]);
  const gap1 = h.times[1] - h.times[0];
  const gap2 = h.times[2] - h.times[1];
  assert.ok(gap1 >= 38, `first retry after the base delay (${gap1.toFixed(1)} ms)`);
  assert.ok(gap2 >= 78, `second retry after twice the base delay (${gap2.toFixed(1)} ms)`);
  h.q.stop();
});

test('backoff is capped by maxDelayMs', async () => {
  let failuresLeft = 4;
  const done = gate();
  const h = queue<string>(
    async () => {
      if (failuresLeft-- > 0) throw new Error('fail');
      done.open();
    },
    { baseDelayMs: 50, maxDelayMs: 60 },
  );
  h.q.add('k'); // retries after 50, 60 (not 100), 60 (not 200), 60 (not 400)
  await alive(done.promise);
  assert.equal(h.calls.length, 5);
  const gap = h.times[4] - h.times[3];
  assert.ok(gap >= 58 && gap < 300, `capped fourth retry (${gap.toFixed(1)} ms)`);
  h.q.stop();
});

test('a success resets the backoff of its key', async () => {
  let failuresLeft = 1;
  let done = gate();
  const h = queue<string>(
    async () => {
      if (failuresLeft-- > 0) throw new Error('fail');
      done.open();
    },
    { baseDelayMs: 60 },
  );
  h.q.add('k');
  await alive(done.promise);
  failuresLeft = 1;
  done = gate();
  h.q.add('k');
  await alive(done.promise);
  assert.equal(h.calls.length, 4);
  const gap = h.times[3] - h.times[2];
  assert.ok(gap >= 58 && gap < 110, `base delay again, not twice it (${gap.toFixed(1)} ms)`);
  h.q.stop();
});

test('keys back off independently', async () => {
  const fails = new Map([
    ['a', 2],
    ['b', 1],
  ]);
  const h = queue<string>(
    async (key) => {
      const left = fails.get(key)!;
      fails.set(key, left - 1);
      if (left > 0) throw new Error(key);
    },
    // Delays long enough that a loaded machine's timer lag does not blur 1× from 2×.
    { baseDelayMs: 200, workers: 2 },
  );
  h.q.add('a');
  h.q.add('b');
  await until(() => h.calls.filter((k) => k === 'a').length === 3 && h.calls.filter((k) => k === 'b').length === 2);
  const at = (key: string, i: number) => h.times[h.calls.map((k, j) => [k, j] as const).filter(([k]) => k === key)[i][1]];
  assert.ok(at('b', 1) - at('b', 0) < 390, 'b retried after its own first delay (200 ms)');
  assert.ok(at('a', 2) - at('a', 1) >= 395, 'a retried after its second delay (400 ms)');
  h.q.stop();
});

test('requeueAfterMs runs the key again after the delay', async () => {
  let first = true;
  const h = queue<string>(async () => {
    if (first) {
      first = false;
      return { requeueAfterMs: 40 };
    }
    return undefined;
  });
  h.q.add('k');
  await until(() => h.calls.length === 2);
  const gap = h.times[1] - h.times[0];
  assert.ok(gap >= 38, `requeued after the delay (${gap.toFixed(1)} ms)`);
  await sleep(100);
  assert.equal(h.calls.length, 2, 'no further runs without another requeue');
  assert.equal(h.errors.length, 0);
  h.q.stop();
});

test('idle() resolves at once when empty, after running work, and ignores delayed re-adds', async () => {
  const block = gate();
  const h = queue<string>(async (key) => {
    if (key === 'slow') await block.promise;
    if (key === 'later') return { requeueAfterMs: 60_000 };
    return undefined;
  });
  assert.equal(await settlesWithin(h.q.idle(), 50), true, 'empty queue is idle');
  h.q.add('slow');
  h.q.add('other');
  const idle = h.q.idle();
  assert.equal(await settlesWithin(idle, 50), false, 'busy while slow runs');
  block.open();
  assert.equal(await settlesWithin(idle, 1000), true);
  assert.deepEqual(h.calls, ['slow', 'other']);
  h.q.add('later');
  assert.equal(await settlesWithin(h.q.idle(), 1000), true, 'a pending requeueAfterMs does not count');
  assert.deepEqual(h.calls, ['slow', 'other', 'later']);
  h.q.stop();
});

test('stop() drops queued keys and delayed re-adds and ignores later adds', async () => {
  const block = gate();
  const h = queue<string>(async (key) => {
    if (key === 'x') await block.promise;
    if (key === 'y') throw new Error('retry me');
  });
  h.q.add('y'); // fails, schedules a retry
  await until(() => h.errors.length === 1);
  h.q.add('x');
  h.q.add('queued');
  h.q.add('x'); // dirty
  h.q.addAfter('delayed', 10);
  h.q.stop();
  assert.equal(h.q.length, 0);
  block.open();
  assert.equal(await settlesWithin(h.q.idle(), 1000), true, 'idle once the running key finishes');
  h.q.add('after-stop');
  h.q.addAfter('after-stop-delayed', 1);
  await sleep(120);
  assert.deepEqual(h.calls, ['y', 'x']);
});

test('addAfter keeps the earliest of two pending delays', async () => {
  const h = queue<string>(async () => undefined);
  h.q.addAfter('k', 10_000);
  h.q.addAfter('k', 10);
  try {
    await until(() => h.calls.length === 1, 500, 'the shorter delay');
  } finally {
    h.q.stop();
  }
});

test('a failure right after requeueAfterMs still retries on the backoff delay', async () => {
  let n = 0;
  const h = queue<string>(
    async () => {
      n++;
      if (n === 1) return { requeueAfterMs: 10_000 };
      if (n === 2) throw new Error('transient');
      return undefined;
    },
    { baseDelayMs: 10 },
  );
  h.q.add('k'); // schedules a resync in 10 s
  await until(() => h.calls.length === 1);
  h.q.add('k'); // an event: runs now and fails
  try {
    await until(() => h.calls.length === 3, 500, 'the retry');
  } finally {
    h.q.stop();
  }
});

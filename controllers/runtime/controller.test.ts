import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { newControllerQueue, selectControllers, type Controller, type ControllerContext } from './controller.js';
import { ComponentMetrics } from './metrics.js';

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A context with what newControllerQueue uses; informers and clients stay unset. */
function context(signal: AbortSignal): ControllerContext {
  return { metrics: new ComponentMetrics(), logger: pino({ level: 'silent' }), signal } as ControllerContext;
}

async function sample(metrics: ComponentMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  // A histogram's _count and _bucket series are values of the histogram, named by metricName.
  const values = (await metrics.registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v: { value: number; labels: Record<string, string | number | undefined>; metricName?: string }) => ({ ...v, name: v.metricName ?? m.name })));
  return values.find((v) => v.name === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

test('a controller queue counts reconciles and failures, reports depth and wait, and stops with its signal', async () => {
  const stop = new AbortController();
  const ctx = context(stop.signal);
  let failOnce = true;
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  const done: string[] = [];
  const q = newControllerQueue<string>(
    ctx,
    'widgets',
    async (key) => {
      if (key === 'block') await blocked;
      if (key === 'flaky' && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
      done.push(key);
    },
    { baseDelayMs: 1 },
  );
  q.add('block');
  q.add('a');
  q.add('b');
  // One worker is busy with 'block': the other two wait, and the depth gauge reads the queue at scrape time.
  assert.equal(await sample(ctx.metrics, 'workqueue_depth', { name: 'widgets' }), 2);
  release();
  q.add('flaky');
  await until('all keys reconciled', () => ['block', 'a', 'b', 'flaky'].every((k) => done.includes(k)));
  assert.equal(await sample(ctx.metrics, 'flotilla_controller_reconciles_total', { controller: 'widgets' }), 5);
  assert.equal(await sample(ctx.metrics, 'flotilla_controller_reconcile_errors_total', { controller: 'widgets' }), 1);
  assert.equal(await sample(ctx.metrics, 'workqueue_queue_duration_seconds_count', { name: 'widgets' }), 5);
  // Every reconcile is timed, the failed one too; 'block' was held for a while.
  assert.equal(await sample(ctx.metrics, 'workqueue_work_duration_seconds_count', { name: 'widgets' }), 5);
  assert.ok((await sample(ctx.metrics, 'workqueue_work_duration_seconds_sum', { name: 'widgets' }))! > 0);
  assert.equal(await sample(ctx.metrics, 'workqueue_depth', { name: 'widgets' }), 0);

  stop.abort();
  q.add('late');
  await q.idle();
  assert.ok(!done.includes('late'), 'a stopped queue takes no keys');
  assert.equal(await sample(ctx.metrics, 'workqueue_depth', { name: 'widgets' }), undefined, 'a stopped queue is no longer reported');
});

test('--controllers selects by name, * for all, -name to leave one out, and rejects unknown names', () => {
  const all: Controller[] = ['a', 'b', 'c'].map((name) => ({ name, start: async () => {} }));
  const names = (spec: string) => selectControllers(all, spec).map((c) => c.name);
  assert.deepEqual(names('*'), ['a', 'b', 'c']);
  assert.deepEqual(names('*,-b'), ['a', 'c']);
  assert.deepEqual(names('c,a'), ['a', 'c']);
  assert.deepEqual(names(''), []);
  assert.throws(() => names('a,nope'), /unknown controller "nope"/);
  assert.throws(() => names('*,-nope'), /unknown controller "nope"/);
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deadline, withDeadline } from './deadline.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a deadline comes even when garbage is collected meanwhile (AbortSignal.any over AbortSignal.timeout loses it)', async () => {
  const parent = new AbortController();
  const d = deadline(100, parent.signal);
  for (let i = 0; i < 5; i++) {
    gc();
    await sleep(10);
  }
  await sleep(300);
  assert.equal(d.signal.aborted, true);
  assert.equal((d.signal.reason as Error).name, 'TimeoutError');
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0, 'the listener on the parent goes with the deadline');
});

test('a deadline aborts with its parent, at once when the parent already has', () => {
  const parent = new AbortController();
  const d = deadline(60_000, parent.signal);
  parent.abort(new Error('stopping'));
  assert.equal(d.signal.aborted, true);
  assert.equal((d.signal.reason as Error).message, 'stopping');
  assert.equal(deadline(60_000, parent.signal).signal.aborted, true);
});

test('withDeadline releases the timer and the parent listener once its function settles', async () => {
  const parent = new AbortController();
  let inner: AbortSignal | undefined;
  assert.equal(await withDeadline(60_000, parent.signal, async (s) => ((inner = s), 'done')), 'done');
  await assert.rejects(withDeadline(60_000, parent.signal, async () => Promise.reject(new Error('failed'))), /failed/);
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);
  assert.equal(inner?.aborted, false);
});

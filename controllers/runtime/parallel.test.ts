import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachLimit } from './parallel.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

for (const { name, items, limit, maxInFlight } of [
  { name: 'bounded by the limit', items: 10, limit: 3, maxInFlight: 3 },
  { name: 'bounded by the items', items: 2, limit: 8, maxInFlight: 2 },
  { name: 'a limit below one runs one at a time', items: 4, limit: 0, maxInFlight: 1 },
  { name: 'no items', items: 0, limit: 4, maxInFlight: 0 },
]) {
  test(`forEachLimit: ${name}`, async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimit(Array.from({ length: items }, (_, i) => i), limit, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      seen.push(i);
      inFlight--;
    });
    assert.equal(peak, maxInFlight);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: items }, (_, i) => i), 'every item once');
  });
}

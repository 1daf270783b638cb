import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sliceStable } from './gosort.js';

// With a consistent comparison every stable sort agrees, so the built-in one checks the block merging (SymMerge and
// its rotations) on lengths around and well past the 20-item insertion-sort blocks. Orders under an inconsistent
// comparison, where only Go's exact steps give kube's result, are covered by the strategic merge patch tests.
test('sliceStable sorts stably like any stable sort under a consistent comparison', () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const n of [0, 1, 19, 20, 21, 39, 40, 41, 63, 150, 257]) {
    const items = Array.from({ length: n }, (_, id) => ({ key: Math.floor(random() * 7), id }));
    const want = [...items].sort((a, b) => a.key - b.key);
    sliceStable(items, (a, b) => a.key < b.key);
    assert.deepEqual(items, want, `length ${n}`);
  }
});

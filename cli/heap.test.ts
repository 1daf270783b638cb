import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from './heap.js';

test("limitHeapGrowth sets V8's heap growing factor unless node was given one", () => {
  const cases: [string, string[], string[]][] = [
    ['no node flags', [], [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]],
    ['other node flags', ['--cpu-prof', '--max-old-space-size=4096'], [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]],
    ['given with dashes', ['--heap-growing-percent=200'], []],
    ['given with underscores', ['--heap_growing_percent=10'], []],
    ['a different flag with the same start', ['--heap-growing-percentage=10'], [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]],
  ];
  for (const [name, execArgv, want] of cases) {
    const set: string[] = [];
    limitHeapGrowth(execArgv, (flags) => set.push(flags));
    assert.deepEqual(set, want, name);
  }
});

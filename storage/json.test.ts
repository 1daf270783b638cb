import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepEqual } from './json.js';

test('deepEqual', () => {
  const cases: [unknown, unknown, boolean][] = [
    [1, 1, true],
    ['a', 'a', true],
    [null, null, true],
    [undefined, undefined, true],
    [null, undefined, false],
    [0, false, false],
    [{}, {}, true],
    [[], [], true],
    [[], {}, false],
    [{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: undefined }, { b: undefined }, false],
    [[1, 2], [2, 1], false],
    [[1], [1, 1], false],
    [{ a: { b: null } }, { a: { b: {} } }, false],
  ];
  for (const [x, y, want] of cases) {
    assert.equal(deepEqual(x, y), want, `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    assert.equal(deepEqual(y, x), want, `${JSON.stringify(y)} vs ${JSON.stringify(x)}`);
  }
});

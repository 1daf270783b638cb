import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectGroups, type Group } from './select-groups.js';

const g = (name: string, value: number, weight: number): Group => ({ name, value, weight });

const cases: [string, Group[], number, number, number, string[]][] = [
  // Karmada's example: values 2,3,6,7 and target 7 in exactly two groups; the heaviest feasible pair wins.
  ['the heaviest feasible combination', [g('g2', 2, 10), g('g3', 3, 20), g('g6', 6, 5), g('g7', 7, 1)], 2, 2, 7, ['g3', 'g6']],
  ['heaviest first within it', [g('a', 1, 1), g('b', 1, 9)], 2, 2, 2, ['b', 'a']],
  ['no combination reaches the target', [g('a', 1, 1), g('b', 1, 1)], 1, 2, 3, []],
  ['not enough groups for minGroups', [g('a', 5, 1)], 2, 3, 1, []],
  // [x, y] is heavier, but [x] alone reaches the target: fewer groups win.
  ['a feasible prefix beats its extension', [g('x', 10, 5), g('y', 2, 3)], 1, 2, 10, ['x']],
  ['equal weights: more clusters', [g('a', 2, 5), g('b', 3, 5)], 1, 1, 2, ['b']],
];

for (const [name, groups, min, max, target, want] of cases)
  test(`selectGroups: ${name}`, () => {
    assert.deepEqual(selectGroups(groups, min, max, target).map((x) => x.name), want);
  });

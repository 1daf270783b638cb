import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TargetCluster } from '../../openapi/karmada/types.js';
import { mergeTargetClusters, takeByWeight, type ClusterWeight } from './dispenser.js';

const w = (name: string, weight: number, lastReplicas = 0): ClusterWeight => ({ name, weight, lastReplicas });
const asMap = (list: TargetCluster[]) => Object.fromEntries(list.map((c) => [c.name, c.replicas ?? 0]));

const cases: [string, number, ClusterWeight[], Record<string, number>][] = [
  ['1:2 of 9', 9, [w('a', 1), w('b', 2)], { a: 3, b: 6 }],
  ['1:2 of 12', 12, [w('a', 1), w('b', 2)], { a: 4, b: 8 }],
  ['1:3 of 9', 9, [w('a', 1), w('b', 3)], { a: 2, b: 7 }],
  // The first replica to b (3 ÷ 1), the second to c (2 ÷ 1 beats b's 3 ÷ 3): what a floor-and-leftovers division
  // gets wrong (b: 2).
  ['Webster: each replica to the highest weight ÷ (2 × replicas + 1)', 2, [w('a', 1), w('b', 3), w('c', 2)], { a: 0, b: 1, c: 1 }],
  // Wikipedia's Sainte-Laguë example: 8 seats for 100,000, 80,000, 30,000 and 20,000 votes.
  ['Sainte-Laguë', 8, [w('a', 100_000), w('b', 80_000), w('c', 30_000), w('d', 20_000)], { a: 3, b: 3, c: 1, d: 1 }],
  // Equal priorities (1 ÷ 1 and 3 ÷ 3): the cluster with fewer replicas so far wins, as in Karmada.
  ['a tie goes to the cluster with fewer replicas', 2, [w('a', 1), w('b', 3)], { a: 1, b: 1 }],
  // The loop starts from a lower bound of each share: a huge count takes no longer, and comes out proportional.
  ['two billion replicas', 2_000_000_000, [w('a', 1), w('b', 2), w('c', 3)], { a: 333_333_333, b: 666_666_667, c: 1_000_000_000 }],
  ['equal weights: the remainder stays where it was', 3, [w('a', 1, 1), w('b', 1, 2)], { a: 1, b: 2 }],
  ['all weights 0: nothing divided', 3, [w('a', 0)], {}],
];

for (const [name, replicas, weights, want] of cases)
  test(`takeByWeight: ${name}`, () => {
    assert.deepEqual(asMap(takeByWeight(replicas, weights, [], 'uid-1')), want);
  });

test('takeByWeight: ties go the same way for a binding every time, and differ between bindings', () => {
  const winner = (seed: string) => {
    const result = asMap(takeByWeight(3, [w('a', 1), w('b', 1)], [], seed));
    assert.equal(result.a + result.b, 3);
    return result.a === 2 ? 'a' : 'b';
  };
  assert.equal(winner('uid-1'), winner('uid-1'));
  const winners = new Set(Array.from({ length: 20 }, (_, i) => winner(`uid-${i}`)));
  assert.deepEqual([...winners].sort(), ['a', 'b']);
});

test('takeByWeight adds to what is already placed', () => {
  assert.deepEqual(takeByWeight(3, [w('a', 1), w('b', 2)], [{ name: 'a', replicas: 4 }, { name: 'c', replicas: 1 }], 'uid'), [
    { name: 'b', replicas: 2 },
    { name: 'a', replicas: 5 },
    { name: 'c', replicas: 1 },
  ]);
});

test('mergeTargetClusters keeps clusters only in the old result', () => {
  assert.deepEqual(mergeTargetClusters([{ name: 'x', replicas: 1 }], []), [{ name: 'x', replicas: 1 }]);
});

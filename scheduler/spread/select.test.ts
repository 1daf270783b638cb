import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Placement, SpreadConstraint } from '../../openapi/karmada/types.js';
import { bindingSpec, cluster, type ClusterFixture } from '../testing.js';
import { groupScore, selectClusters, type ClusterDetail } from './select.js';

const detail = (name: string, score: number, available: number, f: ClusterFixture = {}): ClusterDetail => ({ name, score, available, cluster: cluster(name, f) });
const names = (list: ClusterDetail[]) => list.map((c) => c.name);
const divided: Placement['replicaScheduling'] = { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } };

// Karmada's example: the two best by score (member1, member2) hold 70 of the 80 replicas; member3 replaces member2.
const members = [detail('member2', 50, 30), detail('member3', 40, 60), detail('member1', 60, 40)];
const byCluster = (min: number, max: number): SpreadConstraint[] => [{ spreadByField: 'cluster', minGroups: min, maxGroups: max }];

const regional = [
  detail('a', 100, 10, { region: 'r1' }),
  detail('b', 90, 10, { region: 'r1' }),
  detail('c', 50, 10, { region: 'r2' }),
  detail('d', 10, 10, { region: 'r3' }),
];

const cases: [string, ClusterDetail[], Placement, number, string[] | RegExp][] = [
  ['no constraints: all, best score first', members, {}, 1, ['member1', 'member2', 'member3']],
  ['ties on score: the roomier first', [detail('x', 5, 1), detail('y', 5, 9)], {}, 1, ['y', 'x']],
  ['by cluster, duplicated: the best maxGroups', members, { spreadConstraints: byCluster(1, 2) }, 80, ['member1', 'member2']],
  ['by cluster, divided: swapped until the replicas fit', members, { spreadConstraints: byCluster(1, 2), replicaScheduling: divided }, 80, ['member1', 'member3']],
  ['by cluster, divided: nothing holds them', members, { spreadConstraints: byCluster(1, 2), replicaScheduling: divided }, 120, /^no enough resource when selecting 2 clusters$/],
  ['by cluster: fewer feasible clusters than minGroups', members, { spreadConstraints: byCluster(4, 5) }, 1, /^the number of feasible clusters is less than spreadConstraint.MinGroups$/],
  [
    'static weights ignore spread constraints',
    members,
    { spreadConstraints: byCluster(1, 1), replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } },
    1,
    ['member1', 'member2', 'member3'],
  ],
  // Region scores: r1 180, r2 100, r3 20. Two regions holding three clusters: r1 and r2; then the best of the rest.
  [
    'by region: the best cluster of each chosen region, then the best of the rest',
    regional,
    { spreadConstraints: [{ spreadByField: 'region', minGroups: 2, maxGroups: 2 }, ...byCluster(3, 3)] },
    1,
    ['a', 'c', 'b'],
  ],
  [
    'by region: maxGroups of clusters caps the rest',
    regional,
    { spreadConstraints: [{ spreadByField: 'region', minGroups: 2, maxGroups: 2 }, ...byCluster(2, 2)] },
    1,
    ['a', 'c'],
  ],
  ['by region: too few regions', regional, { spreadConstraints: [{ spreadByField: 'region', minGroups: 4, maxGroups: 4 }, ...byCluster(1, 4)] }, 1, /^the number of feasible region is less than/],
  [
    'by region: no regions hold enough clusters',
    regional,
    { spreadConstraints: [{ spreadByField: 'region', minGroups: 1, maxGroups: 1 }, ...byCluster(3, 4)] },
    1,
    /^the number of clusters is less than the cluster spreadConstraint.MinGroups$/,
  ],
  [
    'by zone: a cluster in two zones is taken once',
    [detail('multi', 100, 10, { zones: ['z1', 'z2'] }), detail('z2only', 50, 10, { zones: ['z2'] })],
    { spreadConstraints: [{ spreadByField: 'zone', minGroups: 2, maxGroups: 2 }, ...byCluster(2, 2)] },
    1,
    ['multi', 'z2only'],
  ],
  [
    'by provider',
    [detail('a1', 100, 1, { provider: 'aws' }), detail('a2', 90, 1, { provider: 'aws' }), detail('g1', 10, 1, { provider: 'gcp' })],
    { spreadConstraints: [{ spreadByField: 'provider', minGroups: 2, maxGroups: 2 }, ...byCluster(2, 2)] },
    1,
    ['a1', 'g1'],
  ],
  [
    'by label value',
    [detail('a', 100, 1, { labels: { rack: 'x' } }), detail('b', 90, 1, { labels: { rack: 'x' } }), detail('c', 10, 1, { labels: { rack: 'y' } })],
    { spreadConstraints: [{ spreadByLabel: 'rack', minGroups: 2, maxGroups: 2 }, ...byCluster(2, 2)] },
    1,
    ['a', 'c'],
  ],
];

for (const [name, feasible, placement, replicas, want] of cases)
  test(`selectClusters: ${name}`, () => {
    const spec = bindingSpec(placement, { replicas });
    if (want instanceof RegExp) assert.throws(() => selectClusters(feasible, spec), { message: want });
    else assert.deepEqual(names(selectClusters(feasible, spec)), want);
  });

test('groupScore: the better half less the spread, plus the share that holds all the duplicated replicas', () => {
  const group = [detail('a', 90, 5), detail('b', 60, 1), detail('c', 30, 5)];
  // Better half: a and b (mean 75), spread 60: base 15; two of three hold 5 replicas: + trunc(15 * 2/3) = 10.
  assert.deepEqual(groupScore(group, undefined, 5, 60), { score: 25, clusters: [group[0], group[1], group[2]] });
  // Static weights: the base only.
  assert.equal(groupScore(group, { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } }, 5, 60).score, 15);
  // Divided by resources: capacity order a, c, b departs from score order a, b, c by 2 in total: 15 - trunc(2/3) * 60.
  const dynamic = groupScore(group, { replicaScheduling: divided }, 5, 60);
  assert.equal(dynamic.score, 15);
  assert.deepEqual(names(dynamic.clusters), ['a', 'c', 'b']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Placement, ResourceBindingSpec, ResourceBindingStatus, TargetCluster } from '../../openapi/karmada/types.js';
import { UnschedulableError } from '../api.js';
import { bindingSpec, cluster } from '../testing.js';
import { assignReplicas } from './assign.js';

const a = cluster('a', { labels: { tier: 'small' } });
const b = cluster('b', { labels: { tier: 'big' } });
const c = cluster('c', { labels: { tier: 'big' } });

const duplicated: Placement = { replicaScheduling: { replicaSchedulingType: 'Duplicated' } };
const staticWeights = (...weights: [Record<string, string>, number][]): Placement => ({
  replicaScheduling: {
    replicaSchedulingType: 'Divided',
    replicaDivisionPreference: 'Weighted',
    weightPreference: { staticWeightList: weights.map(([matchLabels, weight]) => ({ targetCluster: { labelSelector: { matchLabels } }, weight })) },
  },
});
const dynamic: Placement = { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } } };
const aggregated: Placement = { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' } };

interface Case {
  name: string;
  placement: Placement;
  replicas: number;
  /** The current spec.clusters. */
  current?: TargetCluster[];
  clusters?: typeof a[];
  /** Free replicas per cluster, in the order a, b, c. */
  free?: number[];
  status?: ResourceBindingStatus;
  extra?: Partial<ResourceBindingSpec>;
  want: Record<string, number> | RegExp;
}

const cases: Case[] = [
  { name: 'Duplicated: every cluster gets all', placement: duplicated, replicas: 3, want: { a: 3, b: 3, c: 3 } },
  { name: 'not a workload: every cluster, no replicas', placement: aggregated, replicas: 0, want: { a: 0, b: 0, c: 0 } },
  { name: 'static 1:2 of 9', placement: staticWeights([{ tier: 'small' }, 1], [{ tier: 'big' }, 2]), replicas: 9, clusters: [a, b], want: { a: 3, b: 6 } },
  {
    name: 'static 1:2 scaled to 12',
    placement: staticWeights([{ tier: 'small' }, 1], [{ tier: 'big' }, 2]),
    replicas: 12,
    clusters: [a, b],
    current: [{ name: 'a', replicas: 3 }, { name: 'b', replicas: 6 }],
    want: { a: 4, b: 8 },
  },
  { name: 'static: a cluster no rule matches gets none', placement: staticWeights([{ tier: 'big' }, 1]), replicas: 4, want: { b: 2, c: 2 } },
  { name: 'static: the heaviest matching rule counts', placement: staticWeights([{ tier: 'big' }, 1], [{}, 3]), replicas: 9, want: { a: 3, b: 3, c: 3 } },
  { name: 'static: no rule matches, all weigh 1', placement: staticWeights([{ tier: 'none' }, 5]), replicas: 4, clusters: [a, b], want: { a: 2, b: 2 } },
  {
    name: 'Weighted without a weight preference: all weigh 1',
    placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } },
    replicas: 6,
    want: { a: 2, b: 2, c: 2 },
  },
  // First schedule: the replicas in proportion to free room, 6:3.
  { name: 'dynamic: by free room', placement: dynamic, replicas: 6, free: [6, 3, 0], want: { a: 4, b: 2 } },
  // Steady scale-up from a:4 b:2: only the 3 added replicas are divided, by free room 2:4.
  { name: 'dynamic: scale up divides the added replicas', placement: dynamic, replicas: 9, free: [2, 4, 0], current: [{ name: 'a', replicas: 4 }, { name: 'b', replicas: 2 }], want: { a: 5, b: 4 } },
  // Scale-down from a:5 b:4 to 6: by the current assignment, 5:4.
  { name: 'dynamic: scale down re-divides by the current assignment', placement: dynamic, replicas: 6, free: [0, 0, 9], current: [{ name: 'a', replicas: 5 }, { name: 'b', replicas: 4 }], want: { a: 3, b: 3 } },
  { name: 'dynamic: unchanged replicas keep the result', placement: dynamic, replicas: 3, free: [9, 9, 9], current: [{ name: 'b', replicas: 3 }], want: { b: 3 } },
  { name: 'dynamic: not enough room', placement: dynamic, replicas: 12, free: [6, 3, 2], want: /^failed to scale up: Clusters available replicas 11 are not enough to schedule\.$/ },
  {
    name: 'dynamic: a cluster no longer selected gives its replicas up to the others',
    placement: dynamic,
    replicas: 4,
    clusters: [a, b],
    free: [2, 2],
    current: [{ name: 'b', replicas: 2 }, { name: 'c', replicas: 2 }],
    want: { a: 1, b: 3 },
  },
  {
    name: 'dynamic: a triggered reschedule divides everything afresh',
    placement: dynamic,
    replicas: 6,
    free: [6, 0, 0],
    current: [{ name: 'b', replicas: 6 }],
    extra: { rescheduleTriggeredAt: '2024-01-02T00:00:00Z' },
    status: { lastScheduledTime: '2024-01-01T00:00:00Z' },
    want: { a: 3, b: 3 },
  },
  { name: 'aggregated: the roomiest cluster alone when it suffices', placement: aggregated, replicas: 5, free: [3, 6, 2], want: { b: 5 } },
  // b and a hold 9 between them: 8 by 6:3, floors 5 and 2, the leftover to b.
  { name: 'aggregated: as few clusters as hold them', placement: aggregated, replicas: 8, free: [3, 6, 2], want: { a: 3, b: 5 } },
  { name: 'aggregated: scale up fills the clusters already used first', placement: aggregated, replicas: 5, free: [9, 3, 9], current: [{ name: 'b', replicas: 2 }], want: { b: 5 } },
  { name: 'aggregated: not enough room', placement: aggregated, replicas: 12, free: [3, 6, 2], want: /not enough to schedule/ },
  {
    name: 'Divided without a division preference',
    placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
    replicas: 1,
    want: /^unsupported replica scheduling strategy, replicaSchedulingType: Divided, replicaDivisionPreference: , please try another scheduling strategy$/,
  },
];

for (const t of cases)
  test(`assignReplicas: ${t.name}`, () => {
    const clusters = t.clusters ?? [a, b, c];
    const spec = bindingSpec(t.placement, { replicas: t.replicas, clusters: t.current, ...t.extra });
    const available = new Map(clusters.map((cl, i) => [cl.metadata!.name as string, t.free?.[i] ?? 100]));
    const run = () => assignReplicas({ clusters, spec, status: t.status ?? {}, available, seed: 'uid' });
    if (t.want instanceof RegExp) assert.throws(run, { message: t.want });
    else assert.deepEqual(Object.fromEntries(run().map((x) => [x.name, x.replicas ?? 0])), t.want);
  });

test('assignReplicas: too little room is an UnschedulableError, retried rather than final', () => {
  const spec = bindingSpec(dynamic, { replicas: 5 });
  assert.throws(() => assignReplicas({ clusters: [a], spec, status: {}, available: new Map([['a', 1]]), seed: 'uid' }), UnschedulableError);
  assert.throws(() => assignReplicas({ clusters: [], spec, status: {}, available: new Map(), seed: 'uid' }), { message: 'no clusters available to schedule' });
});

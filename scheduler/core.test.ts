import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cluster, Placement, ResourceBindingStatus } from '../openapi/karmada/types.js';
import { FitError, UnschedulableError } from './api.js';
import { scheduleBinding, scheduleOnce } from './core.js';
import { bindingSpec, cluster, roomFor } from './testing.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

const tainted = { taints: [{ key: 'maintenance', value: 'true', effect: 'NoSchedule' }] };

test('no fit: the message counts the clusters per reason, as Karmada words it', () => {
  const clusters = [cluster('m1', tainted), cluster('m2'), cluster('m3', tainted)];
  const spec = bindingSpec({ clusterAffinity: { clusterNames: ['m1', 'm3'] } });
  const err = thrown(() => scheduleOnce({ spec, status: {}, clusters, seed: 'uid' }));
  assert.ok(err instanceof FitError);
  assert.equal(
    err.message,
    '0/3 clusters are available: 1 cluster(s) did not match the placement cluster affinity constraint, 2 cluster(s) had untolerated taint {maintenance=true:NoSchedule}.',
  );
  assert.deepEqual(Object.fromEntries(err.reasons), {
    m1: 'cluster(s) had untolerated taint {maintenance=true:NoSchedule}',
    m2: 'cluster(s) did not match the placement cluster affinity constraint',
    m3: 'cluster(s) had untolerated taint {maintenance=true:NoSchedule}',
  });
});

test('no clusters at all, or only clusters being deleted', () => {
  const spec = bindingSpec({});
  assert.throws(() => scheduleOnce({ spec, status: {}, clusters: [], seed: 'uid' }), { message: '0/0 clusters are available: no cluster exists.' });
  assert.throws(() => scheduleOnce({ spec, status: {}, clusters: [cluster('gone', { deleting: true })], seed: 'uid' }), {
    message: '0/1 clusters are available: no cluster exists.',
  });
});

test('filters, scores, selects and assigns: the clusters already scheduled are preferred', () => {
  const clusters = [cluster('a', roomFor(10)), cluster('b', roomFor(10)), cluster('c', roomFor(10))];
  const placement: Placement = {
    spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }],
    replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' },
  };
  // Without a previous result the tie goes by name; with one, ClusterLocality keeps the binding where it is.
  assert.deepEqual(scheduleOnce({ spec: bindingSpec(placement, { replicas: 4 }), status: {}, clusters, seed: 'uid' }), [{ name: 'a', replicas: 4 }]);
  const spec = bindingSpec(placement, { replicas: 6, clusters: [{ name: 'c', replicas: 4 }] });
  assert.deepEqual(scheduleOnce({ spec, status: {}, clusters, seed: 'uid' }), [{ name: 'c', replicas: 6 }]);
});

test('failures are worded as Karmada wraps them', () => {
  const dynamic: Placement = { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } } };
  const err = thrown(() => scheduleOnce({ spec: bindingSpec(dynamic, { replicas: 5 }), status: {}, clusters: [cluster('a', roomFor(2))], seed: 'uid' }));
  assert.ok(err instanceof UnschedulableError);
  assert.equal(err.message, 'failed to assign replicas: failed to scale up: Clusters available replicas 2 are not enough to schedule.');
  const spread: Placement = { spreadConstraints: [{ spreadByField: 'cluster', minGroups: 2, maxGroups: 2 }] };
  assert.throws(() => scheduleOnce({ spec: bindingSpec(spread), status: {}, clusters: [cluster('a')], seed: 'uid' }), {
    message: 'failed to select clusters: the number of feasible clusters is less than spreadConstraint.MinGroups',
  });
});

const affinities: Placement = {
  clusterAffinities: [
    { affinityName: 'primary', labelSelector: { matchLabels: { site: 'primary' } } },
    { affinityName: 'backup', labelSelector: { matchLabels: { site: 'backup' } } },
  ],
};
const primary = (ready: 'True' | 'False') => cluster('p', { labels: { site: 'primary' }, ready });
const backup = cluster('b', { labels: { site: 'backup' } });

const affinityCases: [string, Cluster[], ResourceBindingStatus, { clusters?: string[]; affinityName?: string; error?: RegExp }][] = [
  ['the first term that fits', [primary('True'), backup], {}, { clusters: ['p'], affinityName: 'primary' }],
  ['the next term when the first cannot fit', [primary('False'), backup], {}, { clusters: ['b'], affinityName: 'backup' }],
  ['the observed term is kept while it fits', [primary('True'), backup], { schedulerObservingAffinityName: 'backup' }, { clusters: ['b'], affinityName: 'backup' }],
  [
    'no term fits: the first error, no cluster, the observed term unchanged',
    [primary('False')],
    {},
    { clusters: [], error: /^0\/1 clusters are available: 1 cluster\(s\) had untolerated taint \{cluster.karmada.io\/not-ready:NoSchedule\}\.$/ },
  ],
];

for (const [name, clusters, status, want] of affinityCases)
  test(`clusterAffinities: ${name}`, () => {
    const outcome = scheduleBinding({ spec: bindingSpec(affinities), status, clusters, seed: 'uid' });
    assert.deepEqual(outcome.clusters?.map((c) => c.name), want.clusters);
    assert.equal(outcome.affinityName, want.affinityName);
    if (want.error) assert.match(outcome.error?.message ?? '', want.error);
    else assert.equal(outcome.error, undefined);
  });

test('an error other than no fit leaves the current result alone', () => {
  const spread: Placement = { spreadConstraints: [{ spreadByField: 'cluster', minGroups: 2, maxGroups: 2 }] };
  const outcome = scheduleBinding({ spec: bindingSpec(spread), status: {}, clusters: [cluster('a')], seed: 'uid' });
  assert.equal(outcome.clusters, undefined);
  assert.match(outcome.error!.message, /^failed to select clusters/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceBindingSpec } from '../../openapi/karmada/types.js';
import { jobCompletions, needReviseReplicas, replicaField, setIfPresent, type CRDScale } from './replicas.js';

const crds: CRDScale[] = [
  {
    spec: {
      group: 'apps.example.io',
      names: { kind: 'Web' },
      versions: [
        { name: 'v1', subresources: { scale: { specReplicasPath: '.spec.size' } } },
        { name: 'v2', subresources: {} },
      ],
    },
  },
];

test('replicaField: native workloads, and custom resources with a scale subresource', () => {
  const cases: [string, string, readonly string[] | undefined][] = [
    ['apps/v1', 'Deployment', ['spec', 'replicas']],
    ['apps/v1', 'StatefulSet', ['spec', 'replicas']],
    ['apps/v1', 'ReplicaSet', ['spec', 'replicas']],
    ['batch/v1', 'Job', ['spec', 'parallelism']],
    ['apps/v1', 'DaemonSet', undefined],
    ['v1', 'Pod', undefined],
    ['apps.example.io/v1', 'Web', ['spec', 'size']],
    ['apps.example.io/v2', 'Web', undefined],
    ['apps.example.io/v1', 'Other', undefined],
  ];
  for (const [apiVersion, kind, want] of cases) assert.deepEqual(replicaField(apiVersion, kind, crds), want, `${apiVersion} ${kind}`);
});

test('needReviseReplicas: replicas that the binding divides', () => {
  const cases: [Partial<ResourceBindingSpec>, boolean][] = [
    [{ replicas: 3, placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } } }, true],
    [{ replicas: 3, placement: { replicaScheduling: { replicaSchedulingType: 'Duplicated' } } }, false],
    [{ replicas: 3, placement: {} }, false],
    [{ replicas: 3 }, false],
    [{ replicas: 0, placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } } }, false],
  ];
  for (const [spec, want] of cases) assert.equal(needReviseReplicas({ resource: { apiVersion: 'v1', kind: 'X', name: 'x' }, ...spec }), want, JSON.stringify(spec));
});

test('setIfPresent only replaces an integer that is there', () => {
  const obj = { spec: { replicas: 3, other: 'x' } };
  assert.deepEqual(setIfPresent(obj, ['spec', 'replicas'], 1), { spec: { replicas: 1, other: 'x' } });
  assert.deepEqual(obj, { spec: { replicas: 3, other: 'x' } }, 'the input is left alone');
  assert.equal(setIfPresent(obj, ['spec', 'missing'], 1), obj);
  assert.equal(setIfPresent(obj, ['spec', 'other'], 1), obj);
  assert.equal(setIfPresent(obj, ['spec', 'replicas', 'deeper'], 1), obj);
});

test('jobCompletions spreads a Job\'s completions like its parallelism', () => {
  const job = { kind: 'Job', spec: { completions: 10, parallelism: 4 } };
  const clusters = [
    { name: 'a', replicas: 1 },
    { name: 'b', replicas: 3 },
  ];
  const got = jobCompletions(job, clusters, 'uid');
  // Shares 2.5 and 7.5: Webster's last tie (1 ÷ 5 = 3 ÷ 15) goes to the cluster with fewer so far.
  assert.equal(got.get('b'), 7);
  assert.equal(got.get('a'), 3);
  assert.deepEqual(jobCompletions(job, clusters, 'uid'), got, 'the same every time');
  assert.equal([...jobCompletions({ kind: 'Job', spec: { completions: 5 } }, clusters, 'x').values()].reduce((s, n) => s + n, 0), 5);
  assert.equal(jobCompletions({ kind: 'Job', spec: { parallelism: 4 } }, clusters, 'uid').size, 0, 'a work queue Job has no completions');
  assert.equal(jobCompletions({ kind: 'Deployment', spec: { completions: 4 } }, clusters, 'uid').size, 0);
});

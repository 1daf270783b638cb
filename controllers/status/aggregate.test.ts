import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AggregatedStatusItem, ObjectReference, ResourceBindingSpec } from '../../openapi/karmada/types.js';
import type { Work } from '../execution/work.js';
import { assembleWorkStatus, fullyAppliedCondition } from './aggregate.js';

const REF: ObjectReference = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web' };
const manifest = (name = 'web', kind = 'Deployment') => ({ apiVersion: 'apps/v1', kind, metadata: { namespace: 'apps', name } });
const identifier = (ordinal = 0, name = 'web') => ({ ordinal, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'apps', name });

function work(cluster: string, opts: { applied?: ['True' | 'False', string]; manifests?: object[]; statuses?: object[]; deleting?: boolean } = {}): Work {
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { namespace: `karmada-es-${cluster}`, name: 'web-x', ...(opts.deleting ? { deletionTimestamp: 'T' } : {}) },
    spec: { workload: { manifests: (opts.manifests ?? [manifest()]) as any }, suspendDispatching: false, preserveResourcesOnDeletion: false },
    status: {
      conditions: opts.applied ? [{ type: 'Applied', status: opts.applied[0], reason: 'R', message: opts.applied[1], lastTransitionTime: 'T' }] : [],
      manifestStatuses: (opts.statuses ?? []) as any,
    },
  };
}

const cases: [string, Work[], AggregatedStatusItem[]][] = [
  [
    'applied Works carry the status and health of the template’s manifest, sorted by cluster',
    [
      work('m2', { applied: ['True', 'ok'], statuses: [{ identifier: identifier(), status: { readyReplicas: 1 }, health: 'Healthy' }] }),
      work('m1', { applied: ['True', 'ok'], statuses: [{ identifier: identifier(), health: 'Unhealthy' }] }),
    ],
    [
      { clusterName: 'm1', applied: true, health: 'Unhealthy' },
      { clusterName: 'm2', status: { readyReplicas: 1 }, applied: true, health: 'Healthy' },
    ],
  ],
  [
    'the manifest status is found by ordinal and identity',
    [
      work('m1', {
        applied: ['True', 'ok'],
        manifests: [manifest('other'), manifest()],
        statuses: [
          { identifier: identifier(0, 'other'), status: { readyReplicas: 9 }, health: 'Healthy' },
          { identifier: identifier(1), status: { readyReplicas: 1 }, health: 'Healthy' },
        ],
      }),
    ],
    [{ clusterName: 'm1', status: { readyReplicas: 1 }, applied: true, health: 'Healthy' }],
  ],
  ['applied without a status collected yet: Unknown health', [work('m1', { applied: ['True', 'ok'] })], [{ clusterName: 'm1', applied: true, health: 'Unknown' }]],
  ['not applied: why, Unknown health, no status', [work('m1', { applied: ['False', 'boom'], statuses: [{ identifier: identifier(), health: 'Healthy' }] })], [{ clusterName: 'm1', appliedMessage: 'boom', health: 'Unknown' }]],
  ['not tried yet', [work('m1')], [{ clusterName: 'm1', health: 'Unknown' }]],
  ['Works being deleted are left out', [work('m1', { applied: ['True', 'ok'], deleting: true })], []],
];

test('assembleWorkStatus', () => {
  for (const [name, works, want] of cases) assert.deepEqual(assembleWorkStatus(works, REF), want, name);
});

test('assembleWorkStatus refuses a Work without the template', () => {
  assert.throws(() => assembleWorkStatus([work('m1', { manifests: [manifest('other')] })], REF), /has no manifest of Deployment apps\/web/);
});

const spec = (clusters: string[], evictedFrom: string[] = []): ResourceBindingSpec => ({
  resource: REF,
  clusters: clusters.map((name) => ({ name })),
  gracefulEvictionTasks: evictedFrom.map((fromCluster) => ({ fromCluster, producer: 'p', reason: 'r' })),
});
const ok = (clusterName: string): AggregatedStatusItem => ({ clusterName, applied: true, health: 'Healthy' });

const fully: [string, ResourceBindingSpec, AggregatedStatusItem[], 'True' | 'False'][] = [
  ['applied and healthy everywhere', spec(['m1', 'm2']), [ok('m1'), ok('m2')], 'True'],
  ['not scheduled', spec([]), [], 'False'],
  ['a Work missing', spec(['m1', 'm2']), [ok('m1')], 'False'],
  ['a Work not applied', spec(['m1', 'm2']), [ok('m1'), { clusterName: 'm2', health: 'Unknown' }], 'False'],
  ['a Work unhealthy', spec(['m1', 'm2']), [ok('m1'), { ...ok('m2'), health: 'Unhealthy' }], 'False'],
  ['a Work in a cluster not expected', spec(['m1', 'm2']), [ok('m1'), ok('m3')], 'False'],
  ['a cluster being evicted from counts as expected', spec(['m1'], ['m2']), [ok('m1'), ok('m2')], 'True'],
];

test('fullyAppliedCondition', () => {
  for (const [name, s, items, want] of fully) {
    const c = fullyAppliedCondition(s, items);
    assert.equal(c.status, want, name);
    assert.equal(c.reason, want === 'True' ? 'FullyAppliedSuccess' : 'FullyAppliedFailed', name);
  }
});

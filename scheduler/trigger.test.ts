import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cluster, Placement, ResourceBinding } from '../openapi/karmada/types.js';
import { APPLIED_PLACEMENT_ANNOTATION } from './api.js';
import { bindingSpec, cluster } from './testing.js';
import { isOwnBinding, placementChanged, scheduleTrigger } from './trigger.js';

const divided: Placement = { clusterAffinity: { clusterNames: ['a', 'b'] }, replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' } };
const terms: Placement = {
  clusterAffinities: [
    { affinityName: 'one', clusterNames: ['a'] },
    { affinityName: 'two', clusterNames: ['b'] },
  ],
};

const changes: [string, Placement, Placement | undefined, string | undefined, boolean][] = [
  ['never scheduled', divided, undefined, undefined, true],
  ['the same placement', divided, divided, undefined, false],
  // What Go's omitempty drops is no change: key order, empty lists, zero values.
  ['the same after a Go round trip', { ...divided, clusterTolerations: [], spreadConstraints: [] }, { replicaScheduling: divided.replicaScheduling, clusterAffinity: divided.clusterAffinity }, undefined, false],
  ['tolerations changed', { ...divided, clusterTolerations: [{ key: 'k', operator: 'Exists' }] }, divided, undefined, true],
  ['replica scheduling changed', { ...divided, replicaScheduling: { replicaSchedulingType: 'Duplicated' } }, divided, undefined, true],
  ['another affinity term changed', { clusterAffinities: [terms.clusterAffinities![0], { affinityName: 'two', clusterNames: ['c'] }] }, terms, 'one', false],
  ['the observed affinity term changed', { clusterAffinities: [{ affinityName: 'one', clusterNames: ['c'] }, terms.clusterAffinities![1]] }, terms, 'one', true],
  ['the observed term is gone', { clusterAffinities: [terms.clusterAffinities![1]] }, terms, 'one', true],
  ['affinity terms changed, none observed yet', { clusterAffinities: [terms.clusterAffinities![1]] }, terms, undefined, true],
];

for (const [name, placement, applied, observed, want] of changes)
  test(`placementChanged: ${name}`, () => {
    assert.equal(placementChanged(placement, applied && JSON.stringify(applied), observed), want);
  });

test('placementChanged: an applied placement that does not parse is taken as unchanged', () => {
  assert.equal(placementChanged(divided, '{', undefined), false);
});

function binding(placement: Placement, extra: Partial<ResourceBinding['spec']> = {}, status: ResourceBinding['status'] = {}): ResourceBinding {
  return {
    metadata: {
      name: 'web-deployment',
      namespace: 'default',
      labels: { 'propagationpolicy.karmada.io/permanent-id': 'id' },
      annotations: { [APPLIED_PLACEMENT_ANNOTATION]: JSON.stringify(placement) },
    },
    spec: bindingSpec(placement, extra),
    status,
  };
}

const placed = [{ name: 'a', replicas: 2 }, { name: 'b', replicas: 1 }];
const triggers: [string, ResourceBinding, Cluster[], string | undefined][] = [
  ['nothing changed', binding(divided, { replicas: 3, clusters: placed }), [], undefined],
  ['placement changed', { ...binding(divided, { replicas: 3, clusters: placed }), metadata: { labels: {}, annotations: {} } }, [], 'ReconcileSchedule: placement changed'],
  ['scaled', binding(divided, { replicas: 5, clusters: placed }), [], 'ScaleSchedule: replicas scaled'],
  [
    'duplicated replicas differ',
    binding({ replicaScheduling: { replicaSchedulingType: 'Duplicated' } }, { replicas: 3, clusters: placed }),
    [],
    'ScaleSchedule: replicas scaled',
  ],
  [
    'reschedule asked for',
    binding(divided, { replicas: 3, clusters: placed, rescheduleTriggeredAt: '2024-01-02T00:00:00Z' }, { lastScheduledTime: '2024-01-01T00:00:00Z' }),
    [],
    'ReconcileSchedule: reschedule triggered',
  ],
  [
    'reschedule asked for before the last schedule',
    binding(divided, { replicas: 3, clusters: placed, rescheduleTriggeredAt: '2024-01-01T00:00:00Z' }, { lastScheduledTime: '2024-01-02T00:00:00Z' }),
    [],
    undefined,
  ],
  ['duplicated: always looked at again', binding({}, { replicas: 3, clusters: [{ name: 'a', replicas: 3 }] }), [], 'ReconcileSchedule: duplicated'],
  ['not a workload: always looked at again', binding(divided, { clusters: [{ name: 'a' }] }), [], 'ReconcileSchedule: duplicated'],
  [
    'a scheduled cluster is being deleted',
    binding(divided, { replicas: 3, clusters: placed }),
    [cluster('a', { deleting: true })],
    'ReconcileSchedule: scheduled cluster a is being deleted',
  ],
  ['another cluster is being deleted', binding(divided, { replicas: 3, clusters: placed }), [cluster('c', { deleting: true })], undefined],
];

for (const [name, b, clusters, want] of triggers)
  test(`scheduleTrigger: ${name}`, () => {
    const t = scheduleTrigger(b, clusters);
    assert.equal(t && `${t.type}: ${t.reason}`, want);
  });

test('isOwnBinding: made for a policy, for this scheduler, not suspended', () => {
  const b = binding(divided);
  assert.equal(isOwnBinding(b), true);
  assert.equal(isOwnBinding({ ...b, metadata: { ...b.metadata, labels: {} } }), false);
  assert.equal(isOwnBinding({ ...b, metadata: { ...b.metadata, labels: { 'binding.karmada.io/managed-by': 'x' } } }), true);
  assert.equal(isOwnBinding(binding(divided, { schedulerName: 'other' })), false);
  assert.equal(isOwnBinding(binding(divided, { schedulerName: 'other' }), 'other'), true);
  assert.equal(isOwnBinding(binding(divided, { suspension: { scheduling: true } })), false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateStatus, aggregatesStatus, type AggregatedStatusItem } from './aggregatestatus.js';
import type { Obj } from './fields.js';

const NOW = '2025-01-01T00:00:00Z';
const item = (clusterName: string, status?: Obj): AggregatedStatusItem => ({ clusterName, applied: true, health: 'Healthy', ...(status ? { status } : {}) });
const deployment = (generation: number, status?: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation }, spec: { replicas: 4 }, ...(status ? { status } : {}) });
/** A member's reflected Deployment status: caught up with template generation tg, own generation g observed. */
const member = (tg: number, g: number, observed: number, counts: Obj): Obj => ({ resourceTemplateGeneration: tg, generation: g, observedGeneration: observed, ...counts });
const two = { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };

const cases: [string, Obj, AggregatedStatusItem[], Obj | undefined][] = [
  [
    'deployment: counts summed; every member caught up, so observedGeneration is the template generation',
    deployment(3, { observedGeneration: 2, conditions: [{ type: 'Available' }] }),
    [item('m1', member(3, 5, 5, two)), item('m2', member(3, 1, 1, { ...two, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 1 }))],
    { observedGeneration: 3, conditions: [{ type: 'Available' }], replicas: 4, updatedReplicas: 4, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 },
  ],
  [
    'deployment: a member still on the previous template keeps the old observedGeneration',
    deployment(3, { observedGeneration: 2 }),
    [item('m1', member(3, 5, 5, two)), item('m2', member(2, 1, 1, two))],
    { observedGeneration: 2, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 },
  ],
  [
    "deployment: a member whose controller has not observed its own generation keeps it too",
    deployment(3, { observedGeneration: 2 }),
    [item('m1', member(3, 5, 4, two)), item('m2', member(3, 1, 1, two))],
    { observedGeneration: 2, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 },
  ],
  [
    'deployment: a member without status yet keeps it too, and counters that fell to 0 are dropped',
    deployment(3, { observedGeneration: 2, unavailableReplicas: 4 }),
    [item('m1', member(3, 5, 5, two)), item('m2')],
    { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
  ],
  [
    'statefulset: replicas and availableReplicas always written',
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { generation: 1 } },
    [item('m1', member(1, 1, 1, { replicas: 0, availableReplicas: 0 }))],
    { replicas: 0, availableReplicas: 0, observedGeneration: 1 },
  ],
  [
    'daemonset',
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { generation: 2 }, status: {} },
    [
      item('m1', member(2, 2, 2, { currentNumberScheduled: 3, desiredNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3 })),
      item('m2', member(2, 1, 1, { currentNumberScheduled: 1, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 1, numberAvailable: 1, numberUnavailable: 1, updatedNumberScheduled: 2 })),
    ],
    { currentNumberScheduled: 4, numberMisscheduled: 0, desiredNumberScheduled: 5, numberReady: 4, updatedNumberScheduled: 5, numberAvailable: 4, numberUnavailable: 1, observedGeneration: 2 },
  ],
  [
    'replicaset',
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { generation: 1 } },
    [item('m1', member(1, 1, 1, { replicas: 1, readyReplicas: 1, availableReplicas: 1, fullyLabeledReplicas: 1 })), item('m2', member(1, 1, 1, { replicas: 2 }))],
    { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 },
  ],
  [
    'job: running in both, the earliest start',
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { generation: 1 } },
    [item('m1', { active: 1, startTime: '2025-01-01T00:00:05Z' }), item('m2', { active: 2, startTime: '2025-01-01T00:00:01Z' })],
    { active: 3, startTime: '2025-01-01T00:00:01Z' },
  ],
  [
    'job: complete in every member, the latest completion',
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { generation: 1 } },
    [
      item('m1', { succeeded: 1, startTime: 'T', completionTime: '2025-01-01T00:01:00Z', conditions: [{ type: 'Complete', status: 'True' }] }),
      item('m2', { succeeded: 2, startTime: 'T', completionTime: '2025-01-01T00:02:00Z', conditions: [{ type: 'Complete', status: 'True' }] }),
    ],
    {
      succeeded: 3,
      conditions: [{ type: 'Complete', status: 'True', lastProbeTime: NOW, lastTransitionTime: NOW, reason: 'Completed', message: 'Job completed' }],
      startTime: 'T',
      completionTime: '2025-01-01T00:02:00Z',
    },
  ],
  [
    'job: complete in one member only, no completion yet',
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { generation: 1 } },
    [item('m1', { succeeded: 1, completionTime: '2025-01-01T00:01:00Z', conditions: [{ type: 'Complete', status: 'True' }] }), item('m2', { active: 1 })],
    { active: 1, succeeded: 1 },
  ],
  [
    'job: failed in a member',
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { generation: 1 }, status: { active: 2 } },
    [item('m1', { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }), item('m2', { active: 1 })],
    { active: 1, failed: 1, conditions: [{ type: 'Failed', status: 'True', lastProbeTime: NOW, lastTransitionTime: NOW, reason: 'JobFailed', message: 'Job executed failed in member clusters m1' }] },
  ],
  [
    'job that ended: left alone',
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { generation: 1 }, status: { conditions: [{ type: 'Complete', status: 'True' }] } },
    [item('m1', { active: 1 })],
    undefined,
  ],
  [
    'cronjob: active jobs collected, the latest times',
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: {}, status: { lastScheduleTime: '2025-01-01T00:00:00Z' } },
    [item('m1', { active: [{ name: 'a' }], lastScheduleTime: '2025-01-01T01:00:00Z' }), item('m2', { lastScheduleTime: '2025-01-01T02:00:00Z', lastSuccessfulTime: '2025-01-01T00:30:00Z' })],
    { active: [{ name: 'a' }], lastScheduleTime: '2025-01-01T02:00:00Z', lastSuccessfulTime: '2025-01-01T00:30:00Z' },
  ],
  [
    'LoadBalancer service: ingress of every member, named after the cluster when without hostname',
    { apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { type: 'LoadBalancer' } },
    [item('m1', { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } }), item('m2', { loadBalancer: { ingress: [{ ip: '2.2.2.2', hostname: 'lb.m2' }] } }), item('m3')],
    { loadBalancer: { ingress: [{ ip: '1.1.1.1', hostname: 'm1' }, { ip: '2.2.2.2', hostname: 'lb.m2' }] } },
  ],
  ['LoadBalancer service before any ingress', { apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { type: 'LoadBalancer' } }, [item('m1', { loadBalancer: {} })], { loadBalancer: {} }],
  ['ClusterIP service: left alone', { apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { type: 'ClusterIP' } }, [item('m1', { loadBalancer: {} })], undefined],
  [
    'ingress',
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: {} },
    [item('m1', { loadBalancer: { ingress: [{ ip: '3.3.3.3' }] } })],
    { loadBalancer: { ingress: [{ ip: '3.3.3.3', hostname: 'm1' }] } },
  ],
  [
    'pdb: sums, disrupted pods by cluster',
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: {} },
    [item('m1', { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptedPods: { p: 'T' } }), item('m2', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 })],
    { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptedPods: { 'm1/p': 'T' } },
  ],
  ['claim bound everywhere', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: {} }, [item('m1', { phase: 'Bound' }), item('m2', { phase: 'Bound' })], { phase: 'Bound' }],
  ['claim pending somewhere', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: {} }, [item('m1', { phase: 'Pending' }), item('m2', { phase: 'Bound' })], { phase: 'Pending' }],
  ['claim lost somewhere', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: {} }, [item('m1', { phase: 'Lost' }), item('m2', { phase: 'Pending' })], { phase: 'Lost' }],
  ['a kind without aggregation', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, [item('m1', {})], undefined],
];

test('aggregateStatus', () => {
  for (const [name, template, items, want] of cases) assert.deepEqual(aggregateStatus(template, items, () => NOW), want, name);
});

test('aggregating the same statuses again changes nothing', () => {
  for (const [name, template, items, want] of cases) {
    if (want === undefined) continue;
    // undefined: the status is left as it is.
    assert.deepEqual(aggregateStatus({ ...template, status: want }, items, () => 'LATER') ?? want, want, name);
  }
});

test('aggregatesStatus tells the kinds that have an aggregation', () => {
  assert.equal(aggregatesStatus({ apiVersion: 'apps/v1', kind: 'Deployment' }), true);
  assert.equal(aggregatesStatus({ apiVersion: 'v1', kind: 'ConfigMap' }), false);
});

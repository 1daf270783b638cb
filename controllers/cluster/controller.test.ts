import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Cluster, Condition } from '../../openapi/karmada/types.js';
import type { ControllerContext } from '../runtime/controller.js';
import { ClusterController, schedulingTaints, updateTaints } from './controller.js';

const at = () => '2024-01-01T00:00:00Z';

function cluster(ready?: Condition['status'], taints: Cluster['spec']['taints'] = [], syncMode: 'Push' | 'Pull' = 'Push'): Cluster {
  return {
    metadata: { name: 'm1', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { syncMode, taints },
    status: ready ? { conditions: [{ type: 'Ready', status: ready, reason: 'R', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] } : {},
  };
}

test('scheduling taints follow the Ready condition', () => {
  const keys = (c: Cluster) => schedulingTaints(c, at).map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys(cluster()), ['cluster.karmada.io/not-ready:NoSchedule'], 'a cluster never reported on is not ready');
  assert.deepEqual(keys(cluster('False')), ['cluster.karmada.io/not-ready:NoSchedule']);
  assert.deepEqual(keys(cluster('Unknown', [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }])), ['cluster.karmada.io/unreachable:NoSchedule']);
  assert.deepEqual(keys(cluster('True', [{ key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoSchedule', value: 'gpu' }])), ['dedicated:NoSchedule']);
  assert.deepEqual(schedulingTaints(cluster('False'), at), [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }]);
});

test('updating taints keeps the ones already there as they are', () => {
  const existing = [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule', timeAdded: '2023-01-01T00:00:00Z' }];
  assert.deepEqual(updateTaints(existing, [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }], [], at), existing);
  // Taints match by key and effect: a NoExecute taint of the same key is another taint.
  assert.deepEqual(updateTaints(existing, [], [{ key: 'cluster.karmada.io/not-ready', effect: 'NoExecute' }], at), existing);
  assert.deepEqual(updateTaints(existing, [], [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }], at), []);
});

test('the health monitor marks a silent Pull-mode cluster Ready Unknown after its grace period', async () => {
  const writes: { name: string; conditions: Condition[] }[] = [];
  const ctx = {
    logger: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    client: { customObjects: { replaceClusterCustomObjectStatus: async (req: { name: string; body: Cluster }) => void writes.push({ name: req.name, conditions: req.body.status!.conditions! }) } },
  } as unknown as ControllerContext;
  const controller = new ClusterController({ monitorPeriodMs: 1000, monitorGracePeriodMs: 40_000, startupGracePeriodMs: 60_000 });
  const health = new Map();
  const created = Date.parse('2024-01-01T00:00:00Z');
  let now = created;
  const clock = () => now;
  const noLease = () => undefined;
  const pull = cluster(undefined, [], 'Pull');
  const push = { ...cluster(undefined, [], 'Push'), metadata: { name: 'push', creationTimestamp: '2024-01-01T00:00:00Z' } };

  // Never reported: timed from creation with the startup grace period. Push-mode clusters are left to the status controller.
  now = created + 60_000;
  await controller.monitorClusterHealth(ctx, [pull, push], noLease, health, clock);
  assert.equal(writes.length, 0);
  now = created + 60_001;
  await controller.monitorClusterHealth(ctx, [pull, push], noLease, health, clock);
  assert.deepEqual(writes.map((w) => [w.name, w.conditions[0].status, w.conditions[0].reason]), [['m1', 'Unknown', 'ClusterStatusNeverUpdated']]);

  // Reported Ready, then silent: Unknown once the grace period has passed since the last sign of life; a renewed
  // Lease is one.
  writes.length = 0;
  const reported = cluster('True', [], 'Pull');
  now = created + 100_000;
  await controller.monitorClusterHealth(ctx, [reported], noLease, health, clock);
  now = created + 130_000;
  const lease = { spec: { renewTime: new Date(created + 130_000) } };
  await controller.monitorClusterHealth(ctx, [reported], () => lease, health, clock);
  now = created + 160_000;
  await controller.monitorClusterHealth(ctx, [reported], () => lease, health, clock);
  assert.equal(writes.length, 0, 'the renewed Lease restarted the grace period');
  now = created + 170_001;
  await controller.monitorClusterHealth(ctx, [reported], () => lease, health, clock);
  assert.deepEqual(writes.map((w) => [w.conditions[0].status, w.conditions[0].reason, w.conditions[0].message]), [
    ['Unknown', 'ClusterStatusUnknown', 'Cluster status controller stopped posting cluster status.'],
  ]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint, Toleration } from '../../openapi/karmada/types.js';
import { bindingSpec, cluster, type ClusterFixture } from '../testing.js';
import { taintString, taintToleration } from './tainttoleration.js';

const gpu: Taint = { key: 'gpu', value: 'true', effect: 'NoSchedule' };
const drain: Taint = { key: 'drain', effect: 'NoExecute' };
const soft: Taint = { key: 'soft', effect: 'PreferNoSchedule' };

const cases: [string, ClusterFixture, Toleration[], string[], string | undefined][] = [
  ['no taints', {}, [], [], undefined],
  ['NoSchedule untolerated', { taints: [gpu] }, [], [], 'cluster(s) had untolerated taint {gpu=true:NoSchedule}'],
  ['NoExecute untolerated', { taints: [drain] }, [], [], 'cluster(s) had untolerated taint {drain:NoExecute}'],
  ['PreferNoSchedule is ignored', { taints: [soft] }, [], [], undefined],
  ['Equal toleration', { taints: [gpu] }, [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }], [], undefined],
  ['Equal with another value', { taints: [gpu] }, [{ key: 'gpu', value: 'false' }], [], 'cluster(s) had untolerated taint {gpu=true:NoSchedule}'],
  ['Exists with no key tolerates everything', { taints: [gpu, drain] }, [{ operator: 'Exists' }], [], undefined],
  ['effect must match', { taints: [drain] }, [{ key: 'drain', operator: 'Exists', effect: 'NoSchedule' }], [], 'cluster(s) had untolerated taint {drain:NoExecute}'],
  ['the first untolerated taint is reported', { taints: [gpu, drain] }, [{ key: 'gpu', operator: 'Exists' }], [], 'cluster(s) had untolerated taint {drain:NoExecute}'],
  ['a cluster already scheduled keeps its place', { taints: [drain] }, [], ['c'], undefined],
  ['not ready: no new placement', { ready: 'False' }, [], [], 'cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoSchedule}'],
  ['unreachable: no new placement', { ready: 'Unknown' }, [], [], 'cluster(s) had untolerated taint {cluster.karmada.io/unreachable:NoSchedule}'],
  ['not ready but tolerated', { ready: 'False' }, [{ key: 'cluster.karmada.io/not-ready', operator: 'Exists' }], [], undefined],
  ['not ready, already scheduled: stays', { ready: 'False' }, [], ['c'], undefined],
];

for (const [name, fixture, clusterTolerations, scheduled, want] of cases)
  test(`TaintToleration: ${name}`, () => {
    const spec = bindingSpec({ clusterTolerations }, { clusters: scheduled.map((n) => ({ name: n, replicas: 1 })) });
    assert.equal(taintToleration.filter(spec, {}, cluster('c', fixture)), want);
  });

test('taintString is corev1.Taint.ToString', () => {
  assert.equal(taintString({ key: 'k', value: 'v', effect: 'NoSchedule' }), 'k=v:NoSchedule');
  assert.equal(taintString({ key: 'k', effect: 'NoSchedule' }), 'k:NoSchedule');
  assert.equal(taintString({ key: 'k', value: 'v', effect: '' }), 'k=v:');
  assert.equal(taintString({ key: 'k', effect: '' }), 'k');
});

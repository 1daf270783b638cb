import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterAffinity } from '../openapi/karmada/types.js';
import { clusterMatches, schedulingTaints } from './cluster.js';
import { cluster } from './testing.js';

const east = cluster('east', { labels: { env: 'prod', tier: 'gold' }, provider: 'aws', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] });
const west = cluster('west', { labels: { env: 'dev' }, provider: 'gcp', region: 'us-west-1', zones: ['us-west-1a'] });
const bare = cluster('bare');

const matching: [string, ClusterAffinity, string[]][] = [
  ['empty affinity matches all', {}, ['east', 'west', 'bare']],
  ['clusterNames', { clusterNames: ['east', 'bare'] }, ['east', 'bare']],
  ['exclude wins over clusterNames', { clusterNames: ['east', 'west'], exclude: ['west'] }, ['east']],
  ['matchLabels', { labelSelector: { matchLabels: { env: 'prod' } } }, ['east']],
  ['In', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] } }, ['east', 'west']],
  ['NotIn matches clusters without the label', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }, ['west', 'bare']],
  ['Exists', { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }, ['east']],
  ['DoesNotExist', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }, ['bare']],
  ['an invalid selector matches nothing', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] } }, []],
  ['labels and names together', { clusterNames: ['west', 'east'], labelSelector: { matchLabels: { env: 'dev' } } }, ['west']],
  ['provider In', { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws'] }] } }, ['east']],
  ['region NotIn', { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us-east-1'] }] } }, ['west', 'bare']],
  ['zone In needs every zone listed', { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['us-east-1a', 'us-west-1a'] }] } }, ['west']],
  ['zone NotIn excludes a cluster with any listed zone', { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['us-east-1b'] }] } }, ['west', 'bare']],
  [
    'fields and labels together',
    { labelSelector: { matchLabels: { env: 'prod' } }, fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['gcp'] }] } },
    [],
  ],
];

for (const [name, affinity, want] of matching)
  test(`clusterMatches: ${name}`, () => {
    assert.deepEqual([east, west, bare].filter((c) => clusterMatches(c, affinity)).map((c) => c.metadata!.name), want);
  });

test('schedulingTaints adds the readiness taint the cluster controller would keep, once', () => {
  const keys = (ready: 'True' | 'False' | 'Unknown' | null, taints = [{ key: 'k', effect: 'NoSchedule' }]) =>
    schedulingTaints(cluster('c', { ready, taints })).map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys('True'), ['k:NoSchedule']);
  assert.deepEqual(keys('False'), ['k:NoSchedule', 'cluster.karmada.io/not-ready:NoSchedule']);
  assert.deepEqual(keys(null), ['k:NoSchedule', 'cluster.karmada.io/not-ready:NoSchedule']);
  assert.deepEqual(keys('Unknown'), ['k:NoSchedule', 'cluster.karmada.io/unreachable:NoSchedule']);
  assert.deepEqual(keys('False', [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }]), ['cluster.karmada.io/not-ready:NoSchedule']);
});

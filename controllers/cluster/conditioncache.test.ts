import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '../../openapi/karmada/types.js';
import { ClusterConditionCache } from './conditioncache.js';

const ready = (status: Condition['status'], reason = status === 'True' ? 'ClusterReady' : 'ClusterNotReachable'): Condition => ({
  type: 'Ready',
  status,
  reason,
  message: '',
  lastTransitionTime: '2024-01-01T00:00:00Z',
});

test('a change of readiness is held back until it has lasted its threshold', () => {
  let now = 0;
  const cache = new ClusterConditionCache({ successThresholdMs: 3000, failureThresholdMs: 2000 }, () => now);
  // The first observation of a cluster is taken as-is.
  assert.equal(cache.thresholdAdjusted('m1', undefined, ready('True')).status, 'True');
  let recorded = [ready('True')];
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('True')).status, 'True');

  // Failing from t=1000: still Ready until the failure has lasted 2 s.
  now = 1000;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('False')).status, 'True');
  now = 2999;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('False')).status, 'True');
  now = 3000;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('False')).status, 'False');
  recorded = [ready('False')];

  // A recovery that does not last is ignored; the success threshold counts from the latest recovery.
  now = 4000;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('True')).status, 'False');
  now = 5000;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('False')).status, 'False');
  now = 6000;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('True')).status, 'False');
  now = 8999;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('True')).status, 'False');
  now = 9000;
  assert.equal(cache.thresholdAdjusted('m1', recorded, ready('True')).status, 'True');
});

test('non-readiness changes pass straight through, and a deleted cluster starts afresh', () => {
  let now = 0;
  const cache = new ClusterConditionCache({ successThresholdMs: 30_000, failureThresholdMs: 30_000 }, () => now);
  cache.thresholdAdjusted('m1', undefined, ready('Unknown'));
  now = 1;
  const adjusted = cache.thresholdAdjusted('m1', [ready('Unknown')], ready('False', 'ClusterNotReady'));
  assert.deepEqual([adjusted.status, adjusted.reason], ['False', 'ClusterNotReady']);

  cache.delete('m1');
  assert.equal(cache.thresholdAdjusted('m1', [ready('False')], ready('True')).status, 'True');
});

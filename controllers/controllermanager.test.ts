import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTROLLERS, controllerManagerOptions } from './controllermanager.js';

test('controller-manager flags set the cluster controllers options, with Karmada defaults', () => {
  const defaults = controllerManagerOptions();
  assert.equal(defaults.clusterStatus.statusUpdateFrequencyMs, 10_000);
  assert.equal(defaults.clusterStatus.failureThresholdMs, 30_000);
  assert.equal(defaults.cluster.monitorGracePeriodMs, 40_000);
  const o = controllerManagerOptions({
    'cluster-status-update-frequency': '1s',
    'cluster-failure-threshold': '2s',
    'cluster-monitor-grace-period': '3s',
    'concurrent-cluster-syncs': '2',
    'skipped-propagating-namespaces': 'tmp-.*, scratch',
  });
  assert.deepEqual([o.clusterStatus.statusUpdateFrequencyMs, o.clusterStatus.failureThresholdMs, o.cluster.monitorGracePeriodMs, o.clusterStatus.concurrentSyncs], [1000, 2000, 3000, 2]);
  const skipped = o.namespaceSync.skippedPropagatingNamespaces;
  assert.deepEqual(['tmp-1', 'scratch', 'scratchpad', 'my-tmp-1'].map((n) => skipped.some((re) => re.test(n))), [true, true, false, false]);
  assert.throws(() => controllerManagerOptions({ 'cluster-failure-threshold': '2' }), /invalid duration/);
  assert.throws(() => controllerManagerOptions({ 'concurrent-cluster-syncs': '0' }), /invalid --concurrent-cluster-syncs/);
});

test('the controllers go by their Karmada --controllers names', () => {
  assert.deepEqual(CONTROLLERS.map((make) => make(controllerManagerOptions()).name), ['cluster', 'clusterStatus', 'namespace', 'resource-detector', 'binding', 'dependencies-distributor', 'execution', 'workStatus', 'bindingStatus']);
});

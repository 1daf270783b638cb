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

test('the concurrency flags set the workers of the detector, the binding and the execution controllers', () => {
  const defaults = controllerManagerOptions();
  assert.deepEqual([defaults.templateWorkers, defaults.binding.workers, defaults.execution.workers], [64, { ResourceBinding: 5, ClusterResourceBinding: 5 }, 10]);
  const o = controllerManagerOptions({
    'concurrent-resource-template-syncs': '20',
    'concurrent-resourcebinding-syncs': '7',
    'concurrent-clusterresourcebinding-syncs': '3',
    'concurrent-work-syncs': '12',
  });
  assert.deepEqual([o.templateWorkers, o.binding.workers, o.execution.workers], [20, { ResourceBinding: 7, ClusterResourceBinding: 3 }, 12]);
  for (const flag of ['concurrent-resource-template-syncs', 'concurrent-resourcebinding-syncs', 'concurrent-clusterresourcebinding-syncs', 'concurrent-work-syncs'] as const) {
    assert.throws(() => controllerManagerOptions({ [flag]: '1.5' }), new RegExp(`invalid --${flag} "1.5"`));
  }
});

test('the controllers go by their Karmada --controllers names', () => {
  assert.deepEqual(CONTROLLERS.map((make) => make(controllerManagerOptions()).name), ['cluster', 'clusterStatus', 'namespace', 'resource-detector', 'binding', 'dependencies-distributor', 'execution', 'workStatus', 'bindingStatus']);
});

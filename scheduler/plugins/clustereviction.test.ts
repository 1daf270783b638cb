import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GracefulEvictionTask } from '../../openapi/karmada/types.js';
import { bindingSpec, cluster } from '../testing.js';
import { clusterEviction } from './clustereviction.js';

const task = (fromCluster: string): GracefulEvictionTask => ({ fromCluster, producer: 'taint-manager', reason: 'TaintUntolerated' });

const cases: [string, GracefulEvictionTask[], string | undefined][] = [
  ['no eviction', [], undefined],
  ['evicting from another cluster', [task('b')], undefined],
  ['evicting from this cluster', [task('b'), task('a')], 'cluster(s) is in the process of eviction'],
];

for (const [name, gracefulEvictionTasks, want] of cases)
  test(`ClusterEviction: ${name}`, () => {
    assert.equal(clusterEviction.filter(bindingSpec({}, { gracefulEvictionTasks }), {}, cluster('a')), want);
  });

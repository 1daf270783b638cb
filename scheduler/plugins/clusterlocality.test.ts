import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TargetCluster } from '../../openapi/karmada/types.js';
import { bindingSpec, cluster } from '../testing.js';
import { clusterLocality } from './clusterlocality.js';

const cases: [string, TargetCluster[], number][] = [
  ['not scheduled yet', [], 0],
  ['scheduled elsewhere', [{ name: 'b', replicas: 2 }], 0],
  ['scheduled here', [{ name: 'b', replicas: 2 }, { name: 'a', replicas: 1 }], 100],
];

for (const [name, clusters, want] of cases)
  test(`ClusterLocality: ${name}`, () => {
    assert.equal(clusterLocality.score(bindingSpec({}, { clusters }), cluster('a')), want);
  });

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Placement, ResourceBindingStatus } from '../../openapi/karmada/types.js';
import { bindingSpec, cluster } from '../testing.js';
import { clusterAffinity } from './clusteraffinity.js';

const NOT_MATCHED = 'cluster(s) did not match the placement cluster affinity constraint';
const terms: Placement = {
  clusterAffinities: [
    { affinityName: 'primary', clusterNames: ['a'] },
    { affinityName: 'backup', clusterNames: ['b'] },
  ],
};

const cases: [string, Placement, ResourceBindingStatus, string, string | undefined][] = [
  ['no affinity: every cluster', {}, {}, 'a', undefined],
  ['clusterAffinity matches', { clusterAffinity: { clusterNames: ['a'] } }, {}, 'a', undefined],
  ['clusterAffinity does not match', { clusterAffinity: { clusterNames: ['a'] } }, {}, 'b', NOT_MATCHED],
  ['the observed term decides', terms, { schedulerObservingAffinityName: 'backup' }, 'b', undefined],
  ['another term does not count', terms, { schedulerObservingAffinityName: 'backup' }, 'a', NOT_MATCHED],
  ['no observed term: no constraint', terms, {}, 'b', undefined],
];

for (const [name, placement, status, clusterName, want] of cases)
  test(`ClusterAffinity: ${name}`, () => {
    assert.equal(clusterAffinity.filter(bindingSpec(placement), status, cluster(clusterName)), want);
  });

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingSpec, cluster, type ClusterFixture } from '../testing.js';
import { apiEnablement } from './apienablement.js';

const MISSING = 'cluster(s) did not have the API resource';

const cases: [string, ClusterFixture, string[], string | undefined][] = [
  ['the API is enabled', { apis: ['apps/v1/Deployment'] }, [], undefined],
  ['another kind of the group version', { apis: ['apps/v1/StatefulSet'] }, [], MISSING],
  ['the kind in another version', { apis: ['apps/v1beta1/Deployment'] }, [], MISSING],
  ['enablements not collected yet', { apis: [] }, [], MISSING],
  ['already scheduled: never removed for a missing API', { apis: [] }, ['c'], undefined],
];

for (const [name, fixture, scheduled, want] of cases)
  test(`APIEnablement: ${name}`, () => {
    const spec = bindingSpec({}, { clusters: scheduled.map((n) => ({ name: n })) });
    assert.equal(apiEnablement.filter(spec, {}, cluster('c', fixture)), want);
  });

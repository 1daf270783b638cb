import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpreadConstraint } from '../../openapi/karmada/types.js';
import { bindingSpec, cluster, type ClusterFixture } from '../testing.js';
import { spreadConstraint } from './spreadconstraint.js';

const full: ClusterFixture = { provider: 'aws', region: 'r1', zones: ['z1'], labels: { rack: 'r' } };

const cases: [string, SpreadConstraint[], ClusterFixture, string | undefined][] = [
  ['by cluster needs nothing', [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 2 }], {}, undefined],
  ['by region, with a region', [{ spreadByField: 'region' }], full, undefined],
  ['by provider, without', [{ spreadByField: 'provider' }], {}, "cluster(s) didn't have provider property"],
  ['by region, without', [{ spreadByField: 'region' }], { provider: 'aws' }, "cluster(s) didn't have region property"],
  ['by zone, without', [{ spreadByField: 'zone' }], { region: 'r1' }, "cluster(s) didn't have zone property"],
  ['by label, without', [{ spreadByLabel: 'rack' }], { provider: 'aws' }, "cluster(s) didn't have label rack"],
  ['by label, with', [{ spreadByLabel: 'rack' }], full, undefined],
];

for (const [name, spreadConstraints, fixture, want] of cases)
  test(`SpreadConstraint: ${name}`, () => {
    assert.equal(spreadConstraint.filter(bindingSpec({ spreadConstraints }), {}, cluster('c', fixture)), want);
  });

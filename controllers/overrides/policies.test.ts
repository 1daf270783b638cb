import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cluster, ClusterOverridePolicy, OverridePolicy, OverrideSpec, ResourceSelector, RuleWithCluster } from '../../openapi/karmada/types.js';
import type { Obj } from './jsonpatch.js';
import {
  APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
  APPLIED_OVERRIDES_ANNOTATION,
  OverridePolicyError,
  applyOverridePolicies,
  appliedOverridesAnnotations,
  appliedPolicyNames,
} from './policies.js';

const template = (): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' } },
  spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
});

const cluster = (name: string, labels: Record<string, string> = {}, spec: Partial<Cluster['spec']> = {}): Cluster => ({
  metadata: { name, labels },
  spec: { syncMode: 'Push', ...spec },
});

/** A rule that records the policy's name in the "winner" annotation, so the last policy applied shows. */
const mark = (name: string, targetCluster?: RuleWithCluster['targetCluster']): RuleWithCluster => ({
  ...(targetCluster && { targetCluster }),
  overriders: { annotationsOverrider: [{ operator: 'add', value: { winner: name } }] },
});

const byKind: ResourceSelector = { apiVersion: 'apps/v1', kind: 'Deployment' };
const byName: ResourceSelector = { ...byKind, name: 'web' };
const byLabel: ResourceSelector = { ...byKind, labelSelector: { matchLabels: { app: 'web' } } };

function cop(name: string, spec: Partial<OverrideSpec>): ClusterOverridePolicy {
  return { metadata: { name }, spec: { overrideRules: [mark(name)], ...spec } };
}
function op(name: string, spec: Partial<OverrideSpec>, namespace = 'apps'): OverridePolicy {
  return { metadata: { name, namespace }, spec: { overrideRules: [mark(name)], ...spec } };
}

test('cluster policies apply before namespaced ones, each from the least to the most precise selector, then by name', () => {
  const cops = [
    cop('a-name', { resourceSelectors: [byName] }),
    cop('z-all', {}),
    cop('b-label', { resourceSelectors: [byLabel, { ...byKind, kind: 'StatefulSet' }] }),
    cop('c-kind', { resourceSelectors: [byKind] }),
    cop('other-kind', { resourceSelectors: [{ ...byKind, kind: 'StatefulSet' }] }),
    cop('other-name', { resourceSelectors: [{ ...byName, name: 'api' }] }),
    cop('other-labels', { resourceSelectors: [{ ...byKind, labelSelector: { matchLabels: { app: 'api' } } }] }),
  ];
  const ops = [op('op-b', { resourceSelectors: [byName] }), op('op-a', {}), op('op-elsewhere', {}, 'other')];
  const input = template();
  const result = applyOverridePolicies(input, cluster('member1'), cops, ops);
  assert.deepEqual(result.appliedClusterOverrides.map((a) => a.policyName), ['c-kind', 'z-all', 'b-label', 'a-name']);
  assert.deepEqual(result.appliedOverrides.map((a) => a.policyName), ['op-a', 'op-b']);
  assert.equal(result.object.metadata.annotations.winner, 'op-b');
  assert.deepEqual(input, template(), 'the template is left alone');

  const clusterOnly = applyOverridePolicies(input, cluster('member1'), cops.slice(0, 2), []);
  assert.equal(clusterOnly.object.metadata.annotations.winner, 'a-name');
  assert.deepEqual(clusterOnly.appliedOverrides, []);
});

test('rules apply to the clusters their targetCluster matches', () => {
  const east = cluster('member1', { env: 'prod' }, { region: 'east', provider: 'aws', zones: ['e1', 'e2'] });
  const west = cluster('member2', { env: 'dev' }, { region: 'west', zones: ['w1'] });
  const cases: [string, RuleWithCluster['targetCluster'], boolean, boolean][] = [
    ['no targetCluster: every cluster', undefined, true, true],
    ['clusterNames', { clusterNames: ['member2'] }, false, true],
    ['exclude', { exclude: ['member2'] }, true, false],
    ['exclude wins over clusterNames', { clusterNames: ['member1', 'member2'], exclude: ['member1'] }, false, true],
    ['labelSelector', { labelSelector: { matchLabels: { env: 'prod' } } }, true, false],
    ['labelSelector expressions', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }, false, true],
    ['fieldSelector region', { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['west'] }] } }, false, true],
    ['fieldSelector provider', { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'Exists' }] } }, true, false],
    ['fieldSelector zone: all zones listed', { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['e1', 'e2', 'w1'] }] } }, true, true],
    ['fieldSelector zone: not all zones listed', { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['e1', 'w1'] }] } }, false, true],
    ['every part must match', { clusterNames: ['member1'], labelSelector: { matchLabels: { env: 'dev' } } }, false, false],
  ];
  for (const [name, targetCluster, onEast, onWest] of cases) {
    const policies = [op('p', { overrideRules: [mark('p', targetCluster)] })];
    assert.equal(applyOverridePolicies(template(), east, [], policies).appliedOverrides.length, onEast ? 1 : 0, `${name} on member1`);
    assert.equal(applyOverridePolicies(template(), west, [], policies).appliedOverrides.length, onWest ? 1 : 0, `${name} on member2`);
  }
});

test('each matching rule of a policy applies, in order; the deprecated targetCluster and overriders form one rule', () => {
  const multi = op('multi', { overrideRules: [mark('first'), mark('member2 only', { clusterNames: ['member2'] }), mark('last')] });
  const r1 = applyOverridePolicies(template(), cluster('member1'), [], [multi]);
  assert.deepEqual(r1.appliedOverrides.map((a) => a.overriders.annotationsOverrider?.[0].value.winner), ['first', 'last']);
  assert.ok(r1.appliedOverrides.every((a) => a.policyName === 'multi'));

  const legacy = op('legacy', { overrideRules: undefined, targetCluster: { clusterNames: ['member2'] }, overriders: mark('legacy').overriders });
  assert.equal(applyOverridePolicies(template(), cluster('member1'), [], [legacy]).appliedOverrides.length, 0);
  assert.equal(applyOverridePolicies(template(), cluster('member2'), [], [legacy]).object.metadata.annotations.winner, 'legacy');
});

test('a cluster known by name only decides name rules and fails rules that need its labels or fields', () => {
  const byNames = op('names', { overrideRules: [mark('names', { clusterNames: ['member2'], exclude: ['member3'] })] });
  assert.equal(applyOverridePolicies(template(), 'member2', [], [byNames]).appliedOverrides.length, 1);
  assert.equal(applyOverridePolicies(template(), 'member1', [], [byNames]).appliedOverrides.length, 0);
  const byLabels = op('labels', { overrideRules: [mark('labels', { labelSelector: { matchLabels: { env: 'prod' } } })] });
  assert.throws(() => applyOverridePolicies(template(), 'member1', [], [byLabels]), /cluster member1 is not known/);
});

test('a cluster-scoped template gets the cluster policies only', () => {
  const ns: Obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } };
  const r = applyOverridePolicies(ns, cluster('member1'), [cop('c', {})], [op('o', {})]);
  assert.deepEqual(r.appliedClusterOverrides.map((a) => a.policyName), ['c']);
  assert.deepEqual(r.appliedOverrides, []);
});

test('a failing rule names its policy and cluster', () => {
  const broken = { overrideRules: [{ overriders: { plaintext: [{ operator: 'remove' as const, path: '/spec/missing' }] } }] };
  for (const [cops, ops, want] of [
    [[cop('bad', broken)], [], 'Apply cluster override policy(bad) for cluster(member1) failed.'],
    [[], [op('bad', broken)], 'Apply override policy(apps/bad) for cluster(member1) failed.'],
  ] as const) {
    assert.throws(
      () => applyOverridePolicies(template(), cluster('member1'), cops, ops),
      (err: unknown) => err instanceof OverridePolicyError && err.message === want && /remove "\/spec\/missing"/.test(err.cause.message),
    );
  }
});

test('the applied-overrides annotations list what was applied, sorted by policy name', () => {
  const annotations = appliedOverridesAnnotations({
    appliedClusterOverrides: [],
    appliedOverrides: [
      { policyName: 'b', overriders: { plaintext: [] } },
      { policyName: 'a', overriders: { labelsOverrider: [{ operator: 'add', value: { x: 'y' } }] } },
    ],
  });
  assert.deepEqual(Object.keys(annotations), [APPLIED_OVERRIDES_ANNOTATION]);
  assert.equal(
    annotations[APPLIED_OVERRIDES_ANNOTATION],
    '[{"policyName":"a","overriders":{"labelsOverrider":[{"operator":"add","value":{"x":"y"}}]}},{"policyName":"b","overriders":{"plaintext":[]}}]',
  );
  assert.deepEqual(appliedPolicyNames(annotations[APPLIED_OVERRIDES_ANNOTATION]), ['a', 'b']);
  assert.deepEqual(appliedPolicyNames(undefined), []);
  assert.deepEqual(appliedPolicyNames('not json'), []);
  assert.deepEqual(Object.keys(appliedOverridesAnnotations({ appliedClusterOverrides: [{ policyName: 'c', overriders: {} }], appliedOverrides: [] })), [
    APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
  ]);
});

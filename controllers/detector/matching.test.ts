import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterPropagationPolicy, LabelSelector, PropagationPolicy, ResourceSelector } from '../../openapi/karmada/types.js';
import {
  bindingName,
  candidateKeys,
  claimedByID,
  claimKey,
  claimKeys,
  claimOf,
  CPP_ID_LABEL,
  CPP_NAME_ANNOTATION,
  highestPriorityPolicy,
  metadataPatch,
  isSkippedNamespace,
  labelSelectorMatches,
  matchesSelectors,
  MatchPrecision,
  PP_ID_LABEL,
  PP_NAME_ANNOTATION,
  PP_NAMESPACE_ANNOTATION,
  preempts,
  selectorKeys,
  selectorPrecision,
  selectPolicy,
  withClaim,
  withoutClaim,
  type Claim,
  type ObjectMeta,
  type Policy,
  type PolicyKind,
  type TemplateRef,
} from './matching.js';

const deploy = (name: string, labels: Record<string, string> = {}, namespace = 'default'): TemplateRef => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels },
});

function pp(name: string, selectors: ResourceSelector[], spec: Partial<PropagationPolicy['spec']> = {}, namespace = 'default'): PropagationPolicy {
  return { metadata: { name, namespace, labels: { [PP_ID_LABEL]: `id-${name}` } }, spec: { resourceSelectors: selectors, ...spec } };
}

function cpp(name: string, selectors: ResourceSelector[], spec: Partial<ClusterPropagationPolicy['spec']> = {}): ClusterPropagationPolicy {
  return { metadata: { name, labels: { [CPP_ID_LABEL]: `id-${name}` } }, spec: { resourceSelectors: selectors, ...spec } };
}

const byKind: ResourceSelector = { apiVersion: 'apps/v1', kind: 'Deployment' };
const byName = (name: string): ResourceSelector => ({ ...byKind, name });
const byLabels = (labelSelector: LabelSelector): ResourceSelector => ({ ...byKind, labelSelector });

test('label selectors match as metav1.LabelSelectorAsSelector does', () => {
  const labels = { app: 'nginx', tier: 'web' };
  const cases: [string, LabelSelector, boolean][] = [
    ['empty selector', {}, true],
    ['matchLabels equal', { matchLabels: { app: 'nginx' } }, true],
    ['matchLabels differ', { matchLabels: { app: 'redis' } }, false],
    ['matchLabels missing key', { matchLabels: { env: 'prod' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, true],
    ['In, value outside', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, false],
    ['In, key absent', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, false],
    ['In without values is invalid', { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, false],
    ['NotIn, key absent', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, true],
    ['NotIn, value inside', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['Exists with values is invalid', { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist, key present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['unknown operator', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    ['all requirements must hold', { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, false],
  ];
  for (const [name, selector, want] of cases) assert.equal(labelSelectorMatches(selector, labels), want, name);
});

test('a selector matches by apiVersion, kind, namespace, then name, else labels, else everything of the kind', () => {
  const t = deploy('nginx', { app: 'nginx' });
  const cases: [string, TemplateRef, ResourceSelector, MatchPrecision][] = [
    ['kind only', t, byKind, MatchPrecision.All],
    ['other apiVersion', t, { ...byKind, apiVersion: 'apps/v1beta1' }, MatchPrecision.Mismatch],
    ['other kind', t, { ...byKind, kind: 'StatefulSet' }, MatchPrecision.Mismatch],
    ['same namespace', t, { ...byKind, namespace: 'default' }, MatchPrecision.All],
    ['other namespace', t, { ...byKind, namespace: 'prod' }, MatchPrecision.Mismatch],
    ['a namespace never selects a cluster-scoped object', { ...t, metadata: { name: 'nginx' } }, { ...byKind, namespace: 'default' }, MatchPrecision.Mismatch],
    ['name', t, byName('nginx'), MatchPrecision.Name],
    ['other name', t, byName('redis'), MatchPrecision.Mismatch],
    ['a name ignores the label selector beside it', t, { ...byName('nginx'), labelSelector: { matchLabels: { app: 'redis' } } }, MatchPrecision.Name],
    ['labels', t, byLabels({ matchLabels: { app: 'nginx' } }), MatchPrecision.LabelSelector],
    ['labels not matching', t, byLabels({ matchLabels: { app: 'redis' } }), MatchPrecision.Mismatch],
    ['an empty label selector is a label match', t, byLabels({}), MatchPrecision.LabelSelector],
  ];
  for (const [name, template, rs, want] of cases) assert.equal(selectorPrecision(template, rs), want, name);
});

test('policies are indexed under every key a template they match is looked up by, and no unrelated one', () => {
  const t = deploy('nginx', { app: 'nginx' });
  const cases: [string, TemplateRef, Policy, boolean][] = [
    ['kind only', t, pp('p', [byKind]), true],
    ['name', t, pp('p', [byName('nginx')]), true],
    ['an empty name selects the kind', t, pp('p', [byName('')]), true],
    ['labels, matching or not, are left to matching', t, pp('p', [byLabels({ matchLabels: { app: 'redis' } })]), true],
    ["a selector's namespace is left to matching", t, pp('p', [{ ...byKind, namespace: 'prod' }]), true],
    ['any selector of the policy', t, pp('p', [{ ...byKind, kind: 'StatefulSet' }, byName('nginx')]), true],
    ['other name', t, pp('p', [byName('redis')]), false],
    ['other apiVersion', t, pp('p', [{ ...byKind, apiVersion: 'apps/v1beta1' }]), false],
    ['other kind', t, pp('p', [{ ...byKind, kind: 'StatefulSet' }]), false],
    ['a pp of another namespace', t, pp('p', [byKind], {}, 'prod'), false],
    ['no selectors', t, pp('p', []), false],
    ['a cpp', t, cpp('c', [byName('nginx')]), true],
    ['a cpp of another kind', t, cpp('c', [{ ...byKind, kind: 'StatefulSet' }]), false],
    ['a cpp for a cluster-scoped template', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }, cpp('c', [{ apiVersion: 'v1', kind: 'Namespace' }]), true],
  ];
  for (const [name, template, policy, want] of cases) {
    // As selectPolicy takes them: PropagationPolicies of the template's namespace, and cluster policies.
    const namespace = policy.metadata?.namespace === undefined ? '' : (template.metadata.namespace ?? '');
    const eligible = namespace === (policy.metadata?.namespace ?? '');
    const found = selectorKeys(policy).some((k) => candidateKeys(template, namespace).includes(k));
    assert.equal(found, want, name);
    if (eligible && matchesSelectors(template, policy.spec.resourceSelectors ?? [])) assert.ok(found, `${name}: matches but is not found`);
  }
  assert.equal(new Set(selectorKeys(pp('p', [byName('a'), byName('a'), byKind]))).size, 2, 'keys are distinct');
});

test('the highest priority wins, then the most precise match, then the first name', () => {
  const t = deploy('nginx', { app: 'nginx' });
  const cases: [string, PropagationPolicy[], string | undefined][] = [
    ['nothing matches', [pp('a', [byName('redis')])], undefined],
    ['priority beats precision', [pp('a', [byName('nginx')], { priority: 1 }), pp('b', [byKind], { priority: 2 })], 'b'],
    ['an unset priority is 0', [pp('a', [byKind], { priority: -1 }), pp('b', [byKind])], 'b'],
    ['name beats labels', [pp('a', [byLabels({ matchLabels: { app: 'nginx' } })]), pp('b', [byName('nginx')])], 'b'],
    ['labels beat kind only', [pp('a', [byKind]), pp('b', [byLabels({ matchLabels: { app: 'nginx' } })])], 'b'],
    ['the best selector of a policy counts', [pp('a', [byKind, byName('nginx')]), pp('b', [byLabels({})])], 'a'],
    ['then the name sorting first', [pp('zeta', [byKind]), pp('alpha', [byKind]), pp('mid', [byKind])], 'alpha'],
    ['a policy being deleted matches nothing', [{ ...pp('a', [byName('nginx')], { priority: 9 }), metadata: { name: 'a', namespace: 'default', deletionTimestamp: '2024-01-01T00:00:00Z' } }, pp('b', [byKind])], 'b'],
  ];
  for (const [name, policies, want] of cases) assert.equal(highestPriorityPolicy(t, policies)?.metadata?.name, want, name);
});

test('a PropagationPolicy of the template namespace beats any ClusterPropagationPolicy', () => {
  const t = deploy('nginx');
  const clusterScoped: TemplateRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'viewer' } };
  const roleSelector: ResourceSelector = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' };
  const cases: [string, TemplateRef, PropagationPolicy[], ClusterPropagationPolicy[], string | undefined][] = [
    ['pp over a higher cpp', t, [pp('low', [byKind], { priority: 0 })], [cpp('high', [byName('nginx')], { priority: 100 })], 'PropagationPolicy/low'],
    ['pp of another namespace does not count', t, [pp('other', [byKind], {}, 'prod')], [cpp('c', [byKind])], 'ClusterPropagationPolicy/c'],
    ['cpp when no pp matches', t, [pp('p', [byName('redis')])], [cpp('c', [byKind])], 'ClusterPropagationPolicy/c'],
    ['cluster-scoped templates have cpps only', clusterScoped, [pp('p', [roleSelector])], [cpp('c', [roleSelector])], 'ClusterPropagationPolicy/c'],
    ['none', t, [], [cpp('c', [roleSelector])], undefined],
  ];
  for (const [name, template, pps, cpps, want] of cases) {
    const got = selectPolicy(template, pps, cpps);
    assert.equal(got && `${got.kind}/${got.policy.metadata?.name}`, want, name);
  }
});

test('preemption: PropagationPolicy > lower PropagationPolicy > ClusterPropagationPolicy; higher cpp > lower cpp', () => {
  const always = { preemption: 'Always' as const };
  const ppClaim = (name: string): Claim => ({ kind: 'PropagationPolicy', namespace: 'default', name, id: `id-${name}` });
  const cppClaim = (name: string): Claim => ({ kind: 'ClusterPropagationPolicy', name, id: `id-${name}` });
  const cases: [string, PolicyKind, Policy, Claim, Policy | undefined, boolean][] = [
    ['pp takes over from any cpp', 'PropagationPolicy', pp('p', [byKind], { ...always, priority: 0 }), cppClaim('c'), cpp('c', [byKind], { priority: 9 }), true],
    ['not without preemption Always', 'PropagationPolicy', pp('p', [byKind], { preemption: 'Never' }), cppClaim('c'), cpp('c', [byKind]), false],
    ['pp over a lower pp', 'PropagationPolicy', pp('p', [byKind], { ...always, priority: 2 }), ppClaim('q'), pp('q', [byKind], { priority: 1 }), true],
    ['not over an equal pp', 'PropagationPolicy', pp('p', [byKind], { ...always, priority: 1 }), ppClaim('q'), pp('q', [byKind], { priority: 1 }), false],
    ['not over itself', 'PropagationPolicy', pp('p', [byKind], { ...always, priority: 5 }), ppClaim('p'), pp('p', [byKind], { priority: 0 }), false],
    ['cpp never over a pp', 'ClusterPropagationPolicy', cpp('c', [byKind], { ...always, priority: 9 }), ppClaim('q'), pp('q', [byKind]), false],
    ['cpp over a lower cpp', 'ClusterPropagationPolicy', cpp('c', [byKind], { ...always, priority: 2 }), cppClaim('d'), cpp('d', [byKind], { priority: 1 }), true],
    ['not over an equal cpp', 'ClusterPropagationPolicy', cpp('c', [byKind], { ...always, priority: 1 }), cppClaim('d'), cpp('d', [byKind], { priority: 1 }), false],
    ['not when the claimant is gone', 'PropagationPolicy', pp('p', [byKind], { ...always, priority: 2 }), ppClaim('q'), undefined, false],
  ];
  for (const [name, kind, policy, claim, claimant, want] of cases) assert.equal(preempts({ kind, policy }, claim, claimant), want, name);
});

test('claim metadata: a pp claim replaces a cpp claim, is read first, and is removed by id', () => {
  const p = pp('nginx-propagation', [byKind]);
  const c = cpp('everything', [byKind]);
  const byCPP = withClaim({ name: 'nginx', labels: { app: 'nginx' } }, 'ClusterPropagationPolicy', c);
  assert.deepEqual(byCPP.labels, { app: 'nginx', [CPP_ID_LABEL]: 'id-everything' });
  assert.deepEqual(byCPP.annotations, { [CPP_NAME_ANNOTATION]: 'everything' });
  assert.deepEqual(claimOf(byCPP), { kind: 'ClusterPropagationPolicy', name: 'everything', id: 'id-everything' });

  const byPP = withClaim(byCPP, 'PropagationPolicy', p);
  assert.deepEqual(byPP.labels, { app: 'nginx', [PP_ID_LABEL]: 'id-nginx-propagation' });
  assert.deepEqual(byPP.annotations, { [PP_NAMESPACE_ANNOTATION]: 'default', [PP_NAME_ANNOTATION]: 'nginx-propagation' });
  assert.deepEqual(claimOf(byPP), { kind: 'PropagationPolicy', namespace: 'default', name: 'nginx-propagation', id: 'id-nginx-propagation' });
  assert.equal(claimedByID(byPP, 'PropagationPolicy', 'id-nginx-propagation'), true);
  assert.equal(claimedByID(byPP, 'PropagationPolicy', 'id-other'), false);
  assert.equal(claimedByID(byPP, 'PropagationPolicy', ''), false);

  const both = { ...byPP, labels: { ...byPP.labels, ...byCPP.labels }, annotations: { ...byPP.annotations, ...byCPP.annotations } };
  assert.equal(claimOf(both)?.kind, 'PropagationPolicy');
  const released = withoutClaim(both, 'PropagationPolicy');
  assert.deepEqual(released.labels, { app: 'nginx', [CPP_ID_LABEL]: 'id-everything' });
  assert.equal(claimOf(released)?.kind, 'ClusterPropagationPolicy');
  // An incomplete claim (the name annotation missing) is no claim.
  assert.equal(claimOf({ labels: { [PP_ID_LABEL]: 'x' }, annotations: { [PP_NAMESPACE_ANNOTATION]: 'default' } }), undefined);
});

test('bindings are indexed by claim exactly as claimedByID reads it', () => {
  const metas: [string, ObjectMeta][] = [
    ['unclaimed', { labels: { app: 'nginx' } }],
    ['pp', { labels: { [PP_ID_LABEL]: 'a' } }],
    ['cpp', { labels: { [CPP_ID_LABEL]: 'b' } }],
    ['both', { labels: { [PP_ID_LABEL]: 'a', [CPP_ID_LABEL]: 'b' } }],
    ['empty id', { labels: { [PP_ID_LABEL]: '' } }],
    ['no labels', {}],
  ];
  const queries: [PolicyKind, string][] = [
    ['PropagationPolicy', 'a'],
    ['PropagationPolicy', 'b'],
    ['PropagationPolicy', ''],
    ['ClusterPropagationPolicy', 'a'],
    ['ClusterPropagationPolicy', 'b'],
    ['ClusterPropagationPolicy', ''],
  ];
  for (const [name, meta] of metas)
    for (const [kind, id] of queries) assert.equal(claimKeys(meta).includes(claimKey(kind, id)), claimedByID(meta, kind, id), `${name}: ${kind} ${id}`);
});

test('reserved and skipped namespaces', () => {
  const cases: [string, boolean][] = [
    ['default', false],
    ['', false],
    ['karmada-system', true],
    ['karmada-cluster', true],
    ['karmada-es-member1', true],
    ['karmada-apps', false],
    ['kube-system', true],
    ['kube-public', true],
    ['my-kube-ns', false],
  ];
  for (const [ns, want] of cases) assert.equal(isSkippedNamespace(ns), want, ns);
  assert.equal(isSkippedNamespace('team-a', [/^team-.*$/]), true);
});

test('binding names are GenerateBindingName', () => {
  assert.equal(bindingName('Deployment', 'nginx'), 'nginx-deployment');
  assert.equal(bindingName('ClusterRole', 'system:aggregate-to-view'), 'system.aggregate-to-view-clusterrole');
  assert.equal(bindingName('ConfigMap', 'MixedCase'), 'mixedcase-configmap');
});

test('metadataPatch: the merge patch from one set of labels and annotations to another, at the resourceVersion read', () => {
  const cases: [string, Parameters<typeof metadataPatch>[0], Parameters<typeof metadataPatch>[1], ReturnType<typeof metadataPatch>][] = [
    ['nothing to change', { resourceVersion: '7', labels: { a: '1' } }, { labels: { a: '1' } }, { metadata: { resourceVersion: '7' } }],
    ['added to none', { resourceVersion: '7' }, { labels: { a: '1' }, annotations: { n: 'x' } }, { metadata: { resourceVersion: '7', labels: { a: '1' }, annotations: { n: 'x' } } }],
    ['changed and kept', { resourceVersion: '8', labels: { a: '1', b: '2' } }, { labels: { a: '1', b: '3' } }, { metadata: { resourceVersion: '8', labels: { b: '3' } } }],
    ['removed', { resourceVersion: '9', annotations: { stale: 'x', keep: 'y' } }, { annotations: { keep: 'y' } }, { metadata: { resourceVersion: '9', annotations: { stale: null } } }],
  ];
  for (const [name, meta, next, want] of cases) assert.deepEqual(metadataPatch(meta, next), want, name);

  const template = { resourceVersion: '3', labels: { app: 'nginx' } };
  const pp: PropagationPolicy = { metadata: { name: 'p', namespace: 'default', labels: { [PP_ID_LABEL]: 'id-1' } }, spec: { resourceSelectors: [] } };
  assert.deepEqual(metadataPatch(template, withClaim(template, 'PropagationPolicy', pp)), {
    metadata: { resourceVersion: '3', labels: { [PP_ID_LABEL]: 'id-1' }, annotations: { [PP_NAMESPACE_ANNOTATION]: 'default', [PP_NAME_ANNOTATION]: 'p' } },
  });
});

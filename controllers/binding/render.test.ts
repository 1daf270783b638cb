import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OverridePolicy, ResourceBindingSpec } from '../../openapi/karmada/types.js';
import type { Obj } from '../overrides/jsonpatch.js';
import { APPLIED_OVERRIDES_ANNOTATION } from '../overrides/policies.js';
import { generateWorkName } from './names.js';
import { expectedClusters, renderWork, suspendDispatching, targetClusters, updatedWork, type Binding, type RenderInput, type Work } from './render.js';

const template = (): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'apps',
    uid: 'tmpl-uid',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2024-01-01T00:00:00Z',
    labels: { app: 'web' },
    annotations: { team: 'a' },
  },
  spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
  status: { replicas: 5 },
});

const spec = (extra: Partial<ResourceBindingSpec> = {}): ResourceBindingSpec => ({
  resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web' },
  replicas: 5,
  placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } },
  clusters: [
    { name: 'm1', replicas: 2 },
    { name: 'm2', replicas: 3 },
  ],
  ...extra,
});

const rb = (extra: Partial<ResourceBindingSpec> = {}): Binding => ({
  apiVersion: 'work.karmada.io/v1alpha2',
  kind: 'ResourceBinding',
  metadata: { name: 'web-deployment', namespace: 'apps', uid: 'rb-uid', labels: { 'resourcebinding.karmada.io/permanent-id': 'rb-id' } },
  spec: spec(extra),
});

function input(over: Partial<RenderInput> = {}): RenderInput {
  return {
    binding: rb(),
    template: template(),
    target: { name: 'm1', replicas: 2 },
    cluster: 'm1',
    clusterOverridePolicies: [],
    overridePolicies: [],
    replicaField: ['spec', 'replicas'],
    workID: () => 'work-id',
    ...over,
  };
}

const manifest = (w: Work): Obj => w.spec.workload.manifests[0];

test('a Work is named after its manifest and lives in the cluster execution space', () => {
  const w = renderWork(input());
  assert.equal(w.apiVersion, 'work.karmada.io/v1alpha1');
  assert.equal(w.kind, 'Work');
  assert.equal(w.metadata.name, generateWorkName('Deployment', 'web', 'apps'));
  assert.equal(w.metadata.namespace, 'karmada-es-m1');
  assert.deepEqual(w.metadata.finalizers, ['karmada.io/execution-controller']);
  assert.deepEqual(w.metadata.labels, { 'resourcebinding.karmada.io/permanent-id': 'rb-id', 'work.karmada.io/permanent-id': 'work-id' });
  assert.deepEqual(w.metadata.annotations, {
    'resourcebinding.karmada.io/namespace': 'apps',
    'resourcebinding.karmada.io/name': 'web-deployment',
    'work.karmada.io/conflict-resolution': 'abort',
  });
  assert.deepEqual(w.spec.suspendDispatching, false);
  assert.deepEqual(w.spec.preserveResourcesOnDeletion, false);
});

test('the manifest is the template, pruned, with Karmada labels and annotations', () => {
  const m = manifest(renderWork(input()));
  const name = generateWorkName('Deployment', 'web', 'apps');
  assert.deepEqual(m.metadata, {
    name: 'web',
    namespace: 'apps',
    labels: {
      app: 'web',
      'resourcebinding.karmada.io/permanent-id': 'rb-id',
      'karmada.io/managed': 'true',
      'work.karmada.io/permanent-id': 'work-id',
    },
    annotations: {
      team: 'a',
      'resourcetemplate.karmada.io/generation': '3',
      'resourcebinding.karmada.io/namespace': 'apps',
      'resourcebinding.karmada.io/name': 'web-deployment',
      'resourcetemplate.karmada.io/uid': 'tmpl-uid',
      'work.karmada.io/name': name,
      'work.karmada.io/namespace': 'karmada-es-m1',
      'work.karmada.io/conflict-resolution': 'abort',
      'resourcetemplate.karmada.io/managed-annotations': [
        'resourcebinding.karmada.io/name',
        'resourcebinding.karmada.io/namespace',
        'resourcetemplate.karmada.io/generation',
        'resourcetemplate.karmada.io/managed-annotations',
        'resourcetemplate.karmada.io/managed-labels',
        'resourcetemplate.karmada.io/uid',
        'team',
        'work.karmada.io/conflict-resolution',
        'work.karmada.io/name',
        'work.karmada.io/namespace',
      ].join(','),
      'resourcetemplate.karmada.io/managed-labels': 'app,karmada.io/managed,resourcebinding.karmada.io/permanent-id,work.karmada.io/permanent-id',
    },
  });
  assert.equal(m.status, undefined);
});

test('replicas: the cluster share when divided, the template replicas otherwise', () => {
  const cases: [string, Partial<RenderInput>, number][] = [
    ['divided', { target: { name: 'm2', replicas: 3 } }, 3],
    ['duplicated: no replica field', { replicaField: undefined, target: { name: 'm2', replicas: 3 } }, 5],
  ];
  for (const [name, over, want] of cases) assert.equal(manifest(renderWork(input(over))).spec.replicas, want, name);
  const job = { ...template(), kind: 'Job', apiVersion: 'batch/v1', spec: { parallelism: 4, completions: 8 } };
  const m = manifest(renderWork(input({ template: job, replicaField: ['spec', 'parallelism'], completions: 6, target: { name: 'm1', replicas: 3 } })));
  assert.deepEqual(m.spec, { parallelism: 3, completions: 6 });
});

test('conflict resolution: the template annotation, else the binding, else abort', () => {
  const cases: [string, Obj, Partial<ResourceBindingSpec>, string][] = [
    ['default', template(), {}, 'abort'],
    ['binding', template(), { conflictResolution: 'Overwrite' }, 'overwrite'],
    ['template wins', { ...template(), metadata: { ...template().metadata, annotations: { 'work.karmada.io/conflict-resolution': 'abort' } } }, { conflictResolution: 'Overwrite' }, 'abort'],
    ['invalid template value', { ...template(), metadata: { ...template().metadata, annotations: { 'work.karmada.io/conflict-resolution': 'x' } } }, { conflictResolution: 'Overwrite' }, 'overwrite'],
  ];
  for (const [name, tmpl, extra, want] of cases) {
    const w = renderWork(input({ template: tmpl, binding: rb(extra) }));
    assert.equal(w.metadata.annotations?.['work.karmada.io/conflict-resolution'], want, name);
    assert.equal(manifest(w).metadata.annotations['work.karmada.io/conflict-resolution'], tmpl.metadata.annotations?.['work.karmada.io/conflict-resolution'] ?? want, name);
  }
});

test('a ClusterResourceBinding labels and annotates by its own keys', () => {
  const ns: Obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', uid: 'ns-uid' } };
  const crb: Binding = {
    kind: 'ClusterResourceBinding',
    metadata: { name: 'apps-namespace', labels: { 'clusterresourcebinding.karmada.io/permanent-id': 'crb-id' } },
    spec: { resource: { apiVersion: 'v1', kind: 'Namespace', name: 'apps' }, clusters: [{ name: 'm1' }] },
  };
  const w = renderWork(input({ binding: crb, template: ns, replicaField: undefined }));
  assert.equal(w.metadata.name, generateWorkName('Namespace', 'apps', undefined));
  assert.equal(w.metadata.labels?.['clusterresourcebinding.karmada.io/permanent-id'], 'crb-id');
  assert.equal(w.metadata.annotations?.['clusterresourcebinding.karmada.io/name'], 'apps-namespace');
  assert.equal(w.metadata.annotations?.['resourcebinding.karmada.io/name'], undefined);
  assert.equal(manifest(w).metadata.labels['clusterresourcebinding.karmada.io/permanent-id'], 'crb-id');
});

test('overrides for the cluster are applied and recorded on the Work', () => {
  const policy: OverridePolicy = {
    metadata: { name: 'tag', namespace: 'apps' },
    spec: { overrideRules: [{ targetCluster: { clusterNames: ['m2'] }, overriders: { imageOverrider: [{ component: 'Tag', operator: 'replace', value: '2' }] } }] },
  };
  const m1 = renderWork(input({ overridePolicies: [policy] }));
  const m2 = renderWork(input({ overridePolicies: [policy], target: { name: 'm2', replicas: 3 }, cluster: 'm2' }));
  assert.equal(manifest(m1).spec.template.spec.containers[0].image, 'nginx:1');
  assert.equal(manifest(m2).spec.template.spec.containers[0].image, 'nginx:2');
  assert.equal(m1.metadata.annotations?.[APPLIED_OVERRIDES_ANNOTATION], undefined);
  assert.deepEqual(JSON.parse(m2.metadata.annotations?.[APPLIED_OVERRIDES_ANNOTATION] ?? ''), [{ policyName: 'tag', overriders: policy.spec.overrideRules![0].overriders }]);
  // Overrides come after the replicas: a policy can set them for a cluster.
  const replicas: OverridePolicy = { metadata: { name: 'r', namespace: 'apps' }, spec: { overrideRules: [{ overriders: { plaintext: [{ operator: 'replace', path: '/spec/replicas', value: 9 }] } }] } };
  assert.equal(manifest(renderWork(input({ overridePolicies: [replicas] }))).spec.replicas, 9);
});

test('suspension and preservation come from the binding', () => {
  const cases: [Partial<ResourceBindingSpec>, string, boolean][] = [
    [{}, 'm1', false],
    [{ suspension: { dispatching: true } }, 'm1', true],
    [{ suspension: { dispatchingOnClusters: { clusterNames: ['m2'] } } }, 'm1', false],
    [{ suspension: { dispatchingOnClusters: { clusterNames: ['m2'] } } }, 'm2', true],
    [{ suspension: { scheduling: true } }, 'm1', false],
  ];
  for (const [extra, cluster, want] of cases) assert.equal(suspendDispatching(spec(extra), cluster), want, `${JSON.stringify(extra)} ${cluster}`);
  const w = renderWork(input({ binding: rb({ preserveResourcesOnDeletion: true, suspension: { dispatching: true } }) }));
  assert.equal(w.spec.preserveResourcesOnDeletion, true);
  assert.equal(w.spec.suspendDispatching, true);
});

test('target clusters include those the depending bindings are scheduled to; evicted clusters keep their Works', () => {
  const s = spec({
    clusters: [{ name: 'm1', replicas: 2 }],
    requiredBy: [
      { name: 'a', namespace: 'apps', clusters: [{ name: 'm2', replicas: 1 }, { name: 'm1', replicas: 9 }] },
      { name: 'b', namespace: 'apps', clusters: [{ name: 'm3' }] },
    ],
    gracefulEvictionTasks: [{ fromCluster: 'm4', producer: 'p', reason: 'r' }],
  });
  assert.deepEqual(targetClusters(s), [{ name: 'm1', replicas: 2 }, { name: 'm2', replicas: 1 }, { name: 'm3' }]);
  assert.deepEqual([...expectedClusters(s)].sort(), ['m1', 'm2', 'm3', 'm4']);
});

test('updatedWork merges into the existing Work and tells when nothing changes', () => {
  const desired = renderWork(input());
  const existing: Work = {
    ...structuredClone(desired),
    metadata: {
      ...structuredClone(desired.metadata),
      resourceVersion: '5',
      labels: { ...desired.metadata.labels, extra: 'kept' },
      annotations: { ...desired.metadata.annotations, other: 'kept', [APPLIED_OVERRIDES_ANNOTATION]: '[{"policyName":"gone"}]' },
      finalizers: ['someone-else', 'karmada.io/execution-controller'],
    },
    status: { conditions: [] },
  };
  const next = updatedWork(existing, desired);
  assert.ok(next);
  assert.equal(next.metadata.resourceVersion, '5');
  assert.equal(next.metadata.labels?.extra, 'kept');
  assert.equal(next.metadata.annotations?.other, 'kept');
  assert.equal(next.metadata.annotations?.[APPLIED_OVERRIDES_ANNOTATION], undefined, 'a policy no longer applied is no longer recorded');
  assert.deepEqual(next.metadata.finalizers, ['someone-else', 'karmada.io/execution-controller']);
  assert.equal(updatedWork(next, desired), undefined);
  const moved = renderWork(input({ target: { name: 'm1', replicas: 4 } }));
  assert.equal(manifest(updatedWork(next, moved)!).spec.replicas, 4);
});

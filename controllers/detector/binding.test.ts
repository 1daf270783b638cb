import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterPropagationPolicy, PropagationPolicy, ResourceBindingSpecSuspension, Suspension } from '../../openapi/karmada/types.js';
import { mergePatch } from '../../apiserver/handlers/write.js';
import { buildBinding, controllerUID, jsonEqual, mergeBinding, mergePatchOf, mergeSuspension, type Binding, type Template } from './binding.js';
import { CPP_ID_LABEL, CPP_NAME_ANNOTATION, PP_ID_LABEL, PP_NAME_ANNOTATION, PP_NAMESPACE_ANNOTATION } from './matching.js';

const nginx: Template = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', uid: 'u-1', resourceVersion: '42' },
  spec: { replicas: 2 },
};

const placement = { clusterAffinity: { clusterNames: ['member1', 'member2'] } };

const policy: PropagationPolicy = {
  metadata: { name: 'nginx-propagation', namespace: 'default', labels: { [PP_ID_LABEL]: 'pp-id' } },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
    placement,
    conflictResolution: 'Abort',
    schedulerName: 'default-scheduler',
    propagateDeps: false,
    preserveResourcesOnDeletion: false,
    failover: { application: { decisionConditions: { tolerationSeconds: 30 } } },
    suspension: { dispatching: true },
    priority: 5,
    preemption: 'Never',
  },
};

test('a PropagationPolicy derives a ResourceBinding owned by the template, carrying the policy and the replicas', () => {
  const got = buildBinding(nginx, 'PropagationPolicy', policy, { replicas: 2, replicaRequirements: { resourceRequest: { cpu: '250m' } } });
  assert.deepEqual(got, {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: {
      name: 'nginx-deployment',
      namespace: 'default',
      labels: { [PP_ID_LABEL]: 'pp-id' },
      annotations: { [PP_NAMESPACE_ANNOTATION]: 'default', [PP_NAME_ANNOTATION]: 'nginx-propagation' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
      finalizers: ['karmada.io/binding-controller'],
    },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: 'u-1', resourceVersion: '42' },
      schedulerName: 'default-scheduler',
      placement,
      failover: { application: { decisionConditions: { tolerationSeconds: 30 } } },
      conflictResolution: 'Abort',
      preserveResourcesOnDeletion: false,
      suspension: { dispatching: true },
      replicas: 2,
      replicaRequirements: { resourceRequest: { cpu: '250m' } },
    },
  });
  assert.equal(controllerUID(got), 'u-1');
});

test('a cluster-scoped template gets a ClusterResourceBinding; zero replicas and false flags are left out', () => {
  const role: Template = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:viewer', uid: 'u-2', resourceVersion: '7' } };
  const cpp: ClusterPropagationPolicy = {
    metadata: { name: 'roles', labels: { [CPP_ID_LABEL]: 'cpp-id' } },
    spec: { resourceSelectors: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' }], propagateDeps: true },
  };
  const got = buildBinding(role, 'ClusterPropagationPolicy', cpp, { replicas: 0 });
  assert.equal(got.kind, 'ClusterResourceBinding');
  assert.equal(got.metadata.name, 'system.viewer-clusterrole');
  assert.equal(got.metadata.namespace, undefined);
  assert.deepEqual(got.metadata.labels, { [CPP_ID_LABEL]: 'cpp-id' });
  assert.deepEqual(got.metadata.annotations, { [CPP_NAME_ANNOTATION]: 'roles' });
  assert.deepEqual(got.metadata.finalizers, ['karmada.io/cluster-resource-binding-controller']);
  assert.deepEqual(got.spec, {
    resource: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'system:viewer', uid: 'u-2', resourceVersion: '7' },
    propagateDeps: true,
    placement: {},
  });
});

test('updating a binding replaces what the policy owns and keeps what others wrote', () => {
  const desired = buildBinding(nginx, 'PropagationPolicy', policy, { replicas: 3 });
  const existing: Binding = {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: {
      name: 'nginx-deployment',
      namespace: 'default',
      uid: 'rb-uid',
      resourceVersion: '9',
      labels: { keep: 'me', [CPP_ID_LABEL]: 'cpp-id' },
      annotations: { [CPP_NAME_ANNOTATION]: 'roles', 'policy.karmada.io/applied-placement': '{}' },
      finalizers: ['karmada.io/binding-controller'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: 'u-1', resourceVersion: '40' },
      placement: { clusterAffinity: { clusterNames: ['old'] } },
      replicas: 2,
      replicaRequirements: { resourceRequest: { cpu: '1' } },
      propagateDeps: true,
      clusters: [{ name: 'member1', replicas: 2 }],
      schedulePriority: { priority: 10 },
      suspension: { scheduling: true, dispatching: false },
    },
    status: { schedulerObservedGeneration: 3 },
  };
  const merged = mergeBinding(existing, desired, 'PropagationPolicy', policy);
  // The pp claim replaced the cpp's; other labels, annotations and finalizers stay.
  assert.deepEqual(merged.metadata.labels, { keep: 'me', [PP_ID_LABEL]: 'pp-id' });
  assert.deepEqual(merged.metadata.annotations, {
    'policy.karmada.io/applied-placement': '{}',
    [PP_NAMESPACE_ANNOTATION]: 'default',
    [PP_NAME_ANNOTATION]: 'nginx-propagation',
  });
  assert.deepEqual(merged.metadata.finalizers, ['karmada.io/binding-controller']);
  assert.equal(merged.metadata.resourceVersion, '9');
  // Owned fields follow the policy and template (propagateDeps false and no requirements now: removed).
  assert.deepEqual(merged.spec.placement, placement);
  assert.equal(merged.spec.replicas, 3);
  assert.equal(merged.spec.replicaRequirements, undefined);
  assert.equal(merged.spec.propagateDeps, undefined);
  assert.equal(merged.spec.resource.resourceVersion, '42');
  // The scheduler's result, status and the binding's own scheduling suspension are not the detector's.
  assert.deepEqual(merged.spec.clusters, [{ name: 'member1', replicas: 2 }]);
  assert.deepEqual(merged.status, { schedulerObservedGeneration: 3 });
  assert.deepEqual(merged.spec.suspension, { dispatching: true, scheduling: true });
  assert.equal(merged.spec.schedulePriority, undefined);
  // Merging again changes nothing.
  assert.ok(jsonEqual(mergeBinding(merged, desired, 'PropagationPolicy', policy), merged));
});

test('suspension merges as util.MergePolicySuspension', () => {
  const cases: [string, ResourceBindingSpecSuspension | undefined, Suspension | undefined, ResourceBindingSpecSuspension | undefined][] = [
    ['neither', undefined, undefined, undefined],
    ['the policy sets it', undefined, { dispatching: true }, { dispatching: true }],
    ['the policy replaces dispatching', { dispatching: true, dispatchingOnClusters: { clusterNames: ['a'] } }, { dispatching: false }, { dispatching: false }],
    ['scheduling survives the policy', { scheduling: true }, { dispatching: true }, { dispatching: true, scheduling: true }],
    ['no policy suspension leaves scheduling only', { scheduling: false, dispatching: true }, undefined, { scheduling: false }],
    ['no policy suspension and no scheduling clears it', { dispatching: true }, undefined, undefined],
  ];
  for (const [name, binding, pol, want] of cases) assert.deepEqual(mergeSuspension(binding, pol), want, name);
});

test('jsonEqual ignores key order and undefined members only', () => {
  assert.ok(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(jsonEqual({ a: 1, b: undefined }, { a: 1 }));
  assert.ok(!jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!jsonEqual({ a: {} }, { a: [] }));
  assert.ok(!jsonEqual({ a: 1 }, { a: '1' }));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!jsonEqual({ a: 1, b: 2 }, { a: 1 }));
  assert.ok(!jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 }));
  assert.ok(!jsonEqual([1], { 0: 1 }));
  assert.ok(!jsonEqual({ toString: 'x' }, {}), 'a member is not found on the prototype');
  assert.ok(jsonEqual([{ a: undefined }, null], [{}, null]));
  assert.ok(!jsonEqual([null], [undefined]));
});

test('mergePatchOf sends what changed, and applied to the old object gives the new one', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
    ['equal', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, {}],
    ['a nested member changed', { spec: { resource: { name: 'x', resourceVersion: '1' }, replicas: 2 } }, { spec: { resource: { name: 'x', resourceVersion: '2' }, replicas: 2 } }, { spec: { resource: { resourceVersion: '2' } } }],
    ['a member removed, or made undefined', { a: 1, b: 2, c: 3 }, { a: 1, c: undefined }, { b: null, c: null }],
    ['a member added', { a: 1 }, { a: 1, b: { c: 1 } }, { b: { c: 1 } }],
    ['a list is sent whole', { a: [1, 2, 3] }, { a: [1, 2] }, { a: [1, 2] }],
    ['an object becoming a list or a scalar', { a: { b: 1 }, c: { d: 1 } }, { a: [1], c: 'x' }, { a: [1], c: 'x' }],
    ['a scalar becoming an object', { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ['an object emptied', { labels: { x: '1' } }, { labels: {} }, { labels: { x: null } }],
  ];
  for (const [name, from, to, want] of cases) {
    const patch = mergePatchOf(from, to);
    assert.deepEqual(patch, want, name);
    assert.ok(jsonEqual(mergePatch(from, patch), to), `${name}: round trip`);
  }
});

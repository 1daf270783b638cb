import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectionPath, objectPath, preferredResources, watchable, type GroupVersionResources } from './discovery.js';

const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

test('watched: templates that can be listed, watched and deleted, except what Karmada skips', () => {
  const cases: [string, string, string, string[], boolean][] = [
    ['', 'configmaps', 'v1', all, true],
    ['apps', 'deployments', 'v1', all, true],
    ['apps', 'deployments/status', 'v1', ['get', 'patch', 'update'], false],
    ['', 'events', 'v1', all, false],
    ['events.k8s.io', 'events', 'v1', all, false],
    ['coordination.k8s.io', 'leases', 'v1', all, false],
    ['policy.karmada.io', 'propagationpolicies', 'v1alpha1', all, false],
    ['work.karmada.io', 'resourcebindings', 'v1alpha2', all, false],
    ['search.karmada.io', 'resourceregistries', 'v1alpha1', all, false],
    ['example.io', 'widgets', 'v1', all, true],
    ['authorization.k8s.io', 'subjectaccessreviews', 'v1', ['create'], false],
    ['', 'componentstatuses', 'v1', ['get', 'list'], false],
  ];
  for (const [group, name, version, verbs, want] of cases) assert.equal(watchable(group, version, { name, kind: 'X', namespaced: true, verbs }), want, `${group}/${name}`);
});

test('each resource once, in the preferred version where it is served there', () => {
  const groups = [
    { name: '', versions: ['v1'] },
    { name: 'autoscaling', versions: ['v2', 'v1'] },
    { name: 'example.io', versions: ['v2', 'v1'] },
  ];
  const res = (name: string, kind: string, namespaced = true) => ({ name, kind, namespaced, verbs: all });
  const lists: GroupVersionResources[] = [
    { group: '', version: 'v1', resources: [res('configmaps', 'ConfigMap'), res('namespaces', 'Namespace', false), res('events', 'Event')] },
    { group: 'autoscaling', version: 'v1', resources: [res('horizontalpodautoscalers', 'HorizontalPodAutoscaler')] },
    { group: 'autoscaling', version: 'v2', resources: [res('horizontalpodautoscalers', 'HorizontalPodAutoscaler')] },
    // Only v1 serves gadgets: it is watched there.
    { group: 'example.io', version: 'v1', resources: [res('widgets', 'Widget'), res('gadgets', 'Gadget', false)] },
    { group: 'example.io', version: 'v2', resources: [res('widgets', 'Widget')] },
  ];
  assert.deepEqual(
    preferredResources(groups, lists).map((r) => `${r.group}/${r.version}/${r.resource}:${r.kind}:${r.namespaced}`),
    ['/v1/configmaps:ConfigMap:true', '/v1/namespaces:Namespace:false', 'autoscaling/v2/horizontalpodautoscalers:HorizontalPodAutoscaler:true', 'example.io/v2/widgets:Widget:true', 'example.io/v1/gadgets:Gadget:false'],
  );
});

test('paths of the core group and of named groups', () => {
  const cm = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };
  const crd = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };
  assert.equal(collectionPath(cm), '/api/v1/configmaps');
  assert.equal(collectionPath(cm, 'default'), '/api/v1/namespaces/default/configmaps');
  assert.equal(objectPath(cm, 'default', 'a'), '/api/v1/namespaces/default/configmaps/a');
  assert.equal(objectPath(crd, undefined, 'widgets.example.io'), '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.io');
});

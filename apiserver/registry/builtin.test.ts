import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from './builtin.js';
import { ALL_VERBS, type ResourceType } from './types.js';

const find = (group: string, version: string, plural: string): ResourceType => {
  const rt = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
  assert.ok(rt, `${plural}.${group}/${version} is served`);
  return rt;
};

test('every group/version serves a plural, and a kind, once', () => {
  const plurals = new Set<string>();
  const kinds = new Set<string>();
  for (const rt of BUILTIN_RESOURCES) {
    const gv = `${rt.group}/${rt.version}`;
    assert.ok(!plurals.has(`${gv} ${rt.plural}`), `duplicate plural ${rt.plural} in ${gv}`);
    assert.ok(!kinds.has(`${gv} ${rt.kind}`), `duplicate kind ${rt.kind} in ${gv}`);
    plurals.add(`${gv} ${rt.plural}`);
    kinds.add(`${gv} ${rt.kind}`);
  }
  assert.equal(plurals.size, 35);
});

test('a short name resolves to one resource (the same resource may be served in several versions)', () => {
  const owner = new Map<string, string>();
  for (const rt of BUILTIN_RESOURCES) {
    for (const short of rt.shortNames ?? []) {
      const resource = `${rt.plural}.${rt.group}`;
      assert.equal(owner.get(short) ?? resource, resource, `short name ${short}`);
      owner.set(short, resource);
      assert.ok(!BUILTIN_RESOURCES.some((other) => other.plural === short || other.singular === short), `${short} shadows a resource name`);
    }
  }
});

test('names, schema references and verbs are well formed', () => {
  for (const rt of BUILTIN_RESOURCES) {
    assert.match(rt.plural, /^[a-z]+$/, rt.kind);
    assert.match(rt.singular, /^[a-z]+$/, rt.kind);
    assert.match(rt.kind, /^[A-Z][A-Za-z]+$/);
    const apiGroup = rt.group === '' ? 'core' : rt.group.split('.')[0];
    const expected = rt.group === 'apiextensions.k8s.io'
      ? `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${rt.version}.${rt.kind}`
      : `io.k8s.api.${apiGroup}.${rt.version}.${rt.kind}`;
    assert.equal(rt.schemaRef, expected);
    for (const verb of rt.verbs ?? []) assert.ok(ALL_VERBS.includes(verb), `${rt.plural}: ${verb}`);
  }
});

test('discovery facts match kube-apiserver', () => {
  const cases: [string, string, string, Partial<ResourceType>][] = [
    ['', 'v1', 'namespaces', { kind: 'Namespace', shortNames: ['ns'], namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }],
    ['', 'v1', 'endpoints', { kind: 'Endpoints', singular: 'endpoints', shortNames: ['ep'] }],
    ['', 'v1', 'pods', { shortNames: ['po'], categories: ['all'], subresources: { status: true } }],
    ['', 'v1', 'services', { shortNames: ['svc'], categories: ['all'] }],
    ['', 'v1', 'limitranges', { shortNames: ['limits'] }],
    ['', 'v1', 'resourcequotas', { shortNames: ['quota'], subresources: { status: true } }],
    ['apps', 'v1', 'deployments', { shortNames: ['deploy'], categories: ['all'] }],
    ['batch', 'v1', 'jobs', { shortNames: undefined, categories: ['all'] }],
    ['batch', 'v1', 'cronjobs', { shortNames: ['cj'], categories: ['all'] }],
    ['networking.k8s.io', 'v1', 'ingresses', { shortNames: ['ing'], categories: undefined, subresources: { status: true } }],
    ['networking.k8s.io', 'v1', 'networkpolicies', { shortNames: ['netpol'], subresources: undefined }],
    ['autoscaling', 'v2', 'horizontalpodautoscalers', { shortNames: ['hpa'], categories: ['all'], storageVersion: undefined }],
    ['autoscaling', 'v1', 'horizontalpodautoscalers', { shortNames: ['hpa'], categories: ['all'], storageVersion: 'autoscaling/v2' }],
    ['policy', 'v1', 'poddisruptionbudgets', { shortNames: ['pdb'], subresources: { status: true } }],
    ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', { shortNames: ['crd', 'crds'], categories: ['api-extensions'], namespaced: false }],
  ];
  for (const [group, version, plural, want] of cases) {
    const rt = find(group, version, plural);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(rt[k as keyof ResourceType], v, `${plural}.${group} ${k}`);
  }
  const all = BUILTIN_RESOURCES.filter((r) => r.categories?.includes('all')).map((r) => `${r.plural}/${r.version}`);
  assert.deepEqual(all.sort(), ['cronjobs/v1', 'daemonsets/v1', 'deployments/v1', 'horizontalpodautoscalers/v1', 'horizontalpodautoscalers/v2', 'jobs/v1', 'pods/v1', 'replicasets/v1', 'replicationcontrollers/v1', 'services/v1', 'statefulsets/v1']);
});

test('scale is served for deployments, stateful sets, replica sets and replication controllers only', () => {
  const scalable = BUILTIN_RESOURCES.filter((r) => r.subresources?.scale).map((r) => r.plural);
  assert.deepEqual(scalable.sort(), ['deployments', 'replicasets', 'replicationcontrollers', 'statefulsets']);
  assert.deepEqual(find('apps', 'v1', 'deployments').subresources?.scale, {
    specReplicasPath: '.spec.replicas',
    statusReplicasPath: '.status.replicas',
    labelSelectorPath: '.spec.selector',
  });
});

test('every kind prints a table whose Name column is kube-shaped', () => {
  for (const rt of BUILTIN_RESOURCES) {
    assert.ok(rt.columns?.length, `${rt.plural} has printer columns`);
    const name = rt.columns.find((c) => c.name === 'Name');
    assert.deepEqual(name && { type: name.type, format: name.format }, { type: 'string', format: 'name' }, rt.plural);
    assert.equal(new Set(rt.columns.map((c) => c.name)).size, rt.columns.length, `${rt.plural} column names are unique`);
  }
  for (const plural of ['roles', 'clusterroles', 'limitranges', 'customresourcedefinitions']) {
    const rt = BUILTIN_RESOURCES.find((r) => r.plural === plural)!;
    assert.deepEqual(rt.columns!.map((c) => c.name), ['Name', 'Created At'], plural);
  }
});

test('field selectors return kube GetAttrs values', () => {
  const field = (plural: string, name: string, obj: object) => {
    const rt = BUILTIN_RESOURCES.find((r) => r.plural === plural && r.version !== 'v2');
    const fn = rt?.fieldSelectors?.[name];
    assert.ok(fn, `${plural} selects on ${name}`);
    return fn(obj);
  };
  const cases: [string, string, object, string][] = [
    ['pods', 'spec.nodeName', { spec: { nodeName: 'n1' } }, 'n1'],
    ['pods', 'spec.nodeName', {}, ''],
    ['pods', 'spec.hostNetwork', { spec: {} }, 'false'],
    ['pods', 'spec.hostNetwork', { spec: { hostNetwork: true } }, 'true'],
    ['pods', 'status.podIP', { status: { podIPs: [{ ip: 'fd00::1' }, { ip: '10.0.0.1' }], podIP: 'fd00::1' } }, 'fd00::1'],
    ['pods', 'status.phase', { status: { phase: 'Running' } }, 'Running'],
    ['pods', 'status.nominatedNodeName', { status: { nominatedNodeName: 'n2' } }, 'n2'],
    ['nodes', 'spec.unschedulable', {}, 'false'],
    ['nodes', 'spec.unschedulable', { spec: { unschedulable: true } }, 'true'],
    ['namespaces', 'status.phase', { status: { phase: 'Terminating' } }, 'Terminating'],
    ['namespaces', 'name', { metadata: { name: 'kube-system' } }, 'kube-system'],
    ['persistentvolumes', 'name', { metadata: { name: 'pv1' } }, 'pv1'],
    ['persistentvolumeclaims', 'name', { metadata: { name: 'data' } }, 'data'],
    ['secrets', 'type', {}, 'Opaque'],
    ['secrets', 'type', { type: 'kubernetes.io/tls' }, 'kubernetes.io/tls'],
    ['services', 'spec.type', {}, 'ClusterIP'],
    ['services', 'spec.clusterIP', { spec: { clusterIP: 'None' } }, 'None'],
    ['replicasets', 'status.replicas', {}, '0'],
    ['replicasets', 'status.replicas', { status: { replicas: 3 } }, '3'],
    ['jobs', 'status.successful', { status: { succeeded: 2 } }, '2'],
    ['events', 'involvedObject.uid', { involvedObject: { uid: 'u-1' } }, 'u-1'],
    ['events', 'involvedObject.fieldPath', { involvedObject: { fieldPath: 'spec.containers{a}' } }, 'spec.containers{a}'],
    ['events', 'source', { source: { component: 'kubelet' }, reportingComponent: 'x' }, 'kubelet'],
    ['events', 'source', { reportingComponent: 'scheduler' }, 'scheduler'],
    ['events', 'reportingComponent', { source: { component: 'kubelet' } }, ''],
    ['events', 'type', { type: 'Warning' }, 'Warning'],
  ];
  for (const [plural, name, obj, want] of cases) assert.equal(field(plural, name, obj), want, `${plural} ${name}=${JSON.stringify(obj)}`);
  assert.equal(find('apps', 'v1', 'deployments').fieldSelectors, undefined);
});

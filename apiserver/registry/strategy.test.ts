import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../storage/store.js';
import { BUILTIN_RESOURCES } from './builtin.js';
import { generateNameSuffix, nowTimestamp, prepareForUpdate, prepareMetaForCreate, strategyFor } from './strategy.js';
import type { ResourceType } from './types.js';
import { validateObjectMeta } from './validation.js';

function builtin(group: string, kind: string): ResourceType {
  const rt = BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === kind && !r.storageVersion);
  assert.ok(rt, `${group}/${kind} is built in`);
  return rt;
}

const DEPLOYMENT = builtin('apps', 'Deployment');
const CONFIGMAP = builtin('', 'ConfigMap');
const NAMESPACE = builtin('', 'Namespace');
const SERVICE = builtin('', 'Service');
const ROLE = builtin('rbac.authorization.k8s.io', 'Role');
// A custom resource without a status subresource: status is ordinary data.
const WIDGET: ResourceType = { group: 'example.io', version: 'v1', kind: 'Widget', plural: 'widgets', singular: 'widget', namespaced: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function create(rt: ResourceType, obj: KObject, namespace?: string): KObject {
  prepareMetaForCreate(obj, rt, strategyFor(rt), namespace);
  return obj;
}

test('strategyFor: name rules and generation tracking per kind', () => {
  const cases: [ResourceType, string, boolean][] = [
    [DEPLOYMENT, 'subdomain', true],
    [builtin('apps', 'StatefulSet'), 'subdomain', true],
    [builtin('batch', 'Job'), 'subdomain', true],
    [CONFIGMAP, 'subdomain', false],
    [NAMESPACE, 'label', false],
    [SERVICE, 'dns1035-label', false],
    [ROLE, 'path-segment', false],
    [builtin('rbac.authorization.k8s.io', 'ClusterRoleBinding'), 'path-segment', false],
    [WIDGET, 'subdomain', false],
  ];
  for (const [rt, nameRule, generation] of cases) {
    const s = strategyFor(rt);
    assert.equal(s.nameRule, nameRule, rt.kind);
    assert.equal(s.generation, generation, rt.kind);
  }
});

test('Service names are DNS-1035 labels', () => {
  const errs = validateObjectMeta({ name: '1svc', namespace: 'default' }, { namespaced: true, nameRule: strategyFor(SERVICE).nameRule });
  assert.equal(errs.length, 1);
});

test('nowTimestamp is RFC 3339 with second precision', () => {
  const ts = nowTimestamp();
  assert.match(ts, TIMESTAMP);
  assert.ok(Math.abs(Date.parse(ts) - Date.now()) < 2000);
});

test('nowTimestamp follows the clock from one second to the next', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-11-24T05:00:00.900Z') });
  assert.equal(nowTimestamp(), '2026-11-24T05:00:00Z');
  t.mock.timers.tick(99);
  assert.equal(nowTimestamp(), '2026-11-24T05:00:00Z');
  t.mock.timers.tick(1);
  assert.equal(nowTimestamp(), '2026-11-24T05:00:01Z');
  t.mock.timers.setTime(Date.parse('2027-01-01T00:00:00.000Z'));
  assert.equal(nowTimestamp(), '2027-01-01T00:00:00Z');
});

test('generateNameSuffix draws 5 characters from kube utilrand alphabet', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const s = generateNameSuffix();
    assert.match(s, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    for (const c of s) seen.add(c);
  }
  assert.equal([...seen].sort().join(''), [...SUFFIX_ALPHABET].sort().join(''));
});

test('prepareMetaForCreate sets uid and creationTimestamp and clears server-owned fields (ConfigMap)', () => {
  const obj = create(
    CONFIGMAP,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm',
        namespace: 'other',
        uid: 'client-uid',
        resourceVersion: '7',
        creationTimestamp: '2000-01-01T00:00:00Z',
        deletionTimestamp: '2000-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 30,
        selfLink: '/api/v1/namespaces/other/configmaps/cm',
        generation: 4,
        labels: { a: 'b' },
        finalizers: ['example.com/f'],
      },
      data: { k: 'v' },
    },
    'default',
  );
  const meta = obj.metadata!;
  assert.match(meta.uid, UUID);
  assert.notEqual(meta.uid, 'client-uid');
  assert.match(meta.creationTimestamp, TIMESTAMP);
  assert.ok(Math.abs(Date.parse(meta.creationTimestamp) - Date.now()) < 2000);
  const { uid: _uid, creationTimestamp: _ts, ...rest } = meta;
  assert.deepEqual(rest, { name: 'cm', namespace: 'default', labels: { a: 'b' }, finalizers: ['example.com/f'] });
  assert.deepEqual(obj.data, { k: 'v' });
});

test('prepareMetaForCreate gives each object its own uid', () => {
  const uids = new Set<string>();
  for (let i = 0; i < 50; i++) uids.add(create(CONFIGMAP, { metadata: { name: `c${i}` } }, 'default').metadata!.uid);
  assert.equal(uids.size, 50);
});

test('prepareMetaForCreate: generateName gets a 5-character suffix; an explicit name wins', () => {
  for (let i = 0; i < 200; i++) {
    const obj = create(CONFIGMAP, { metadata: { generateName: 'web-' } }, 'default');
    assert.match(obj.metadata!.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(obj.metadata!.generateName, 'web-');
  }
  assert.equal(create(CONFIGMAP, { metadata: { name: 'fixed', generateName: 'web-' } }, 'default').metadata!.name, 'fixed');
  const names = new Set<string>();
  for (let i = 0; i < 100; i++) names.add(create(CONFIGMAP, { metadata: { generateName: 'x-' } }, 'default').metadata!.name);
  assert.ok(names.size > 95, `generated names repeat too often: ${names.size}/100`);
});

test('generateName is cut to 58 characters before the suffix', () => {
  const base = `${'a'.repeat(69)}-`;
  const name = create(CONFIGMAP, { metadata: { generateName: base } }, 'default').metadata!.name as string;
  assert.equal(name.length, 63);
  assert.equal(name.slice(0, 58), base.slice(0, 58));
});

test('prepareMetaForCreate: generation is 1 for Deployments whatever the client sent, absent for ConfigMaps', () => {
  const d = create(DEPLOYMENT, { metadata: { name: 'd', generation: 9 }, spec: { replicas: 2 }, status: { replicas: 5 } }, 'default');
  assert.equal(d.metadata!.generation, 1);
  assert.deepEqual(d.spec, { replicas: 2 });
  assert.equal('status' in d, false, 'status subresource: status is dropped on create');
  const c = create(CONFIGMAP, { metadata: { name: 'c' } }, 'default');
  assert.equal('generation' in c.metadata!, false);
  // Without a status subresource, status is the client's data.
  const w = create(WIDGET, { metadata: { name: 'w' }, status: { ready: true } }, 'default');
  assert.deepEqual(w.status, { ready: true });
  assert.equal('generation' in w.metadata!, false);
});

test('prepareMetaForCreate: Namespace gets spec.finalizers ["kubernetes"] and phase Active, and no namespace', () => {
  const n = create(NAMESPACE, { metadata: { name: 'team', namespace: 'bogus' }, status: { phase: 'Terminating' } }, undefined);
  assert.deepEqual(n.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(n.status, { phase: 'Active' });
  assert.equal('namespace' in n.metadata!, false);
  assert.equal('generation' in n.metadata!, false);
});

test('Namespace create always adds the kubernetes finalizer', () => {
  assert.deepEqual(create(NAMESPACE, { metadata: { name: 'a' }, spec: { finalizers: ['example.com/x'] } }).spec, { finalizers: ['example.com/x', 'kubernetes'] });
  assert.deepEqual(create(NAMESPACE, { metadata: { name: 'b' }, spec: { finalizers: [] } }).spec, { finalizers: ['kubernetes'] });
});

test('prepareMetaForCreate: Service gets a clusterIP inside 10.96.0.0/12', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const svc = create(SERVICE, { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, 'default');
    const ip: string = svc.spec.clusterIP;
    const octets = ip.split('.').map(Number);
    assert.equal(octets.length, 4, ip);
    assert.ok(octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255), ip);
    const n = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3];
    // 10.96.0.0/12 = 10.96.0.0 - 10.111.255.255, without the network and broadcast addresses.
    assert.equal(n >>> 20, (10 << 4) | (96 >> 4), `${ip} is in 10.96.0.0/12`);
    assert.notEqual(ip, '10.96.0.0');
    assert.notEqual(ip, '10.111.255.255');
    assert.deepEqual(svc.spec.clusterIPs, [ip]);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal('status' in svc, false);
    seen.add(ip);
  }
  assert.ok(seen.size > 450, `addresses repeat too often: ${seen.size}/500`);
});

test('prepareMetaForCreate: Service clusterIP special cases', () => {
  const fixed = create(SERVICE, { metadata: { name: 's' }, spec: { clusterIP: '10.96.0.10' } }, 'default');
  assert.deepEqual(fixed.spec, { clusterIP: '10.96.0.10', type: 'ClusterIP', clusterIPs: ['10.96.0.10'] });
  const headless = create(SERVICE, { metadata: { name: 's' }, spec: { clusterIP: 'None' } }, 'default');
  assert.deepEqual(headless.spec, { clusterIP: 'None', type: 'ClusterIP', clusterIPs: ['None'] });
  const ext = create(SERVICE, { metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } }, 'default');
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com' });
  const nodePort = create(SERVICE, { metadata: { name: 's' }, spec: { type: 'NodePort' } }, 'default');
  assert.match(nodePort.spec.clusterIP, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  const noSpec = create(SERVICE, { metadata: { name: 's' } }, 'default');
  assert.equal(noSpec.spec.type, 'ClusterIP');
  assert.match(noSpec.spec.clusterIP, /^10\./);
});

function stored(): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'd',
      namespace: 'default',
      uid: 'uid-1',
      creationTimestamp: '2024-01-01T00:00:00Z',
      resourceVersion: '10',
      generation: 3,
      labels: { app: 'web' },
      annotations: { note: 'a' },
    },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
    status: { replicas: 1, observedGeneration: 3 },
  };
}

test('prepareForUpdate (main resource): server-owned metadata comes from the stored object', () => {
  const old = stored();
  const incoming: KObject = {
    ...structuredClone(old),
    metadata: {
      name: 'other',
      namespace: 'elsewhere',
      uid: 'forged',
      creationTimestamp: '1999-01-01T00:00:00Z',
      deletionTimestamp: '2030-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 5,
      selfLink: '/x',
      generation: 99,
      resourceVersion: '10',
      labels: { app: 'web', new: 'label' },
      annotations: { note: 'a' },
    },
  };
  const before = structuredClone(old);
  const next = prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT));
  assert.deepEqual(next.metadata, {
    name: 'd',
    namespace: 'default',
    uid: 'uid-1',
    creationTimestamp: '2024-01-01T00:00:00Z',
    generation: 3,
    resourceVersion: '10',
    labels: { app: 'web', new: 'label' },
    annotations: { note: 'a' },
  });
  assert.deepEqual(old, before, 'the stored object is not modified');
});

test('prepareForUpdate (main resource): generation moves on spec changes only, status is kept', () => {
  const cases: [string, (o: KObject) => void, number][] = [
    ['no change', () => {}, 3],
    ['label change', (o) => (o.metadata!.labels = { app: 'api' }), 3],
    ['status change is ignored', (o) => (o.status = { replicas: 7 }), 3],
    ['replicas', (o) => (o.spec.replicas = 2), 4],
    ['image', (o) => (o.spec.template.spec.containers[0].image = 'nginx:2'), 4],
    ['field added', (o) => (o.spec.paused = true), 4],
    ['spec removed', (o) => delete o.spec, 4],
  ];
  for (const [label, mutate, generation] of cases) {
    const old = stored();
    const incoming = structuredClone(old);
    mutate(incoming);
    const next = prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT));
    assert.equal(next.metadata!.generation, generation, label);
    assert.deepEqual(next.status, { replicas: 1, observedGeneration: 3 }, label);
  }
});

test('prepareForUpdate: status sent on the main resource is dropped when nothing is stored', () => {
  const old = stored();
  delete old.status;
  const incoming = structuredClone(old);
  incoming.status = { replicas: 4 };
  const next = prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT));
  assert.equal('status' in next, false);
});

test('Deployment generation also moves on annotation changes', () => {
  const old = stored();
  const incoming = structuredClone(old);
  incoming.metadata!.annotations = { note: 'b' };
  assert.equal(prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT)).metadata!.generation, 4);
});

test('prepareForUpdate (status subresource): takes status only, never bumps generation', () => {
  const old = stored();
  const before = structuredClone(old);
  const incoming = structuredClone(old);
  incoming.spec.replicas = 9;
  incoming.metadata!.labels = { hijack: 'yes' };
  incoming.metadata!.uid = 'forged';
  incoming.status = { replicas: 2, observedGeneration: 3, readyReplicas: 2 };
  const next = prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT), 'status');
  assert.deepEqual(next, { ...before, status: { replicas: 2, observedGeneration: 3, readyReplicas: 2 } });
  assert.deepEqual(old, before, 'the stored object is not modified');
});

test('prepareForUpdate (status subresource) of a kind without generation', () => {
  const old: KObject = { metadata: { name: 'ns', uid: 'u' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  const next = prepareForUpdate({ metadata: { name: 'ns' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } }, old, NAMESPACE, strategyFor(NAMESPACE), 'status');
  assert.deepEqual(next, { metadata: { name: 'ns', uid: 'u' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });
});

test('prepareForUpdate (finalize subresource): takes the request but not status', () => {
  const old: KObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'ns', uid: 'u', deletionTimestamp: '2024-01-01T00:00:00Z', labels: { a: 'b' } },
    spec: { finalizers: ['kubernetes', 'example.com/x'] },
    status: { phase: 'Terminating' },
  };
  const before = structuredClone(old);
  const incoming: KObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'ns', labels: { a: 'b' } },
    spec: { finalizers: ['example.com/x'] },
    status: { phase: 'Active' },
  };
  const next = prepareForUpdate(incoming, old, NAMESPACE, strategyFor(NAMESPACE), 'finalize');
  assert.deepEqual(next, { ...before, spec: { finalizers: ['example.com/x'] } });
  assert.deepEqual(old, before);
  const emptied = prepareForUpdate({ metadata: { name: 'ns' }, spec: { finalizers: [] } }, old, NAMESPACE, strategyFor(NAMESPACE), 'finalize');
  assert.deepEqual(emptied.spec, { finalizers: [] });
  assert.deepEqual(emptied.status, { phase: 'Terminating' });
});

test('Namespace main-resource updates keep spec.finalizers', () => {
  const old: KObject = { metadata: { name: 'ns', uid: 'u' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  const next = prepareForUpdate({ metadata: { name: 'ns', labels: { a: 'b' } }, spec: { finalizers: [] } }, old, NAMESPACE, strategyFor(NAMESPACE));
  assert.deepEqual(next.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(next.metadata!.labels, { a: 'b' });
});

test('Namespace finalize takes metadata from the request', () => {
  const old: KObject = { metadata: { name: 'ns', uid: 'u' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } };
  const next = prepareForUpdate({ metadata: { name: 'ns', labels: { a: 'b' } }, spec: { finalizers: [] } }, old, NAMESPACE, strategyFor(NAMESPACE), 'finalize');
  assert.deepEqual(next.metadata!.labels, { a: 'b' });
});

test('Deployment /status takes annotations from the request', () => {
  const old = stored();
  const incoming = structuredClone(old);
  incoming.metadata!.annotations = { note: 'from-controller' };
  const next = prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT), 'status');
  assert.deepEqual(next.metadata!.annotations, { note: 'from-controller' });
  assert.deepEqual(next.metadata!.labels, { app: 'web' });
});

test('prepareForUpdate: deletion fields can be neither set nor cleared by an update', () => {
  const old = stored();
  old.metadata!.deletionTimestamp = '2024-02-02T00:00:00Z';
  old.metadata!.deletionGracePeriodSeconds = 0;
  const incoming = structuredClone(old);
  delete incoming.metadata!.deletionTimestamp;
  delete incoming.metadata!.deletionGracePeriodSeconds;
  const next = prepareForUpdate(incoming, old, DEPLOYMENT, strategyFor(DEPLOYMENT));
  assert.equal(next.metadata!.deletionTimestamp, '2024-02-02T00:00:00Z');
  assert.equal(next.metadata!.deletionGracePeriodSeconds, 0);
});

test('prepareForUpdate: kinds without generation or status subresource', () => {
  const oldCm: KObject = { metadata: { name: 'c', namespace: 'default', uid: 'u', generation: 2 }, data: { a: '1' } };
  const cm = prepareForUpdate({ metadata: { name: 'c', namespace: 'default', generation: 5 }, data: { a: '2' } }, oldCm, CONFIGMAP, strategyFor(CONFIGMAP));
  assert.deepEqual(cm, { metadata: { name: 'c', namespace: 'default', uid: 'u' }, data: { a: '2' } });
  const oldW: KObject = { metadata: { name: 'w', namespace: 'default', uid: 'u' }, status: { ready: false } };
  const w = prepareForUpdate({ metadata: { name: 'w', namespace: 'default' }, status: { ready: true } }, oldW, WIDGET, strategyFor(WIDGET));
  assert.deepEqual(w.status, { ready: true });
  const noMeta = prepareForUpdate({ data: {} }, oldCm, CONFIGMAP, strategyFor(CONFIGMAP));
  assert.deepEqual(noMeta.metadata, { name: 'c', namespace: 'default', uid: 'u' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../overrides/jsonpatch.js';
import { attachedBinding, dependedByLabel, detachedBinding, getDependencies, recordedDependencies, DEPENDENCIES_ANNOTATION } from './dependencies.js';
import type { Binding } from './render.js';

const podSpec: Obj = {
  serviceAccountName: 'runner',
  imagePullSecrets: [{ name: 'pull' }],
  initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'init-env' } }] }],
  containers: [
    {
      name: 'app',
      envFrom: [{ secretRef: { name: 'app-secret' } }, { configMapRef: { name: 'app-env' } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'app-env', key: 'a' } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 'keys', key: 'b' } } },
        { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'D', value: 'd' },
      ],
    },
  ],
  volumes: [
    { name: 'v1', configMap: { name: 'files' } },
    { name: 'v2', secret: { secretName: 'certs' } },
    { name: 'v3', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'v4', projected: { sources: [{ configMap: { name: 'proj-cm' } }, { secret: { name: 'proj-secret' } }, { serviceAccountToken: { path: 't' } }] } },
    { name: 'v5', csi: { driver: 'x', nodePublishSecretRef: { name: 'csi-secret' } } },
    { name: 'v6', emptyDir: {} },
  ],
};

const ref = (kind: string, name: string) => ({ apiVersion: 'v1', kind, namespace: 'apps', name });
const allRefs = [
  ref('ConfigMap', 'app-env'),
  ref('ConfigMap', 'files'),
  ref('ConfigMap', 'init-env'),
  ref('ConfigMap', 'proj-cm'),
  ref('PersistentVolumeClaim', 'data'),
  ref('Secret', 'app-secret'),
  ref('Secret', 'certs'),
  ref('Secret', 'csi-secret'),
  ref('Secret', 'keys'),
  ref('Secret', 'proj-secret'),
  ref('Secret', 'pull'),
  ref('ServiceAccount', 'runner'),
];

test('getDependencies reads the pod template of the workload kinds, and Ingress TLS secrets', () => {
  const meta = { name: 'w', namespace: 'apps' };
  const cases: [string, Obj, object[]][] = [
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { template: { spec: podSpec } } }, allRefs],
    ['StatefulSet', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta, spec: { template: { spec: podSpec } } }, allRefs],
    ['DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { template: { spec: podSpec } } }, allRefs],
    ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { template: { spec: podSpec } } }, allRefs],
    ['CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } }, allRefs],
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec }, allRefs],
    [
      'the default ServiceAccount stays behind',
      { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { serviceAccountName: 'default', containers: [{ name: 'a' }] } },
      [],
    ],
    [
      'Ingress',
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta, spec: { tls: [{ secretName: 'tls-b' }, { secretName: 'tls-a' }, { hosts: ['x'] }] } },
      [ref('Secret', 'tls-a'), ref('Secret', 'tls-b')],
    ],
    ['other kinds', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { template: { spec: podSpec } } }, []],
    ['no pod spec', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: {} }, []],
  ];
  for (const [name, template, want] of cases) assert.deepEqual(getDependencies(template), want, name);
});

const parent = (clusters: { name: string; replicas?: number }[]): Binding => ({
  kind: 'ResourceBinding',
  metadata: { name: 'web-deployment', namespace: 'apps', annotations: { [DEPENDENCIES_ANNOTATION]: JSON.stringify([ref('ConfigMap', 'files')]) } },
  spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web' }, propagateDeps: true, clusters },
});
const configMap: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'files', namespace: 'apps', uid: 'cm-uid', resourceVersion: '9' } };
const label = dependedByLabel('apps', 'web-deployment');

test('the depended-by label names the binding that needs the attached one', () => {
  assert.match(label.key, /^resourcebinding\.karmada\.io\/depended-by-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(label.value, 'apps_web-deployment');
  const long = dependedByLabel('apps', 'x'.repeat(70));
  assert.ok(long.value.length <= 63 && long.value === long.key.slice(long.key.lastIndexOf('-') + 1));
  assert.deepEqual(recordedDependencies(parent([])), [ref('ConfigMap', 'files')]);
});

test('attachedBinding: a new binding for the dependency, owned by it, required by the parent', () => {
  const got = attachedBinding(parent([{ name: 'm1', replicas: 2 }]), configMap, undefined);
  assert.deepEqual(got, {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: {
      name: 'files-configmap',
      namespace: 'apps',
      labels: { [label.key]: label.value },
      finalizers: ['karmada.io/binding-controller'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'files', uid: 'cm-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'files', uid: 'cm-uid', resourceVersion: '9' },
      requiredBy: [{ namespace: 'apps', name: 'web-deployment', clusters: [{ name: 'm1', replicas: 2 }] }],
    },
  });
});

test('attachedBinding: an existing binding gets the parent snapshot updated, others kept', () => {
  const other = { namespace: 'apps', name: 'api-deployment', clusters: [{ name: 'm3' }] };
  const existing: Binding = {
    ...attachedBinding(parent([{ name: 'm1' }]), configMap, undefined)!,
    metadata: { ...attachedBinding(parent([{ name: 'm1' }]), configMap, undefined)!.metadata, resourceVersion: '4', labels: { [label.key]: label.value, other: 'x' } },
  };
  existing.spec.requiredBy = [other, ...existing.spec.requiredBy!];
  assert.equal(attachedBinding(parent([{ name: 'm1' }]), configMap, existing), undefined, 'already up to date');
  const next = attachedBinding(parent([{ name: 'm1' }, { name: 'm2' }]), configMap, existing)!;
  assert.equal(next.metadata.resourceVersion, '4');
  assert.deepEqual(next.metadata.labels, { [label.key]: label.value, other: 'x' });
  assert.deepEqual(next.spec.requiredBy, [other, { namespace: 'apps', name: 'web-deployment', clusters: [{ name: 'm1' }, { name: 'm2' }] }]);
});

test('detachedBinding: the parent is let go of; an attached-only binding nobody needs is deleted', () => {
  const other = { namespace: 'apps', name: 'api-deployment', clusters: [{ name: 'm3' }] };
  const only = attachedBinding(parent([{ name: 'm1' }]), configMap, undefined)!;
  assert.equal(detachedBinding('apps', 'web-deployment', only), 'delete');
  const shared: Binding = { ...only, spec: { ...only.spec, requiredBy: [...only.spec.requiredBy!, other] } };
  assert.deepEqual(detachedBinding('apps', 'web-deployment', shared), { ...shared, metadata: { ...shared.metadata, labels: {} }, spec: { ...shared.spec, requiredBy: [other] } });
  const ownPlacement: Binding = { ...only, spec: { ...only.spec, placement: {} } };
  const kept = detachedBinding('apps', 'web-deployment', ownPlacement);
  assert.notEqual(kept, 'delete');
  assert.deepEqual((kept as Binding).spec.requiredBy, []);
});

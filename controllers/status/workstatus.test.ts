import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Work } from '../execution/work.js';
import { ManifestIndex, manifestStatus } from './workstatus.js';

const work = (namespace: string, name: string, ...objects: [string, string | undefined, string][]): Work => ({
  apiVersion: 'work.karmada.io/v1alpha1',
  kind: 'Work',
  metadata: { namespace, name },
  spec: {
    workload: { manifests: objects.map(([kind, ns, n]) => ({ apiVersion: kind === 'Namespace' ? 'v1' : 'apps/v1', kind, metadata: { ...(ns ? { namespace: ns } : {}), name: n } })) },
    suspendDispatching: false,
    preserveResourcesOnDeletion: false,
  },
});

test('ManifestIndex finds the Works of a member object, and forgets them', () => {
  const index = new ManifestIndex();
  index.set(work('karmada-es-m1', 'a', ['Deployment', 'default', 'web'], ['Namespace', undefined, 'apps']));
  index.set(work('karmada-es-m1', 'b', ['Deployment', 'default', 'web']));
  index.set(work('karmada-es-m2', 'a', ['Deployment', 'default', 'web']));
  index.set(work('elsewhere', 'c', ['Deployment', 'default', 'web']));
  assert.deepEqual(index.works('m1', 'apps/v1', 'Deployment', 'default', 'web').sort(), ['karmada-es-m1/a', 'karmada-es-m1/b']);
  assert.deepEqual(index.works('m1', 'v1', 'Namespace', undefined, 'apps'), ['karmada-es-m1/a']);
  assert.deepEqual(index.works('m1', 'apps/v1', 'Deployment', 'other', 'web'), []);
  // A Work whose manifests changed is indexed by its new ones only.
  index.set(work('karmada-es-m1', 'a', ['Deployment', 'default', 'api']));
  assert.deepEqual(index.works('m1', 'apps/v1', 'Deployment', 'default', 'web'), ['karmada-es-m1/b']);
  index.delete(work('karmada-es-m1', 'b'));
  assert.deepEqual(index.works('m1', 'apps/v1', 'Deployment', 'default', 'web'), []);
  assert.deepEqual(index.works('m1', 'apps/v1', 'Deployment', 'default', 'api'), ['karmada-es-m1/a']);
});

test('manifestStatus: the identifier, the reflected status and the health of the member object', () => {
  const manifest = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'lb' } };
  const observed = { metadata: { namespace: 'default', name: 'lb' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } };
  assert.deepEqual(manifestStatus(2, manifest, { plural: 'services', namespaced: true }, observed), {
    identifier: { ordinal: 2, version: 'v1', kind: 'Service', resource: 'services', namespace: 'default', name: 'lb' },
    status: { loadBalancer: {} },
    health: 'Unhealthy',
  });
  const bad = { metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, updatedReplicas: 'x' } };
  assert.deepEqual(manifestStatus(0, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }, { plural: 'deployments', namespaced: true }, bad), {
    identifier: { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', name: 'd' },
    health: 'Unknown',
  });
});

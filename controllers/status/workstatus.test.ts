import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Work } from '../execution/work.js';
import { manifestIdentities, manifestStatus } from './workstatus.js';

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

test('manifestIdentities: one per manifest, the same for the same object in the same member only', () => {
  const [web, ns] = manifestIdentities(work('karmada-es-m1', 'a', ['Deployment', 'default', 'web'], ['Namespace', undefined, 'apps']));
  const cases: [string, Work, string[]][] = [
    ['another Work of the same object', work('karmada-es-m1', 'b', ['Deployment', 'default', 'web']), [web]],
    ['a cluster-scoped object', work('karmada-es-m1', 'c', ['Namespace', undefined, 'apps']), [ns]],
    ['outside an execution namespace', work('elsewhere', 'a', ['Deployment', 'default', 'web']), []],
    ['no manifests', work('karmada-es-m1', 'd'), []],
  ];
  for (const [what, w, want] of cases) assert.deepEqual(manifestIdentities(w), want, what);
  const others = [
    work('karmada-es-m2', 'a', ['Deployment', 'default', 'web']),
    work('karmada-es-m1', 'a', ['Deployment', 'other', 'web']),
    work('karmada-es-m1', 'a', ['StatefulSet', 'default', 'web']),
    work('karmada-es-m1', 'a', ['Deployment', 'default', 'api']),
  ].flatMap(manifestIdentities);
  assert.equal(new Set([web, ns, ...others]).size, 6);
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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpretHealth, type Health } from './health.js';
import type { Obj } from './fields.js';

const deploy = (generation: number, spec: Obj, status: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation }, spec, status });
const sts = (spec: Obj, status: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { generation: 1 }, spec, status: { observedGeneration: 1, ...status } });
const svc = (type: string, status?: Obj): Obj => ({ apiVersion: 'v1', kind: 'Service', spec: { type }, ...(status ? { status } : {}) });

const cases: [string, Obj, Health][] = [
  ['deployment rolled out', deploy(2, { replicas: 3 }, { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 }), 'Healthy'],
  ['deployment whose controller has not seen the latest spec', deploy(3, { replicas: 3 }, { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 }), 'Unhealthy'],
  ['deployment still rolling out', deploy(2, { replicas: 3 }, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 }), 'Unhealthy'],
  ['deployment with updated replicas not yet available', deploy(2, { replicas: 3 }, { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 1 }), 'Unhealthy'],
  ['deployment without spec.replicas', deploy(1, {}, { observedGeneration: 1 }), 'Healthy'],
  ['deployment without status', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 1 }, spec: { replicas: 1 } }, 'Unhealthy'],
  ['deployment with a malformed counter', deploy(1, { replicas: 1 }, { observedGeneration: 1, updatedReplicas: 'one' }), 'Unknown'],
  ['statefulset rolled out', sts({ replicas: 2 }, { updatedReplicas: 2, availableReplicas: 2 }), 'Healthy'],
  ['statefulset rolling', sts({ replicas: 2 }, { updatedReplicas: 1, availableReplicas: 1 }), 'Unhealthy'],
  ['replicaset available', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, availableReplicas: 2 } }, 'Healthy'],
  ['replicaset short', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, availableReplicas: 1 } }, 'Unhealthy'],
  [
    'daemonset scheduled everywhere',
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } },
    'Healthy',
  ],
  [
    'daemonset with pods unavailable',
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 } },
    'Unhealthy',
  ],
  ['ClusterIP service', svc('ClusterIP'), 'Healthy'],
  ['LoadBalancer service without ingress', svc('LoadBalancer', { loadBalancer: {} }), 'Unhealthy'],
  ['LoadBalancer service with an ingress IP', svc('LoadBalancer', { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }), 'Healthy'],
  ['ingress with a hostname', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', status: { loadBalancer: { ingress: [{ hostname: 'a.example' }] } } }, 'Healthy'],
  ['ingress without address', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', status: { loadBalancer: { ingress: [{}] } } }, 'Unhealthy'],
  ['bound claim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Bound' } }, 'Healthy'],
  ['pending claim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } }, 'Unhealthy'],
  ['running ready pod', { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'Healthy'],
  ['running unready pod', { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } }, 'Unhealthy'],
  ['succeeded pod', { apiVersion: 'v1', kind: 'Pod', status: { phase: 'Succeeded' } }, 'Healthy'],
  ['pdb with enough healthy pods', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', status: { currentHealthy: 2, desiredHealthy: 2 } }, 'Healthy'],
  ['pdb short of healthy pods', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', status: { currentHealthy: 1, desiredHealthy: 2 } }, 'Unhealthy'],
  ['a kind without a health rule', { apiVersion: 'v1', kind: 'ConfigMap', data: {} }, 'Healthy'],
  ['a Deployment of another API version has no rule', { apiVersion: 'apps/v1beta1', kind: 'Deployment', status: {} }, 'Healthy'],
];

test('interpretHealth', () => {
  for (const [name, obj, want] of cases) assert.equal(interpretHealth(obj), want, name);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEMPLATE_GENERATION_ANNOTATION } from '../binding/names.js';
import type { Obj } from './fields.js';
import { reflectStatus } from './reflectstatus.js';

const withMeta = (apiVersion: string, kind: string, status: Obj | undefined, meta: Obj = {}, spec: Obj = {}): Obj => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'default', ...meta },
  spec,
  ...(status ? { status } : {}),
});
const fromTemplate = (generation: number, templateGeneration: string) => ({ generation, annotations: { [TEMPLATE_GENERATION_ANNOTATION]: templateGeneration } });

const cases: [string, Obj, Obj | undefined][] = [
  [
    'deployment: counters, observed generation and both generations',
    withMeta('apps/v1', 'Deployment', { observedGeneration: 4, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, conditions: [{ type: 'Available' }], collisionCount: 1 }, fromTemplate(4, '2')),
    { generation: 4, resourceTemplateGeneration: 2, observedGeneration: 4, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1 },
  ],
  ['deployment: zero counters are left out, as Go omits them', withMeta('apps/v1', 'Deployment', { replicas: 0, readyReplicas: 2 }, { generation: 1 }), { generation: 1, readyReplicas: 2 }],
  ['deployment: nothing collected yet', withMeta('apps/v1', 'Deployment', {}, {}), undefined],
  ['deployment without status', withMeta('apps/v1', 'Deployment', undefined, { generation: 1 }), undefined],
  [
    'statefulset: replicas and availableReplicas are always there',
    withMeta('apps/v1', 'StatefulSet', { observedGeneration: 1, readyReplicas: 1, currentRevision: 'r1' }, { generation: 1 }),
    { generation: 1, replicas: 0, availableReplicas: 0, observedGeneration: 1, readyReplicas: 1 },
  ],
  [
    'daemonset',
    withMeta('apps/v1', 'DaemonSet', { currentNumberScheduled: 2, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, observedGeneration: 3 }, fromTemplate(3, '1')),
    { generation: 3, resourceTemplateGeneration: 1, currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 3, updatedNumberScheduled: 2, numberAvailable: 2 },
  ],
  [
    'job: counters, conditions and times; ready and terminating are not reflected',
    withMeta('batch/v1', 'Job', { active: 1, ready: 1, terminating: 0, startTime: 'T1', conditions: [{ type: 'Complete', status: 'True' }], completionTime: 'T2' }),
    { active: 1, conditions: [{ type: 'Complete', status: 'True' }], startTime: 'T1', completionTime: 'T2' },
  ],
  ['ClusterIP service: nothing', withMeta('v1', 'Service', { loadBalancer: {} }, {}, { type: 'ClusterIP' }), undefined],
  [
    'LoadBalancer service: the load balancer only',
    withMeta('v1', 'Service', { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] }, conditions: [] }, {}, { type: 'LoadBalancer' }),
    { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } },
  ],
  ['ingress: the whole status', withMeta('networking.k8s.io/v1', 'Ingress', { loadBalancer: { ingress: [{ hostname: 'h' }] } }), { loadBalancer: { ingress: [{ hostname: 'h' }] } }],
  ['a kind without a reflector: the whole status', withMeta('example.io/v1', 'Widget', { phase: 'Ready', extra: { a: 1 } }), { phase: 'Ready', extra: { a: 1 } }],
  [
    'pdb',
    withMeta('policy/v1', 'PodDisruptionBudget', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 }),
    { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
  ],
  ['hpa', withMeta('autoscaling/v2', 'HorizontalPodAutoscaler', { currentReplicas: 2, desiredReplicas: 4, conditions: [] }), { desiredReplicas: 4, currentReplicas: 2 }],
];

test('reflectStatus', () => {
  for (const [name, obj, want] of cases) assert.deepEqual(reflectStatus(obj), want, name);
});

test('reflectStatus rejects what does not convert to the kind', () => {
  assert.throws(() => reflectStatus(withMeta('apps/v1', 'Deployment', { replicas: 1 }, fromTemplate(1, 'two'))), /resourcetemplate.karmada.io\/generation/);
  assert.throws(() => reflectStatus(withMeta('apps/v1', 'Deployment', { replicas: '1' }, { generation: 1 })), /replicas/);
});

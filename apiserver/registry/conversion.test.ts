import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_RESOURCES } from './builtin.js';
import { converterFor } from './conversion.js';

const v1 = BUILTIN_RESOURCES.find((r) => r.group === 'autoscaling' && r.version === 'v1')!;
const v2 = BUILTIN_RESOURCES.find((r) => r.group === 'autoscaling' && r.version === 'v2')!;

const V1_HPA = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
  status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 85 },
};

const V2_HPA = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
  },
  status: { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 85 } } }] },
};

test('the storage version needs no converter; other served versions do', () => {
  assert.equal(converterFor(v2), undefined);
  assert.ok(converterFor(v1));
});

test('autoscaling/v1 HPA converts to v2 and back', () => {
  const c = converterFor(v1)!;
  assert.deepEqual(c.toStorage(structuredClone(V1_HPA)), V2_HPA);
  assert.deepEqual(c.fromStorage(structuredClone(V2_HPA)), V1_HPA);
});

test('v2-only metrics, behavior and conditions are not shown in v1', () => {
  const c = converterFor(v1)!;
  const rich = structuredClone(V2_HPA) as any;
  rich.spec.metrics.unshift({ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } });
  rich.spec.behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
  rich.status.conditions = [{ type: 'AbleToScale', status: 'True' }];
  const out = c.fromStorage(rich);
  assert.equal(out.spec.targetCPUUtilizationPercentage, 70);
  assert.equal(out.spec.metrics, undefined);
  assert.equal(out.spec.behavior, undefined);
  assert.equal(out.status.conditions, undefined);
  const noCpu = c.fromStorage({ ...V2_HPA, spec: { ...V2_HPA.spec, metrics: [] }, status: undefined });
  assert.equal(noCpu.spec.targetCPUUtilizationPercentage, undefined);
  assert.equal('status' in noCpu && noCpu.status !== undefined, false);
});

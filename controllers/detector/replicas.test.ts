import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBinarySI, formatDecimalSI, milliValue, value } from './quantity.js';
import { interpretReplicas, podTemplateRequirements } from './replicas.js';

test('quantities parse exactly and round up as Quantity.MilliValue and Value do', () => {
  const milli: [string | number, bigint | undefined][] = [
    ['500m', 500n],
    ['1.5', 1500n],
    [2, 2000n],
    ['0.1', 100n],
    ['0.0001', 1n],
    ['1e3', 1_000_000n],
    ['1k', 1_000_000n],
    ['100u', 1n],
    ['nonsense', undefined],
    ['1.5.5', undefined],
  ];
  for (const [q, want] of milli) assert.equal(milliValue(q), want, String(q));
  const whole: [string, bigint][] = [
    ['64Mi', 67_108_864n],
    ['1Gi', 1_073_741_824n],
    ['1.5Gi', 1_610_612_736n],
    ['1G', 1_000_000_000n],
    ['1.1', 2n],
    ['8Ei', 9_223_372_036_854_775_808n],
  ];
  for (const [q, want] of whole) assert.equal(value(q), want, q);
});

test('quantities print canonically, as kube serialises a computed Quantity', () => {
  const decimal: [bigint, number, string][] = [
    [0n, -3, '0'],
    [500n, -3, '500m'],
    [1500n, -3, '1500m'],
    [2000n, -3, '2'],
    [100_000n, -3, '100'],
    [1_000_000n, -3, '1k'],
    [1000n, 0, '1k'],
    [3n, 0, '3'],
  ];
  for (const [amount, exp, want] of decimal) assert.equal(formatDecimalSI(amount, exp), want, `${amount}e${exp}`);
  const binary: [bigint, string][] = [
    [512n, '512'],
    [1000n, '1k'],
    [1024n, '1Ki'],
    [67_108_864n, '64Mi'],
    [1_610_612_736n, '1536Mi'],
    [1_000_000_000n, '1000000000'],
  ];
  for (const [amount, want] of binary) assert.equal(formatBinarySI(amount), want, String(amount));
});

const container = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ name: 'c', image: 'x', resources: { ...(requests && { requests }), ...(limits && { limits }) } });

test('a pod asks for its containers added up, its largest init container where larger, and its overhead', () => {
  const cases: [string, Record<string, any>, Record<string, string> | undefined][] = [
    ['nothing requested', { containers: [container()] }, undefined],
    ['containers add up', { containers: [container({ cpu: '250m', memory: '64Mi' }), container({ cpu: '1', memory: '64Mi' })] }, { cpu: '1250m', memory: '128Mi' }],
    ['limits stand in for missing requests', { containers: [container({ cpu: '100m' }, { cpu: '2', memory: '1Gi' })] }, { cpu: '100m', memory: '1Gi' }],
    [
      'an init container counts where it asks for more',
      { initContainers: [container({ cpu: '2', memory: '32Mi' })], containers: [container({ cpu: '500m', memory: '64Mi' })] },
      { cpu: '2', memory: '64Mi' },
    ],
    ['overhead is added', { containers: [container({ cpu: '900m' })], overhead: { cpu: '100m' } }, { cpu: '1' }],
    [
      'extended resources count, unprefixed unknown ones do not',
      { containers: [container({ 'nvidia.com/gpu': '1', 'hugepages-2Mi': '4Mi', bogus: '3', 'ephemeral-storage': '1G' })] },
      { 'ephemeral-storage': '1000000000', 'hugepages-2Mi': '4Mi', 'nvidia.com/gpu': '1' },
    ],
  ];
  for (const [name, podSpec, want] of cases) assert.deepEqual(podTemplateRequirements(podSpec)?.resourceRequest, want, name);
});

test('a pod constrains nodes by its selector, tolerations and required node affinity', () => {
  const required = { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] };
  const toleration = { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' };
  const got = podTemplateRequirements({
    containers: [container()],
    nodeSelector: { disk: 'ssd' },
    tolerations: [toleration],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required, preferredDuringSchedulingIgnoredDuringExecution: [] } },
  });
  assert.deepEqual(got, { nodeClaim: { nodeSelector: { disk: 'ssd' }, tolerations: [toleration], hardNodeAffinity: required } });
  assert.equal(podTemplateRequirements({ containers: [container()], tolerations: [] }), undefined);
});

test('replicas of the workload kinds, of a scalable custom resource, and of nothing else', () => {
  const template = { spec: { containers: [container({ cpu: '250m' })] } };
  const requirements = { resourceRequest: { cpu: '250m' } };
  const cases: [string, Record<string, any>, string | undefined, ReturnType<typeof interpretReplicas>][] = [
    ['deployment', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 2, template } }, undefined, { replicas: 2, replicaRequirements: requirements }],
    ['statefulset', { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 3, template } }, undefined, { replicas: 3, replicaRequirements: requirements }],
    ['replicaset', { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 1, template } }, undefined, { replicas: 1, replicaRequirements: requirements }],
    ['deployment scaled to zero', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 0, template } }, undefined, { replicas: 0, replicaRequirements: requirements }],
    ['job: parallelism', { apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 4, template } }, undefined, { replicas: 4, replicaRequirements: requirements }],
    ['job: no more than its completions', { apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 4, completions: 2, template } }, undefined, { replicas: 2, replicaRequirements: requirements }],
    ['pod', { apiVersion: 'v1', kind: 'Pod', spec: template.spec }, undefined, { replicas: 1, replicaRequirements: requirements }],
    ['custom resource with a scale subresource', { apiVersion: 'example.io/v1', kind: 'Widget', spec: { size: { count: 5 } } }, '.spec.size.count', { replicas: 5 }],
    ['custom resource without', { apiVersion: 'example.io/v1', kind: 'Widget', spec: { replicas: 5 } }, undefined, undefined],
    ['configmap', { apiVersion: 'v1', kind: 'ConfigMap', data: {} }, undefined, undefined],
    ['a deployment in another group is not one', { apiVersion: 'extensions/v1beta1', kind: 'Deployment', spec: { replicas: 2, template } }, undefined, undefined],
  ];
  for (const [name, obj, path, want] of cases) assert.deepEqual(interpretReplicas(obj, path), want, name);
});

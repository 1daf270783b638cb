import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatableModelings, nodeSummary, resourceSummary, type NodeLike, type PodLike } from './resourcesummary.js';

const node = (name: string, allocatable: Record<string, string>, ready = true): NodeLike => ({
  metadata: { name },
  status: { allocatable, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const pod = (nodeName: string | undefined, requests: Record<string, string>[], opts: { init?: Record<string, string>[]; phase?: string } = {}): PodLike => ({
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: requests.map((r) => ({ resources: { requests: r } })),
    initContainers: (opts.init ?? []).map((r) => ({ resources: { requests: r } })),
  },
  status: { phase: opts.phase ?? 'Running' },
});

const capacity = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi', 'nvidia.com/gpu': '2' };

test('nodeSummary counts nodes and the Ready ones', () => {
  assert.deepEqual(nodeSummary([node('a', capacity), node('b', capacity, false), node('c', capacity)]), { totalNum: 3, readyNum: 2 });
  assert.deepEqual(nodeSummary([]), { totalNum: 0, readyNum: 0 });
});

test('resourceSummary sums allocatable and splits pod requests into allocating and allocated', () => {
  const nodes = [node('a', capacity), node('b', capacity), node('c', { ...capacity, cpu: '7500m' })];
  const pods = [
    pod('a', [{ cpu: '500m', memory: '1Gi' }, { cpu: '250m', memory: '512Mi' }]),
    // The init container asks for more CPU than the app containers together: the pod holds that much.
    pod('b', [{ cpu: '100m', memory: '128Mi', 'nvidia.com/gpu': '1' }], { init: [{ cpu: '2', memory: '64Mi' }] }),
    pod('b', [{ cpu: '4' }], { phase: 'Succeeded' }),
    pod(undefined, [{ cpu: '1', memory: '2Gi' }]),
  ];
  assert.deepEqual(resourceSummary(nodes, pods), {
    allocatable: { cpu: '23500m', memory: '96Gi', pods: '330', 'ephemeral-storage': '300Gi', 'nvidia.com/gpu': '6' },
    allocating: { cpu: '1', memory: '2Gi', 'ephemeral-storage': '0', pods: '1' },
    allocated: { cpu: '2750m', memory: '1664Mi', 'ephemeral-storage': '0', pods: '2', 'nvidia.com/gpu': '1' },
  });
});

test('resourceSummary of an empty member has zero requests and no allocatable', () => {
  assert.deepEqual(resourceSummary([], []), {
    allocatable: {},
    allocating: { cpu: '0', memory: '0', 'ephemeral-storage': '0', pods: '0' },
    allocated: { cpu: '0', memory: '0', 'ephemeral-storage': '0', pods: '0' },
  });
});

test('allocatableModelings puts each node in the highest grade it meets in every resource, after its pods', () => {
  const models = [
    { grade: 0, ranges: [{ name: 'cpu', min: '0', max: '1' }, { name: 'memory', min: '0', max: '4Gi' }] },
    { grade: 1, ranges: [{ name: 'cpu', min: '1', max: '2' }, { name: 'memory', min: '4Gi', max: '16Gi' }] },
    { grade: 2, ranges: [{ name: 'cpu', min: '2', max: '9223372036854775807' }, { name: 'memory', min: '16Gi', max: '9223372036854775807' }] },
  ];
  const nodes = [
    node('big', { cpu: '8', memory: '32Gi', pods: '110' }),
    node('cpu-poor', { cpu: '1500m', memory: '32Gi', pods: '110' }),
    node('busy', { cpu: '8', memory: '32Gi', pods: '110' }),
    node('small', { cpu: '500m', memory: '1Gi', pods: '110' }),
  ];
  const pods = [pod('busy', [{ cpu: '7500m', memory: '1Gi' }])];
  assert.deepEqual(allocatableModelings(models, nodes, pods), [
    { grade: 0, count: 2 },
    { grade: 1, count: 1 },
    { grade: 2, count: 1 },
  ]);
  assert.equal(allocatableModelings(undefined, nodes, pods), undefined);
  assert.equal(allocatableModelings([], nodes, pods), undefined);
});

test('allocatableModelings stops counting at the first node with no room for another pod, as Karmada does', () => {
  const models = [{ grade: 0, ranges: [{ name: 'cpu', min: '0', max: '9223372036854775807' }] }];
  const nodes = [node('a', { cpu: '4', pods: '1' }), node('full', { cpu: '4', pods: '1' }), node('c', { cpu: '4', pods: '1' })];
  assert.deepEqual(allocatableModelings(models, nodes, [pod('full', [{ cpu: '1' }])]), [{ grade: 0, count: 1 }]);
});

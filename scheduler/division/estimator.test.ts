import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaRequirements } from '../../openapi/karmada/types.js';
import { cluster, type ClusterFixture } from '../testing.js';
import { maxAvailableReplicas } from './estimator.js';

const node: ClusterFixture = { allocatable: { pods: '110', cpu: '4', memory: '8Gi' }, allocated: { pods: '10', cpu: '1500m', memory: '6Gi' } };
const request = (resourceRequest: Record<string, string>): ReplicaRequirements => ({ resourceRequest });

const cases: [string, ClusterFixture, ReplicaRequirements | undefined, number][] = [
  ['no resource summary reported', {}, undefined, 0],
  ['no requirements: the pods left', node, undefined, 100],
  ['pods allocating count too', { allocatable: { pods: '10' }, allocated: { pods: '3' }, allocating: { pods: '2' } }, undefined, 5],
  ['more pods than allocatable', { allocatable: { pods: '10' }, allocated: { pods: '12' } }, undefined, 0],
  ['cpu in millicores', node, request({ cpu: '500m' }), 5],
  ['memory', node, request({ memory: '1Gi' }), 2],
  ['the scarcest resource decides', node, request({ cpu: '100m', memory: '512Mi' }), 4],
  ['a resource the cluster does not have', node, request({ 'nvidia.com/gpu': '1' }), 0],
  ['a resource used up', { allocatable: { pods: '10', cpu: '1' }, allocated: { cpu: '1' } }, request({ cpu: '100m' }), 0],
  ['zero requests do not limit', node, request({ cpu: '0' }), 100],
];

for (const [name, fixture, requirements, want] of cases)
  test(`maxAvailableReplicas: ${name}`, () => {
    assert.equal(maxAvailableReplicas(cluster('c', fixture), requirements), want);
  });

// The resource models Karmada gives a Cluster by default: grades of cpu and memory, each [min, max).
const CPU_MINS = ['0', '1', '2', '4', '8', '16', '32', '64', '128'];
const MEMORY_MINS = ['0', '4Gi', '16Gi', '32Gi', '64Gi', '128Gi', '256Gi', '512Gi', '1Ti'];
const DEFAULT_MODELS = CPU_MINS.map((cpu, grade) => ({
  grade,
  ranges: [
    { name: 'cpu', min: cpu, max: CPU_MINS[grade + 1] ?? '9223372036854775807' },
    { name: 'memory', min: MEMORY_MINS[grade], max: MEMORY_MINS[grade + 1] ?? '9223372036854775807' },
  ],
}));

/** A cluster with the default models and count nodes in each grade (by index). */
function modelled(counts: Record<number, number>, allocatable: Record<string, string> = { pods: '110', cpu: '8', memory: '32Gi' }): ClusterFixture {
  return { allocatable, resourceModels: DEFAULT_MODELS, allocatableModelings: DEFAULT_MODELS.map((m) => ({ grade: m.grade, count: counts[m.grade] ?? 0 })) };
}

const modelCases: [string, ClusterFixture, ReplicaRequirements | undefined, number][] = [
  // One node of 8 cpu and 32Gi is in grade 3 (at least 4 cpu and 32Gi): it is counted as 4 cpu, not 8.
  ['a node holds what its grade minimum holds', modelled({ 3: 1 }), request({ cpu: '1', memory: '1Gi' }), 4],
  ['nodes of every suitable grade add up', modelled({ 2: 2, 3: 1 }), request({ cpu: '1', memory: '1Gi' }), 2 * 2 + 4],
  // 1.5 cpu needs grade 2 (2 cpu) at least: the grade-1 nodes do not count.
  ['grades too small are skipped', modelled({ 1: 3, 2: 1 }), request({ cpu: '1500m' }), 1],
  ['the scarcest resource of the grade decides', modelled({ 3: 1 }), request({ cpu: '500m', memory: '8Gi' }), 4],
  ['no grade is large enough', modelled({ 8: 1 }), request({ cpu: '200' }), 0],
  ['the pods left still limit', modelled({ 3: 1 }, { pods: '3', cpu: '8', memory: '32Gi' }), request({ cpu: '1' }), 3],
  ['no requirements: the pods left', modelled({ 3: 1 }), undefined, 110],
  ['a resource the models do not cover: the summary decides', modelled({ 3: 1 }, { pods: '110', cpu: '8', 'nvidia.com/gpu': '2' }), request({ cpu: '1', 'nvidia.com/gpu': '1' }), 2],
  ['models without modelings collected: the summary decides', { allocatable: { pods: '110', cpu: '8', memory: '32Gi' }, resourceModels: DEFAULT_MODELS }, request({ cpu: '1', memory: '1Gi' }), 8],
];

for (const [name, fixture, requirements, want] of modelCases)
  test(`maxAvailableReplicas by resource models: ${name}`, () => {
    assert.equal(maxAvailableReplicas(cluster('c', fixture), requirements), want);
  });

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

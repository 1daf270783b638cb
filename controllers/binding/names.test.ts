import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingReferenceKey, clusterOfExecutionSpace, executionSpaceName, generateWorkName } from './names.js';

test('work names are Karmada names', () => {
  // The name Karmada's documentation shows for the Work of Deployment default/nginx.
  assert.equal(generateWorkName('Deployment', 'nginx', 'default'), 'nginx-687f7fb96f');
  const cases: [string, string, string | undefined, RegExp][] = [
    ['Namespace', 'apps', undefined, /^apps-[bcdfghjklmnpqrstvwxz2456789]+$/],
    ['ClusterRole', 'system:Controller', undefined, /^system\.controller-[bcdfghjklmnpqrstvwxz2456789]+$/],
  ];
  for (const [kind, name, namespace, want] of cases) assert.match(generateWorkName(kind, name, namespace), want);
  // The hash covers namespace and kind, and kind case does not matter.
  const names = new Set([generateWorkName('Deployment', 'nginx', 'a'), generateWorkName('Deployment', 'nginx', 'b'), generateWorkName('Service', 'nginx', 'a')]);
  assert.equal(names.size, 3);
  assert.equal(generateWorkName('deployment', 'nginx', 'default'), 'nginx-687f7fb96f');
});

test('binding reference keys differ by namespace', () => {
  const keys = [bindingReferenceKey('prod', 'web-deployment'), bindingReferenceKey('qa', 'web-deployment'), bindingReferenceKey(undefined, 'web-deployment')];
  assert.equal(new Set(keys).size, 3);
  assert.equal(bindingReferenceKey('prod', 'web-deployment'), keys[0]);
});

test('execution spaces', () => {
  assert.equal(executionSpaceName('member1'), 'karmada-es-member1');
  assert.equal(clusterOfExecutionSpace('karmada-es-member1'), 'member1');
  assert.equal(clusterOfExecutionSpace('default'), undefined);
  assert.equal(clusterOfExecutionSpace(undefined), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Namespace } from '@kubernetes/client-node';
import { DEFAULT_NAMESPACE_SYNC_OPTIONS, memberNamespace, shouldPropagate } from './controller.js';

const ns = (name: string, labels: Record<string, string> = {}, extra: Partial<V1Namespace['metadata']> = {}): V1Namespace => ({ metadata: { name, labels, ...extra } });

test('reserved, skipped and opted-out namespaces are not propagated', () => {
  const skipped = DEFAULT_NAMESPACE_SYNC_OPTIONS.skippedPropagatingNamespaces;
  const propagated = (n: V1Namespace, re = skipped) => shouldPropagate(n, re);
  assert.equal(propagated(ns('team-a')), true);
  for (const name of ['default', 'kube-system', 'kube-public', 'karmada-system', 'karmada-cluster', 'karmada-es-member1']) assert.equal(propagated(ns(name)), false, name);
  // Other karmada- names are the user's, as in Karmada.
  assert.equal(propagated(ns('karmada-demo')), true);
  assert.equal(propagated(ns('team-a', { 'namespace.karmada.io/skip-auto-propagation': 'True' })), false);
  assert.equal(propagated(ns('team-a', { 'namespace.karmada.io/skip-auto-propagation': 'false' })), true);
  assert.equal(propagated(ns('team-a', {}, { deletionTimestamp: new Date() })), false);
  assert.equal(propagated(ns('tmp-1'), [/^tmp-.*$/]), false);
});

test("a member's copy carries the labels and annotations, marked as Karmada's", () => {
  const copy = memberNamespace(ns('team-a', { team: 'a' }, { annotations: { owner: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }));
  assert.deepEqual(copy, { labels: { team: 'a', 'karmada.io/managed': 'true' }, annotations: { owner: 'x' } });
});

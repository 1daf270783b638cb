import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../overrides/jsonpatch.js';
import { removeIrrelevantFields } from './prune.js';

const serverMetadata = {
  uid: 'u',
  resourceVersion: '7',
  generation: 2,
  creationTimestamp: '2024-01-01T00:00:00Z',
  deletionTimestamp: '2024-01-02T00:00:00Z',
  deletionGracePeriodSeconds: 30,
  managedFields: [{ manager: 'kubectl' }],
  selfLink: '/api/v1/x',
  ownerReferences: [{ kind: 'X' }],
  finalizers: ['f'],
};

test('removeIrrelevantFields strips what the control plane set', () => {
  const cases: [string, Obj, Obj][] = [
    [
      'server-set metadata and status',
      { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', labels: { a: 'b' }, ...serverMetadata }, data: { k: 'v' }, status: { x: 1 } },
      { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', labels: { a: 'b' } }, data: { k: 'v' } },
    ],
    [
      'a Service loses its allocated cluster IPs',
      { kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80 }] } },
      { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
    ],
    [
      'a headless Service keeps "None"',
      { kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None', clusterIPs: ['None'] } },
      { kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None', clusterIPs: ['None'] } },
    ],
    [
      'a Job loses its generated selector labels and its TTL',
      {
        kind: 'Job',
        metadata: { name: 'j' },
        spec: {
          ttlSecondsAfterFinished: 100,
          selector: { matchLabels: { 'controller-uid': 'u', 'batch.kubernetes.io/controller-uid': 'u', keep: 'me' } },
          template: { metadata: { labels: { 'controller-uid': 'u', 'job-name': 'j', 'batch.kubernetes.io/job-name': 'j', app: 'x' } } },
        },
      },
      { kind: 'Job', metadata: { name: 'j' }, spec: { selector: { matchLabels: { keep: 'me' } }, template: { metadata: { labels: { app: 'x' } } } } },
    ],
    [
      'a Job with a manual selector keeps it',
      { kind: 'Job', metadata: { name: 'j' }, spec: { manualSelector: true, selector: { matchLabels: { 'controller-uid': 'u' } } } },
      { kind: 'Job', metadata: { name: 'j' }, spec: { manualSelector: true, selector: { matchLabels: { 'controller-uid': 'u' } } } },
    ],
    [
      'a ServiceAccount loses its token Secrets',
      { kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 'sa-token-abcde' }, { name: 'other' }, { name: 'sa-token-fghij' }] },
      { kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 'other' }] },
    ],
  ];
  for (const [name, input, want] of cases) {
    const before = structuredClone(input);
    assert.deepEqual(removeIrrelevantFields(input), want, name);
    assert.deepEqual(input, before, `${name}: the input is left alone`);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION } from '../binding/names.js';
import type { Obj } from './fields.js';
import { RETAIN_REPLICAS_LABEL, retainClusterFields, retainedLabelsAndAnnotations } from './retain.js';

const obj = (apiVersion: string, kind: string, rest: Obj = {}): Obj => ({ apiVersion, kind, ...rest, metadata: { name: 'x', namespace: 'ns', ...rest.metadata } });

/** [name, desired, observed, fields of the result to check]. */
const cases: [string, Obj, Obj, Obj][] = [
  [
    'metadata: resourceVersion, finalizers and owner references are the member’s',
    obj('v1', 'ConfigMap', { metadata: { finalizers: ['mine'] } }),
    obj('v1', 'ConfigMap', { metadata: { resourceVersion: '7', finalizers: ['theirs'], ownerReferences: [{ uid: 'u' }] } }),
    { metadata: { name: 'x', namespace: 'ns', resourceVersion: '7', finalizers: ['theirs'], ownerReferences: [{ uid: 'u' }] } },
  ],
  [
    'labels and annotations: the member’s additions kept, changes to propagated keys undone, keys dropped from the template removed',
    obj('v1', 'ConfigMap', { metadata: { labels: { app: 'web' }, annotations: { [MANAGED_ANNOTATIONS_ANNOTATION]: 'a', a: '1', [MANAGED_LABELS_ANNOTATION]: 'app' } } }),
    obj('v1', 'ConfigMap', {
      metadata: {
        resourceVersion: '3',
        labels: { app: 'changed-by-hand', old: 'x', member: 'added' },
        annotations: { [MANAGED_ANNOTATIONS_ANNOTATION]: 'a,gone', [MANAGED_LABELS_ANNOTATION]: 'app,old', a: '2', gone: 'y', 'member.io/note': 'n' },
      },
    }),
    {
      metadata: {
        name: 'x',
        namespace: 'ns',
        resourceVersion: '3',
        labels: { app: 'web', member: 'added' },
        annotations: { [MANAGED_ANNOTATIONS_ANNOTATION]: 'a', a: '1', [MANAGED_LABELS_ANNOTATION]: 'app', 'member.io/note': 'n' },
      },
    },
  ],
  [
    'labels named like Object members are the member’s too',
    obj('v1', 'ConfigMap', { metadata: { labels: { app: 'web' } } }),
    obj('v1', 'ConfigMap', { metadata: { labels: { app: 'web', constructor: 'c', toString: 't' } } }),
    { metadata: { name: 'x', namespace: 'ns', labels: { app: 'web', constructor: 'c', toString: 't' } } },
  ],
  [
    'service: cluster IPs, IP families and health check port allocated by the member',
    obj('v1', 'Service', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }),
    obj('v1', 'Service', { spec: { type: 'LoadBalancer', clusterIP: '10.0.0.9', clusterIPs: ['10.0.0.9'], ipFamilies: ['IPv4'], healthCheckNodePort: 31000, ports: [{ port: 80, nodePort: 30080 }] } }),
    { spec: { type: 'LoadBalancer', ports: [{ port: 80 }], clusterIP: '10.0.0.9', clusterIPs: ['10.0.0.9'], ipFamilies: ['IPv4'], healthCheckNodePort: 31000 } },
  ],
  [
    'service: a headless service keeps its own None; nothing allocated, nothing kept',
    obj('v1', 'Service', { spec: { clusterIP: 'None' } }),
    obj('v1', 'Service', { spec: { clusterIP: '', healthCheckNodePort: 0 } }),
    { spec: { clusterIP: 'None' } },
  ],
  [
    'serviceaccount: token secrets the member added are merged in by name',
    obj('v1', 'ServiceAccount', { secrets: [{ name: 'mine' }] }),
    obj('v1', 'ServiceAccount', { secrets: [{ name: 'mine' }, { name: 'x-token-abc' }], imagePullSecrets: [{ name: 'pull' }] }),
    { secrets: [{ name: 'mine' }, { name: 'x-token-abc' }], imagePullSecrets: [{ name: 'pull' }] },
  ],
  ['pvc: the bound volume', obj('v1', 'PersistentVolumeClaim', { spec: { resources: {} } }), obj('v1', 'PersistentVolumeClaim', { spec: { volumeName: 'pv-1' } }), { spec: { resources: {}, volumeName: 'pv-1' } }],
  ['pv: the claim it is bound to', obj('v1', 'PersistentVolume', { spec: {} }), obj('v1', 'PersistentVolume', { spec: { claimRef: { name: 'c' } } }), { spec: { claimRef: { name: 'c' } } }],
  [
    'job: the generated selector and pod template labels',
    obj('batch/v1', 'Job', { spec: { template: { metadata: { labels: { app: 'j' } }, spec: {} } } }),
    obj('batch/v1', 'Job', { spec: { selector: { matchLabels: { 'controller-uid': 'u' } }, template: { metadata: { labels: { app: 'j', 'controller-uid': 'u', 'job-name': 'x' } } } } }),
    { spec: { selector: { matchLabels: { 'controller-uid': 'u' } }, template: { metadata: { labels: { app: 'j', 'controller-uid': 'u', 'job-name': 'x' } }, spec: {} } } },
  ],
  [
    'deployment with the retain-replicas label: the member’s replica count',
    obj('apps/v1', 'Deployment', { metadata: { labels: { [RETAIN_REPLICAS_LABEL]: 'true' } }, spec: { replicas: 2 } }),
    obj('apps/v1', 'Deployment', { spec: { replicas: 5 } }),
    { spec: { replicas: 5 } },
  ],
  ['deployment without it: the template’s', obj('apps/v1', 'Deployment', { spec: { replicas: 2 } }), obj('apps/v1', 'Deployment', { spec: { replicas: 5 } }), { spec: { replicas: 2 } }],
  [
    'pod: node, service account, volumes and mounts are the member’s',
    obj('v1', 'Pod', { spec: { containers: [{ name: 'c', image: 'i' }, { name: 'd', volumeMounts: [{ name: 'mine' }] }] } }),
    obj('v1', 'Pod', { spec: { nodeName: 'n1', serviceAccountName: 'default', volumes: [{ name: 'token' }], containers: [{ name: 'c', volumeMounts: [{ name: 'token' }] }, { name: 'd' }] } }),
    { spec: { nodeName: 'n1', serviceAccountName: 'default', volumes: [{ name: 'token' }], containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'token' }] }, { name: 'd' }] } },
  ],
];

test('retainClusterFields', () => {
  for (const [name, desired, observed, want] of cases) {
    const before = structuredClone(desired);
    const got = retainClusterFields(desired, observed);
    for (const [field, value] of Object.entries(want)) assert.deepEqual(got[field], value, `${name}: ${field}`);
    assert.deepEqual(desired, before, `${name}: desired is not modified`);
    // What the work status controller compares the member's labels and annotations with, without the copy.
    const { labels, annotations } = retainedLabelsAndAnnotations(desired, observed);
    assert.deepEqual(labels ?? {}, got.metadata.labels ?? {}, `${name}: the retained labels`);
    assert.deepEqual(annotations ?? {}, got.metadata.annotations ?? {}, `${name}: the retained annotations`);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../storage/store.js';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import type { AdmissionAttributes } from './chain.js';
import { defaulting } from './defaults.js';

function admit(group: string, kind: string, object: KObject, extra: Partial<AdmissionAttributes> = {}): KObject {
  const resource = BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === kind)!;
  defaulting().admit!({ operation: 'CREATE', resource, name: 'x', object, dryRun: false, ...extra });
  return object;
}

const template = (image: string, extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', image, ports: [{ containerPort: 80 }], ...extra }] },
});

test('Deployment defaults as kube sets them', () => {
  const d = admit('apps', 'Deployment', { spec: { selector: { matchLabels: { app: 'x' } }, template: template('nginx') } });
  assert.equal(d.spec.replicas, 1);
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  const pod = d.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Always');
  assert.equal(pod.terminationGracePeriodSeconds, 30);
  assert.equal(pod.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.securityContext, {});
  assert.deepEqual(pod.containers[0], {
    name: 'c',
    image: 'nginx',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'Always',
    resources: {},
  });
});

test('explicit values, including zero replicas and Recreate, are kept; "" counts as unset', () => {
  const d = admit('apps', 'Deployment', { spec: { replicas: 0, strategy: { type: 'Recreate' }, template: template('nginx:1.25', { imagePullPolicy: '' }) } });
  assert.equal(d.spec.replicas, 0);
  assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
});

test('imagePullPolicy follows the tag', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry:5000/nginx', 'Always'],
    ['registry:5000/nginx:1.2', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [image, policy] of cases)
    assert.equal(admit('', 'Pod', { spec: { containers: [{ name: 'c', image }] } }).spec.containers[0].imagePullPolicy, policy, image);
});

test('Service, Secret, Job and StatefulSet defaults', () => {
  const svc = admit('', 'Service', { spec: { ports: [{ port: 80 }] } });
  assert.deepEqual(svc.spec, {
    type: 'ClusterIP',
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
  });
  assert.equal(admit('', 'Secret', {}).type, 'Opaque');
  const job = admit('batch', 'Job', { spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } });
  assert.deepEqual([job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.template.spec.restartPolicy], [1, 1, 6, 'Never']);
  const sts = admit('apps', 'StatefulSet', { spec: {} });
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
});

test('status writes and deletes are not defaulted', () => {
  const d = admit('apps', 'Deployment', { spec: {} }, { subresource: 'status', operation: 'UPDATE' });
  assert.deepEqual(d.spec, {});
});

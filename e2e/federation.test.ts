// The Karmada APIs with kubectl: Karmada's own sample manifests apply unchanged; strict validation rejects unknown
// fields and Karmada's webhook rules reject invalid placements, with clear messages.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { APIServerProcess, kubectl, KUBECTL_DEFAULT } from './harness.js';
import { NGINX_POLICY } from './samples.js';

let server: APIServerProcess;
before(async () => {
  server = await APIServerProcess.start();
});
after(async () => {
  await server?.destroy();
});

const skip = existsSync(KUBECTL_DEFAULT) ? false : 'kubectl not found at /usr/bin/kubectl: kubectl tests skipped';
const apply = (manifest: string) => kubectl(KUBECTL_DEFAULT, server.kubeconfig, ['apply', '-f', '-'], { input: manifest });


test('Karmada samples apply unchanged, and get Karmada defaults', { skip }, async () => {
  const r = await apply(NGINX_POLICY);
  assert.equal(r.code, 0, r.stderr);
  const pp = JSON.parse((await kubectl(KUBECTL_DEFAULT, server.kubeconfig, ['get', 'pp', 'nginx-propagation', '-o', 'json'])).stdout);
  assert.equal(pp.spec.conflictResolution, 'Abort');
  assert.equal(pp.spec.priority, 0);
  assert.ok(pp.metadata.labels['propagationpolicy.karmada.io/permanent-id']);
});

test('strict validation: an unknown field is rejected', { skip }, async () => {
  const r = await apply(NGINX_POLICY.replace('name: nginx-propagation', 'name: typo').replace('    clusterAffinity:', '    clusterAfinity:'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "spec.placement.clusterAfinity"/);
});

test('clusterAffinity and clusterAffinities together are rejected', { skip }, async () => {
  const both = NGINX_POLICY.replace('name: nginx-propagation', 'name: both').replace(
    '    replicaScheduling:',
    '    clusterAffinities:\n      - affinityName: primary\n        clusterNames: [member1]\n    replicaScheduling:',
  );
  const r = await apply(both);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /clusterAffinities cannot co-exist with clusterAffinity/);
});

test('a zero weight is rejected with the field named', { skip }, async () => {
  const r = await apply(NGINX_POLICY.replace('name: nginx-propagation', 'name: zero').replace('weight: 1\n          - targetCluster', 'weight: 0\n          - targetCluster'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /weight/);
});

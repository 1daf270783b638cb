// CustomResourceDefinitions served dynamically, end to end with kubectl: discovery, printer columns, validation
// (schema and CEL), defaulting, the scale subresource, explain, and deletion of the CRD removing its objects.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APIServerProcess, kubectl, KUBECTL_DEFAULT, type KubectlResult } from './harness.js';
import { existsSync } from 'node:fs';

let server: APIServerProcess;
let dir: string;
const k = (...args: string[]) => kubectl(KUBECTL_DEFAULT, server.kubeconfig, args);

before(async () => {
  server = await APIServerProcess.start();
  dir = await mkdtemp(join(tmpdir(), 'flotilla-crd-'));
});
after(async () => {
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

function ok(r: KubectlResult): string {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd], categories: [all]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - rule: "self.replicas <= 10 || self.size == 'l'"
              message: "only large widgets may have more than 10 replicas"
            properties:
              size: {type: string, enum: [s, m, l], description: "How big the widget is."}
              replicas: {type: integer, minimum: 0, default: 1}
              color: {type: string, default: blue}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
`;

const widget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;

test('CRD lifecycle with kubectl', { skip: existsSync(KUBECTL_DEFAULT) ? false : 'kubectl not found at /usr/bin/kubectl: kubectl tests skipped' }, async () => {
  await writeFile(join(dir, 'crd.yaml'), CRD);
  ok(await k('apply', '-f', join(dir, 'crd.yaml')));
  ok(await k('wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.com'));
  assert.match(ok(await k('api-resources', '--api-group=example.com')), /^widgets\s+wd\s+example.com\/v1\s+true\s+Widget$/m);

  await writeFile(join(dir, 'w1.yaml'), widget('w1', '  size: m\n'));
  ok(await k('apply', '-f', join(dir, 'w1.yaml')));
  const w1 = JSON.parse(ok(await k('get', 'widget', 'w1', '-o', 'json')));
  assert.equal(w1.spec.replicas, 1, 'defaulted');
  assert.equal(w1.spec.color, 'blue', 'defaulted');
  const table = ok(await k('get', 'wd'));
  assert.match(table, /^NAME\s+SIZE\s+REPLICAS\s+AGE$/m);
  assert.match(table, /^w1\s+m\s+1\s+\d+s$/m);

  await writeFile(join(dir, 'bad.yaml'), widget('bad', '  size: xl\n  replicas: -1\n'));
  const bad = await k('apply', '-f', join(dir, 'bad.yaml'));
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /spec.size: Unsupported value: "xl": supported values: "s", "m", "l"/);
  assert.match(bad.stderr, /spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0/);

  await writeFile(join(dir, 'cel.yaml'), widget('many', '  size: s\n  replicas: 20\n'));
  const cel = await k('apply', '-f', join(dir, 'cel.yaml'));
  assert.notEqual(cel.code, 0);
  assert.match(cel.stderr, /only large widgets may have more than 10 replicas/);

  ok(await k('scale', 'widget', 'w1', '--replicas=3'));
  assert.equal(JSON.parse(ok(await k('get', 'widget', 'w1', '-o', 'json'))).spec.replicas, 3);

  assert.match(ok(await k('explain', 'widgets.spec.size')), /How big the widget is|<string>/);

  ok(await k('delete', 'crd', 'widgets.example.com'));
  assert.notEqual((await k('get', 'widgets')).code, 0);
  const raw = await server.request('GET', '/apis/example.com/v1/namespaces/default/widgets');
  assert.equal(raw.status, 404);
  // A CRD created again with the same name starts empty: the objects went with the old one.
  ok(await k('apply', '-f', join(dir, 'crd.yaml')));
  ok(await k('wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.com'));
  assert.equal(ok(await k('get', 'widgets', '-o', 'name')).trim(), '');
});

test('the Karmada federation APIs are served from the first start', async () => {
  const res = await server.request('GET', '/apis/policy.karmada.io/v1alpha1');
  assert.equal(res.status, 200, res.body);
  const kinds = res.json().resources.map((r: any) => r.kind);
  for (const kind of ['PropagationPolicy', 'ClusterPropagationPolicy', 'OverridePolicy', 'ClusterOverridePolicy']) assert.ok(kinds.includes(kind), kind);
  assert.equal((await server.request('GET', '/apis/cluster.karmada.io/v1alpha1/clusters')).status, 200);
  assert.equal((await server.request('GET', '/apis/work.karmada.io/v1alpha2/resourcebindings')).status, 200);
  assert.equal((await server.request('GET', '/apis/work.karmada.io/v1alpha1/works')).status, 200);
});

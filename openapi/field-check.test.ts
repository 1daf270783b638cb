import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFieldErrors, jsonPatchStrictErrors } from './field-check.js';
import { SchemaRegistry } from './schemas.js';

const registry = new SchemaRegistry();
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const check = (schema: string, raw: string) => registry.checkObject(schema, JSON.parse(raw), raw);

// The body of kube's field validation integration test (test/integration/apiserver/field_validation_test.go).
const invalidDeployment = `{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "a", "name": "b", "unknownMeta": "x", "labels": {"app": "nginx"}},
  "spec": {
    "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{
      "name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"
    }]}}
  }
}`;

test('unknown and duplicate fields come in kube order, once each, with kube paths', () => {
  const result = check(DEPLOYMENT, invalidDeployment);
  assert.deepEqual(result.strictErrors, [
    'duplicate field "metadata.name"',
    'unknown field "metadata.unknownMeta"',
    'unknown field "spec.unknown1"',
    'unknown field "spec.unknownDupe"',
    'duplicate field "spec.paused"',
    'unknown field "spec.template.spec.containers[0].unknownNested"',
    'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
  ]);
  assert.deepEqual(result.unknownFields, ['metadata.unknownMeta', 'spec.unknown1', 'spec.unknownDupe', 'spec.template.spec.containers[0].unknownNested']);
  assert.deepEqual(result.duplicateFields, ['metadata.name', 'spec.paused', 'spec.template.spec.containers[0].imagePullPolicy']);
  assert.deepEqual(result.typeErrors, []);
});

test('without the raw text (YAML, patched objects) members are visited in sorted order and duplicates are invisible', () => {
  const result = registry.checkObject(DEPLOYMENT, JSON.parse(invalidDeployment));
  assert.deepEqual(result.strictErrors, [
    'unknown field "metadata.unknownMeta"',
    'unknown field "spec.template.spec.containers[0].unknownNested"',
    'unknown field "spec.unknown1"',
    'unknown field "spec.unknownDupe"',
  ]);
});

test('maps accept any key but duplicate keys are reported; nested lists and maps are checked', () => {
  const raw = `{"metadata": {"labels": {"app.kubernetes.io/name": "x", "tier": "a", "tier": "b"}, "annotations": {"any/thing": "1"}},
    "spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b", "resources": {"limits": {"cpu": "1", "nvidia.com/gpu": 1}},
      "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k", "typo": true}}}]}],
      "nodeSelector": {"disk": "ssd"}}}}}`;
  const result = check(DEPLOYMENT, raw);
  assert.deepEqual(result.strictErrors, [
    'duplicate field "metadata.labels.tier"',
    'unknown field "spec.template.spec.containers[1].env[0].valueFrom.configMapKeyRef.typo"',
  ]);
});

test('a clean Deployment passes, including int-or-string and quantity values of either type', () => {
  const raw = JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' }, creationTimestamp: null },
        spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: 0.5, memory: '1Gi' } },
          livenessProbe: { httpGet: { port: 'http', path: '/' } } }] },
      },
    },
    status: {},
  });
  assert.deepEqual(check(DEPLOYMENT, raw), { unknownFields: [], duplicateFields: [], typeErrors: [], strictErrors: [] });
});

test('raw extension and managed fields contents are never checked', () => {
  const raw = `{"metadata": {"managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {"anything": {}, "anything": {}}}}]}}`;
  assert.deepEqual(check(DEPLOYMENT, raw).strictErrors, []);
});

test('wrong value types produce Go decode errors; only the first, as kube keeps only that', () => {
  const result = registry.checkObject(DEPLOYMENT, { spec: { strategy: 'yes', replicas: '3' } });
  assert.deepEqual(result.typeErrors, [{
    path: 'spec.replicas', expected: 'integer', actual: 'string',
    message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  }]);
  const message = (schema: string, raw: string) => check(schema, raw).typeErrors.map((e) => e.message);
  assert.deepEqual(message(DEPLOYMENT, '{"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":1.0}]}]}}}}'),
    ['json: cannot unmarshal number 1.0 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32']);
  assert.deepEqual(message(DEPLOYMENT, '{"spec":{"replicas":3000000000}}'),
    ['json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32']);
  assert.deepEqual(message(DEPLOYMENT, '{"spec":{"template":{"spec":{"containers":{}}}}}'),
    ['json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container']);
  assert.deepEqual(message(DEPLOYMENT, '{"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":5}]}]}}}}'),
    ['json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string']);
  assert.deepEqual(message('io.k8s.api.core.v1.ConfigMap', '{"data":{"k":{}}}'),
    ['json: cannot unmarshal object into Go struct field ConfigMap.data of type string']);
  assert.deepEqual(message('io.k8s.api.core.v1.Secret', '{"data":{"k":1}}'),
    ['json: cannot unmarshal number into Go struct field Secret.data of type []uint8']);
  assert.deepEqual(message('io.k8s.api.core.v1.Service', '{"spec":{"ports":[{"port":80,"targetPort":true}]}}'),
    ['json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32']);
  assert.deepEqual(message('io.k8s.api.core.v1.Pod', '{"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":[]}}}]}}'),
    ["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]);
  assert.deepEqual(message('io.k8s.api.core.v1.Pod', '{"spec":{"containers":[{"name":"a"}],"overhead":null,"nodeName":null}}'), []);
});

const crd = {
  'io.example.stable.v1.CronTab': {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          port: { 'x-kubernetes-int-or-string': true },
          config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { mode: { type: 'string' } } },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
          pruned: { type: 'object' },
        },
      },
    },
    'x-kubernetes-group-version-kind': [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }],
  },
};

test('custom resource schemas: preserve-unknown-fields, int-or-string, embedded resources, implicit type meta', () => {
  const r = new SchemaRegistry();
  r.addSchemas(crd);
  const raw = `{"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "x", "nam": "y"},
    "spec": {"port": "http", "config": {"mode": "a", "anything": {"deep": 1, "deep": 2}}, "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
      "pruned": {"gone": 1}, "extra": {"a": 1, "a": 2}}}`;
  const result = r.checkObject('io.example.stable.v1.CronTab', JSON.parse(raw), raw);
  assert.deepEqual(result.strictErrors, [
    'unknown field "metadata.nam"',
    'duplicate field "spec.config.anything.deep"',
    'unknown field "spec.pruned.gone"',
    'unknown field "spec.extra"',
    'duplicate field "spec.extra.a"',
  ]);
  assert.deepEqual(r.checkObject('io.example.stable.v1.CronTab', { spec: { port: 8080, replicas: 'many', config: { mode: 1 } } }).typeErrors, [
    { path: 'spec.config.mode', expected: 'string', actual: 'integer', message: 'spec.config.mode in body must be of type string: "integer"' },
    { path: 'spec.replicas', expected: 'integer', actual: 'string', message: 'spec.replicas in body must be of type integer: "string"' },
  ]);
});

test('removed schemas are forgotten by the checker', () => {
  const r = new SchemaRegistry();
  r.addSchemas(crd);
  assert.deepEqual(r.checkObject('io.example.stable.v1.CronTab', { spec: { nope: 1 } }).unknownFields, ['spec.nope']);
  r.removeSchemas(['io.example.stable.v1.CronTab']);
  assert.deepEqual(r.checkObject('io.example.stable.v1.CronTab', { spec: { nope: 1 } }).unknownFields, []);
});

test('duplicates in merge-patch bodies and unknown members of json-patch operations', () => {
  assert.deepEqual(duplicateFieldErrors('{"spec": {"unknownDupe": 1, "unknownDupe": 2, "paused": true, "paused": false, "template": {"spec": {"containers": [{"a": 1, "a": 2}]}}}}'), [
    'duplicate field "spec.unknownDupe"',
    'duplicate field "spec.paused"',
    'duplicate field "spec.template.spec.containers[0].a"',
  ]);
  assert.deepEqual(jsonPatchStrictErrors(`[
    {"op": "add", "path": "/spec/unknown1", "value": "val1", "foo": "bar"},
    {"op": "add", "path": "/spec/unknown2", "path": "/spec/unknown3", "value": "val1"},
    {"op": "add", "path": "/spec/x", "value": {"a": 1, "a": 2}}
  ]`), ['json patch unknown field "[0].foo"', 'json patch duplicate field "[1].path"', 'json patch duplicate field "[2].value.a"']);
});

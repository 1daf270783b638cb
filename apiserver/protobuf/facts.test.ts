import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProtoFacts, openApiName, parseProto } from '../../openapi/generate-proto.js';
import { gvkKey, SERVED_KINDS, type Schema } from '../../openapi/facts.js';
import { loadBuiltinSchemas } from '../../openapi/schemas.js';
import { DELETE_OPTIONS_MESSAGE, loadProtoFacts, SCALAR_TYPES, UNKNOWN_MESSAGE } from './facts.js';

const SAMPLE = `
// Licence header
syntax = "proto2";
package k8s.io.example.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
option go_package = "example.com/api/v1";

/* Widget { is a comment, not a message */
message Widget {
  // +optional
  optional string name = 1;
  repeated int32 sizes = 2 [packed=true];
  map<string, Part> parts = 3;
  optional .k8s.io.example.v1.Part main = 4;
  optional Ref ref = 5;
  optional string aPIGroup = 6;
  optional Ref embedded = 7;
}
message Part {
  optional bytes data = 1;
}
message Ref {
  optional string uid = 1;
}
`;

const ENVELOPE = parseProto(`
package k8s.io.apimachinery.pkg.runtime;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; }
`);
const META = parseProto(`
package k8s.io.apimachinery.pkg.apis.meta.v1;
message DeleteOptions { optional int64 gracePeriodSeconds = 1; }
`);

test('parseProto reads messages, labels, maps and options, and skips comments', () => {
  const file = parseProto(SAMPLE);
  assert.equal(file.package, 'k8s.io.example.v1');
  assert.deepEqual([...file.messages.keys()], ['k8s.io.example.v1.Widget', 'k8s.io.example.v1.Part', 'k8s.io.example.v1.Ref']);
  assert.deepEqual(file.messages.get('k8s.io.example.v1.Widget')?.slice(0, 4), [
    { name: 'name', number: 1, type: 'string', repeated: false },
    { name: 'sizes', number: 2, type: 'int32', repeated: true },
    { name: 'parts', number: 3, type: 'Part', repeated: false, key: 'string' },
    { name: 'main', number: 4, type: '.k8s.io.example.v1.Part', repeated: false },
  ]);
});

test('parseProto refuses what it does not model', () => {
  assert.throws(() => parseProto('package a; message A { message B {} }'), /unsupported "message" in message A/);
  assert.throws(() => parseProto('package a; enum E { X = 0; }'), /unsupported top-level "enum"/);
  assert.throws(() => parseProto('package a; message A { optional string x = 0; }'), /bad field number/);
});

test('buildProtoFacts resolves types, maps kinds through OpenAPI and names JSON fields as Go does', () => {
  const widget: Schema = {
    'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
    properties: { name: {}, sizes: {}, parts: {}, main: {}, ref: {}, apiGroup: {}, uid: {}, extra: {} },
  };
  const problems: string[] = [];
  const facts = buildProtoFacts([parseProto(SAMPLE), ENVELOPE, META], { 'io.k8s.example.v1.Widget': widget }, problems);
  assert.deepEqual(facts.kinds, { 'example.com/v1': { Widget: 'k8s.io.example.v1.Widget' } });
  assert.deepEqual(facts.messages['k8s.io.example.v1.Widget'].fields, {
    1: { name: 'name', type: 'string' },
    2: { name: 'sizes', type: 'int32', repeated: true },
    3: { name: 'parts', type: 'k8s.io.example.v1.Part', key: 'string' },
    4: { name: 'main', type: 'k8s.io.example.v1.Part' },
    5: { name: 'ref', type: 'k8s.io.example.v1.Ref' },
    6: { name: 'aPIGroup', type: 'string', json: 'apiGroup' },
    7: { name: 'embedded', type: 'k8s.io.example.v1.Ref', inline: true },
  });
  assert.ok(facts.messages[UNKNOWN_MESSAGE] && facts.messages[DELETE_OPTIONS_MESSAGE]);
  assert.deepEqual(problems, ['k8s.io.example.v1.Widget: OpenAPI property extra has no proto field']);
  assert.throws(() => buildProtoFacts([parseProto('package k8s.io.x; message A { optional Missing m = 1; }'), ENVELOPE, META],
    { 'io.k8s.x.A': { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'A' }] } }), /unresolved type "Missing"/);
});

const facts = loadProtoFacts();
const schemas = loadBuiltinSchemas().schemas;

test('the committed facts cover every served kind and every type they reference', () => {
  for (const gvk of SERVED_KINDS) {
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    assert.ok(facts.kinds[apiVersion]?.[gvk.kind], `no message for ${gvkKey(gvk)}`);
  }
  for (const [name, message] of Object.entries(facts.messages))
    for (const f of Object.values(message.fields))
      for (const type of [f.type, f.key ?? 'string'])
        assert.ok(SCALAR_TYPES.has(type) || facts.messages[type], `${name}.${f.name} references ${type}`);
});

test('the committed JSON names are OpenAPI properties of their definitions', () => {
  // Fields the .proto files and the OpenAPI document disagree on because they come from different releases.
  const releaseSkew = new Set(['k8s.io.api.core.v1.PodSpec.workloadRef']);
  for (const [name, message] of Object.entries(facts.messages)) {
    const props = schemas[openApiName(name)]?.properties as Record<string, Schema> | undefined;
    if (!props) continue;
    for (const f of Object.values(message.fields)) {
      const keys = f.inline ? Object.values(facts.messages[f.type].fields).map((g) => g.json ?? g.name) : [f.json ?? f.name];
      for (const key of keys)
        assert.ok(key in props || releaseSkew.has(`${name}.${f.name}`), `${name}.${f.name} → ${key} is not in ${openApiName(name)}`);
    }
  }
});

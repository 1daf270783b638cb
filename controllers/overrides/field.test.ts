import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldOverrider } from '../../openapi/karmada/types.js';
import { applyFieldOverrider } from './field.js';
import type { Obj } from './jsonpatch.js';

const configMap = (data: Record<string, string>): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });

test('fieldOverrider patches a JSON or YAML document held in a string field', () => {
  const yamlDoc = 'server:\n  port: 80\n  hosts: [a, b]\nenabled: on\n';
  const cases: [string, Obj, FieldOverrider, Obj][] = [
    [
      'JSON: replace, add, remove',
      configMap({ 'cfg.json': '{"b":1,"a":{"x":true},"l":[1]}' }),
      {
        fieldPath: '/data/cfg.json',
        json: [
          { operator: 'replace', subPath: '/b', value: 2 },
          { operator: 'add', subPath: '/l/-', value: 2 },
          { operator: 'remove', subPath: '/a/x' },
        ],
      },
      configMap({ 'cfg.json': '{"b":2,"a":{},"l":[1,2]}' }),
    ],
    [
      'YAML: patched and written back with sorted keys, YAML 1.1 booleans read as booleans',
      configMap({ 'cfg.yaml': yamlDoc }),
      {
        fieldPath: '/data/cfg.yaml',
        yaml: [
          { operator: 'replace', subPath: '/server/port', value: 8080 },
          { operator: 'add', subPath: '/server/hosts/-', value: 'c' },
        ],
      },
      configMap({ 'cfg.yaml': 'enabled: true\nserver:\n  hosts:\n  - a\n  - b\n  - c\n  port: 8080\n' }),
    ],
    [
      'a key with "/" in the field path is escaped as ~1',
      { metadata: { annotations: { 'example.io/config': '{"a":1}' } } },
      { fieldPath: '/metadata/annotations/example.io~1config', json: [{ operator: 'replace', subPath: '/a', value: 2 }] },
      { metadata: { annotations: { 'example.io/config': '{"a":2}' } } },
    ],
    ['no operations: the field is left as it is', configMap({ k: 'v' }), { fieldPath: '/data/k' }, configMap({ k: 'v' })],
  ];
  for (const [name, obj, o, want] of cases) {
    const before = structuredClone(obj);
    assert.deepEqual(applyFieldOverrider(obj, o), want, name);
    assert.deepEqual(obj, before, `${name}: the input is left alone`);
  }
});

test('fieldOverrider fails on a missing or non-string field, bad content and impossible operations', () => {
  const cm = configMap({ 'cfg.json': '{"a":1}', bad: '{' });
  const cases: [FieldOverrider, RegExp][] = [
    [{ fieldPath: '/data/missing', json: [{ operator: 'remove', subPath: '/a' }] }, /is not string/],
    [{ fieldPath: '/metadata', json: [{ operator: 'remove', subPath: '/a' }] }, /is not string/],
    [{ fieldPath: 'data', json: [{ operator: 'remove', subPath: '/a' }] }, /must be empty or start with/],
    [{ fieldPath: '/data/bad', json: [{ operator: 'remove', subPath: '/a' }] }, /is not JSON/],
    [{ fieldPath: '/data/cfg.json', json: [{ operator: 'replace', subPath: '/nope', value: 1 }] }, /replace "\/nope"/],
    [{ fieldPath: '/data/cfg.json', json: [{ operator: 'add', subPath: '/x/y', value: 1 }] }, /add "\/x\/y"/],
  ];
  for (const [o, want] of cases) assert.throws(() => applyFieldOverrider(cm, o), want, JSON.stringify(o));
});

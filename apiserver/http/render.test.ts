import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectResult } from '../handlers/scope.js';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import { encodeResult } from './render.js';

const CONFIGMAPS = BUILTIN_RESOURCES.find((r) => r.kind === 'ConfigMap')!;

test('a list is sent as JSON.stringify writes it, with its items spliced in as stored', () => {
  const head = { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'x' } };
  for (const items of [[], [{ data: { a: 'é€' } }], [{ metadata: { name: 'a' } }, {}, { data: { '"': '\n' } }]]) {
    const result: ObjectResult = { code: 200, object: head, list: { items: items.map((i) => Buffer.from(JSON.stringify(i))), metadata: head.metadata } };
    const { body } = encodeResult(result, { kind: 'object', format: 'json' }, CONFIGMAPS, {});
    assert.equal(body.toString(), JSON.stringify({ ...head, items }));
  }
});

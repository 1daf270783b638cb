import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SchemaRegistry } from '../../openapi/schemas.js';
import { LevelStore } from '../../storage/leveldb.js';
import type { KObject } from '../../storage/store.js';
import { startAPIRuntime } from '../apiserver.js';
import { patchScale } from './scale.js';
import type { RequestScope } from './scope.js';
import { createObject, mergePatch, patchObject } from './write.js';

// RFC 7386 Appendix A, as JSON text so that nulls and arrays are exactly as printed there.
const RFC7386_APPENDIX_A: [string, string, string][] = [
  ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
  ['{"a":"b"}', '{"a":null}', '{}'],
  ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
  ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
  ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
  ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
  ['["a","b"]', '["c","d"]', '["c","d"]'],
  ['{"a":"b"}', '["c"]', '["c"]'],
  ['{"a":"foo"}', 'null', 'null'],
  ['{"a":"foo"}', '"bar"', '"bar"'],
  ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
  ['[1,2]', '{"a":"b","c":null}', '{"a":"b"}'],
  ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
];

test('mergePatch passes the RFC 7386 Appendix A test vectors', () => {
  for (const [target, patch, want] of RFC7386_APPENDIX_A) {
    const got = mergePatch(JSON.parse(target), JSON.parse(patch));
    assert.deepEqual(got, JSON.parse(want), `${target} + ${patch}`);
    assert.equal(JSON.stringify(got), want, `${target} + ${patch} (key order)`);
  }
});

test('mergePatch on Kubernetes-shaped objects', () => {
  const cases: [unknown, unknown, unknown][] = [
    // kubectl patch --type merge -p '{"spec":{"replicas":3}}'
    [{ spec: { replicas: 1, paused: true }, status: {} }, { spec: { replicas: 3 } }, { spec: { replicas: 3, paused: true }, status: {} }],
    // Removing a label and adding another.
    [{ metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { a: null, c: '3' } } }, { metadata: { labels: { b: '2', c: '3' } } }],
    // Lists are replaced wholesale, including lists of objects.
    [{ spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } }, { spec: { containers: [{ name: 'a', image: 'y' }] } }, { spec: { containers: [{ name: 'a', image: 'y' }] } }],
    // Nulls inside a replacing list are kept as values.
    [{ a: [1] }, { a: [null, 2] }, { a: [null, 2] }],
    // Deleting something absent is a no-op; an empty patch changes nothing.
    [{ a: 1 }, { b: null }, { a: 1 }],
    [{ a: { b: 1 } }, {}, { a: { b: 1 } }],
    // A patch object replaces a scalar with the patch minus its nulls.
    [{ a: 'scalar' }, { a: { b: 1, c: null } }, { a: { b: 1 } }],
    [{ a: { b: 1 } }, { a: { b: {} } }, { a: { b: {} } }],
    [{ a: { b: 1 } }, { a: 0 }, { a: 0 }],
    [{ a: { b: 1 } }, { a: false }, { a: false }],
    [{ a: { b: 1 } }, { a: '' }, { a: '' }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatch(target, patch), want, `${JSON.stringify(target)} + ${JSON.stringify(patch)}`);
});

test('mergePatch does not modify its inputs', () => {
  const target = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2], nested: { x: 1 } } };
  const patch = { metadata: { labels: { a: null, b: '2' } }, spec: { nested: { y: 2 } } };
  const targetCopy = structuredClone(target);
  const patchCopy = structuredClone(patch);
  const out = mergePatch(target, patch) as typeof target & { spec: { nested: { y: number } } };
  assert.deepEqual(target, targetCopy);
  assert.deepEqual(patch, patchCopy);
  assert.deepEqual(out, { metadata: { labels: { b: '2' } }, spec: { list: [1, 2], nested: { x: 1, y: 2 } } });
  assert.notEqual(out.spec.nested, target.spec.nested);
});

test('mergePatch keeps a "__proto__" member as data', () => {
  // ConfigMap data keys may be "__proto__" (they match [-._a-zA-Z0-9]+).
  const out = mergePatch({ data: { a: '1' } }, JSON.parse('{"data":{"__proto__":"v"}}'));
  assert.equal(JSON.stringify(out), '{"data":{"a":"1","__proto__":"v"}}');
  const nested = mergePatch({}, JSON.parse('{"spec":{"__proto__":{"x":1}}}'));
  assert.equal(JSON.stringify(nested), '{"spec":{"__proto__":{"x":1}}}');
  assert.equal(Object.prototype.hasOwnProperty.call((nested as { spec: object }).spec, 'x'), false);
});

/** The handlers over a throwaway store; scope() builds a request as the HTTP layer would scope it. */
async function withAPI(fn: (scope: (plural: string, group: string, req: Partial<RequestScope>) => RequestScope) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-write-'));
  const store = await LevelStore.open(dir);
  const runtime = await startAPIRuntime(store, new SchemaRegistry(), pino({ level: 'silent' }));
  try {
    await fn((plural, group, req) => {
      const rt = runtime.registry.lookup(group, 'v1', plural)!;
      return { server: runtime.instance.context, rt, store: runtime.registry.storeFor(rt), namespace: 'default', query: {}, warnings: [], contentType: 'application/json', ...req };
    });
  } finally {
    runtime.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The managers whose managedFields entry holds the field at path (FieldsV1 keys). */
const owners = (obj: KObject, path: string[]): string[] =>
  (obj.metadata?.managedFields ?? []).filter((e: any) => path.reduce((f, k) => f?.[k], e.fieldsV1) !== undefined).map((e: any) => e.manager);

const body = (v: unknown) => Buffer.from(JSON.stringify(v));

test('a JSON patch and a scale write take ownership of the fields they change', async () => {
  await withAPI(async (scope) => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: '1' } };
    await createObject(scope('configmaps', '', { query: { fieldManager: 'creator' }, body: body(cm) }));
    const patch = [{ op: 'replace', path: '/data/x', value: '2' }];
    const patched = await patchObject(scope('configmaps', '', { name: 'c', query: { fieldManager: 'patcher' }, body: body(patch), contentType: 'application/json-patch+json' }));
    assert.equal(patched.object.data.x, '2');
    assert.deepEqual(owners(patched.object, ['f:data', 'f:x']), ['patcher']);

    const template = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template } };
    await createObject(scope('deployments', 'apps', { query: { fieldManager: 'creator' }, body: body(deploy) }));
    const scale = { spec: { replicas: 3 } };
    await patchScale(scope('deployments', 'apps', { name: 'd', subresource: 'scale', query: { fieldManager: 'scaler' }, body: body(scale), contentType: 'application/merge-patch+json' }));
    const stored = await scope('deployments', 'apps', {}).store.get('default', 'd');
    assert.equal(stored.spec.replicas, 3);
    assert.deepEqual(owners(stored, ['f:spec', 'f:replicas']), ['scaler']);
  });
});

test('a merge or strategic merge patch is checked for unknown and mistyped fields where it wrote, and only there', async () => {
  await withAPI(async (scope) => {
    const template = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template } };
    await createObject(scope('deployments', 'apps', { body: body(deploy) }));
    const strict = (patch: unknown, contentType: string) =>
      patchObject(scope('deployments', 'apps', { name: 'd', query: { fieldValidation: 'Strict' }, body: body(patch), contentType }));
    const merge = 'application/merge-patch+json';
    const smp = 'application/strategic-merge-patch+json';

    // Deep in what the patch wrote, with kube's paths.
    await assert.rejects(strict({ spec: { template: { spec: { containers: [{ name: 'c', image: 'i', imagePullPolicyy: 'Always' }] } } } }, merge), (err: any) => {
      assert.equal(err.code, 400);
      assert.equal(err.message, 'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
      return true;
    });
    await assert.rejects(strict({ spec: { template: { spec: { containers: [{ name: 'c', imagePullPolicyy: 'Always' }] } } } }, smp), (err: any) => {
      assert.equal(err.message, 'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
      return true;
    });
    await assert.rejects(strict({ spec: { replicas: 'three' } }, merge), (err: any) => {
      assert.equal(err.code, 422);
      assert.match(JSON.stringify(err.details ?? err.message), /cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32/);
      return true;
    });

    // A field the stored object carries that the schema does not know (kube's decoder drops such a field as it reads
    // the object) fails no patch that leaves it alone.
    await scope('deployments', 'apps', {}).store.guaranteedUpdate('default', 'd', (cur) => {
      cur.spec.legacyField = true;
      return cur;
    });
    const patched = await strict({ metadata: { annotations: { a: 'b' } } }, merge);
    assert.equal(patched.object.metadata?.annotations?.a, 'b');
    await strict({ spec: { template: { spec: { containers: [{ name: 'c', image: 'j' }] } } } }, smp);
  });
});

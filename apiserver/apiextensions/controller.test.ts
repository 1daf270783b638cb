// The CRD controller against a real store and registry, driven through ResourceStore calls as the handlers make them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SchemaRegistry } from '../../openapi/schemas.js';
import { LevelStore } from '../../storage/leveldb.js';
import type { KObject } from '../../storage/store.js';
import { APIError } from '../errors.js';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import { Registry } from '../registry/registry.js';
import { CRDController } from './controller.js';

const CRD = (name: string, plural: string, kind: string, shortNames: string[] = []): KObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural, kind, shortNames },
    versions: [{
      name: 'v1',
      served: true,
      storage: true,
      subresources: { status: {} },
      additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size' }],
      schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [{ rule: 'self.replicas <= 10', message: 'replicas must be at most 10' }],
          properties: { size: { type: 'string', enum: ['s', 'm'], default: 'm' }, replicas: { type: 'integer', default: 1 } },
        },
        status: { type: 'object', properties: { ready: { type: 'boolean' } } },
      } } },
    }],
  },
});

const widget = (name: string, spec: object, extra: object = {}): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, ...extra }, spec });

async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rejects(p: Promise<unknown>, code: number): Promise<APIError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof APIError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  throw new Error('expected a rejection');
}

test('CRDs are served, validated and cleaned up', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-crd-'));
  const store = await LevelStore.open(dir);
  const registry = new Registry(store);
  registry.add(...BUILTIN_RESOURCES);
  const schemas = new SchemaRegistry();
  const logger = pino({ level: 'silent' });
  let controller = new CRDController(registry, schemas, store, logger);
  t.after(async () => {
    controller.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  await controller.start();
  const crds = registry.storeFor(registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!);
  const widgets = () => registry.lookup('example.com', 'v1', 'widgets');

  await t.test('a new CRD is served within a second, with its status set', async () => {
    await crds.create(undefined, CRD('widgets.example.com', 'widgets', 'Widget', ['wd']));
    const rt = await eventually('the widgets resource', widgets);
    assert.equal(rt.kind, 'Widget');
    assert.deepEqual(rt.columns!.map((c) => c.name), ['Name', 'Size']);
    const crd = await eventually('Established', async () => {
      const c = await crds.get(undefined, 'widgets.example.com');
      return c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True') ? c : undefined;
    });
    assert.deepEqual(crd.status.acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList' });
    assert.deepEqual(crd.status.conditions.map((c: any) => [c.type, c.status, c.reason]), [['NamesAccepted', 'True', 'NoConflicts'], ['Established', 'True', 'InitialNamesAccepted']]);
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.deepEqual(crd.metadata!.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    const doc = schemas.openApiV3Document('apis/example.com/v1', registry.all()) as any;
    assert.ok(doc.components.schemas['com.example.v1.Widget']);
    assert.ok(doc.components.schemas['com.example.v1.WidgetList']);
  });

  await t.test('custom resources are defaulted, pruned and validated', async () => {
    const store = registry.storeFor(widgets()!);
    const created = await store.create('default', widget('w1', { replicas: 2, unknown: true }));
    assert.deepEqual(created.spec, { replicas: 2, size: 'm' });
    assert.equal(created.metadata!.generation, 1);

    const bad = await rejects(store.create('default', widget('w2', { size: 'xl', replicas: 'two' })), 422);
    assert.equal(bad.message, 'Widget.example.com "w2" is invalid: [spec.size: Unsupported value: "xl": supported values: "s", "m", spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]');
    assert.deepEqual(bad.details!.causes!.map((c) => c.field), ['spec.size', 'spec.replicas', '<nil>']);

    const cel = await rejects(store.create('default', widget('w3', { replicas: 20 })), 422);
    assert.equal(cel.message, 'Widget.example.com "w3" is invalid: spec: Invalid value: "object": replicas must be at most 10');
  });

  await t.test('a CRD whose names are taken is not served until they are free', async () => {
    await crds.create(undefined, CRD('widgets2.example.com', 'widgets', 'Gizmo'));
    const crd = await eventually('NamesAccepted False', async () => {
      const c = await crds.get(undefined, 'widgets2.example.com');
      return c.status?.conditions?.find((x: any) => x.type === 'NamesAccepted' && x.status === 'False') ? c : undefined;
    });
    const accepted = crd.status.conditions.find((c: any) => c.type === 'NamesAccepted');
    assert.deepEqual([accepted.reason, accepted.message], ['PluralConflict', '"widgets" is already in use']);
    assert.equal(registry.all().filter((rt) => rt.kind === 'Gizmo').length, 0);
  });

  await t.test('after a restart the existing CRDs are served once start() resolves', async () => {
    controller.stop();
    registry.remove('example.com', 'v1', 'widgets');
    controller = new CRDController(registry, schemas, store, logger);
    await controller.start();
    assert.ok(widgets());
    assert.equal((await registry.storeFor(widgets()!).get('default', 'w1')).spec.size, 'm');
  });

  await t.test('deleting the CRD deletes its custom resources, then the CRD and its resource go', async () => {
    const store = registry.storeFor(widgets()!);
    await store.create('other', widget('held', {}, { finalizers: ['example.com/hold'] }));
    await crds.delete(undefined, 'widgets.example.com');
    await eventually('Terminating', async () => {
      const c = await crds.get(undefined, 'widgets.example.com');
      return c.status?.conditions?.some((x: any) => x.type === 'Terminating' && x.reason === 'InstanceDeletionInProgress');
    });
    await eventually('w1 deleted', async () => (await store.list(undefined, {})).items.every((o) => o.metadata!.name !== 'w1'));
    const refused = await rejects(store.create('default', widget('late', {})), 405);
    assert.equal(refused.message, 'create not allowed while custom resource definition is terminating');
    assert.ok(widgets(), 'still served while a custom resource waits for its finalizer');

    // What is still registered at the moment the waiting CRD is granted the names the deleted one held.
    let atHandOver: { widgetSchema: boolean; widgetKind: boolean } | undefined;
    const add = registry.add.bind(registry);
    registry.add = (...rts) => {
      if (rts.some((rt) => rt.kind === 'Gizmo'))
        atHandOver ??= { widgetSchema: schemas.has('com.example.v1.Widget'), widgetKind: registry.all().some((rt) => rt.kind === 'Widget') };
      add(...rts);
    };
    t.after(() => { registry.add = add; });
    await store.guaranteedUpdate('other', 'held', (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [] } }));
    await eventually('the CRD gone', async () => crds.get(undefined, 'widgets.example.com').then(() => undefined, (err) => err instanceof APIError && err.code === 404), 3000);
    await eventually('the Widget resource unregistered', () => !registry.all().some((rt) => rt.kind === 'Widget'));
    assert.equal((await crds.list(undefined, {})).items.length, 1);
    assert.equal(schemas.has('com.example.v1.Widget'), false);
    await eventually('gizmos served', () => atHandOver);
    assert.deepEqual(atHandOver, { widgetSchema: false, widgetKind: false }, 'the deleted CRD is withdrawn before its names are granted again');
  });

  await t.test('the names freed go to the CRD that wanted them', async () => {
    const rt = await eventually('gizmos served as widgets', () => registry.all().find((r) => r.kind === 'Gizmo'));
    assert.equal(rt.plural, 'widgets');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry } from '../../openapi/schemas.js';
import type { KObject } from '../../storage/store.js';
import { APIError } from '../errors.js';
import { FieldManager } from './index.js';
import type { ManagedFieldsEntry } from './managed.js';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const registry = new SchemaRegistry();

/** A field manager with its own clock, which each write moves one second on. */
function fieldManager(options: { hasStatusSubresource?: (name: string) => boolean } = {}) {
  let clock = Date.parse('2024-05-01T10:00:00Z');
  const fm = new FieldManager(registry, { ...options, now: () => new Date((clock += 1000)) });
  return fm;
}

/** What storage adds on create, so later writes see a persisted object. */
function stored(obj: KObject): KObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '7', creationTimestamp: '2024-05-01T09:00:00Z' } };
}

const entries = (obj: KObject): ManagedFieldsEntry[] => obj.metadata?.managedFields ?? [];

function fieldsOf(obj: KObject, manager: string): unknown {
  const matching = entries(obj).filter((e) => e.manager === manager);
  assert.equal(matching.length, 1, `one entry for ${manager}: ${JSON.stringify(entries(obj))}`);
  return matching[0].fieldsV1;
}

function deployment(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...metadata }, spec };
}

const podSpec = (spec: Record<string, unknown>) => ({ template: { spec } });

function conflictOf(fn: () => unknown): APIError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof APIError, String(err));
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    return err;
  }
  assert.fail('expected a conflict');
}

test('kubectl create: FieldsV1 as kube records it (value structs of the zero object get no ".")', () => {
  // The Deployment `kubectl create deployment nginx --image=nginx` stores, after defaulting.
  const created = deployment({
    replicas: 1,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { creationTimestamp: null, labels: { app: 'nginx' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx', resources: {}, terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File', imagePullPolicy: 'Always' }],
        restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {},
        schedulerName: 'default-scheduler',
      },
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  }, { name: 'nginx', labels: { app: 'nginx' }, creationTimestamp: null });
  created.status = {};
  const out = new FieldManager(registry, { now: () => new Date('2024-05-01T10:00:00.123Z') })
    .update(undefined, created, 'kubectl-create', DEPLOYMENT);
  const expected = [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:progressDeadlineSeconds': {}, 'f:replicas': {}, 'f:revisionHistoryLimit': {}, 'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:resources': {},
                'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {} },
            },
            'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
          },
        },
      },
    },
  }];
  // Compared as JSON text, so the order of entries' fields and of FieldsV1 keys is checked too.
  assert.equal(JSON.stringify(out.metadata!.managedFields), JSON.stringify(expected));
  assert.equal(out.spec, created.spec, 'the object itself is passed through');
});

test('apply creates an object from its configuration, owning exactly what it names', () => {
  const fm = fieldManager();
  const config = deployment({
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
  }, { labels: { app: 'web' } });
  const out = fm.apply(undefined, config, 'alice', false, DEPLOYMENT);
  const { managedFields, ...metadata } = out.metadata!;
  assert.deepEqual({ ...out, metadata }, config);
  assert.equal(JSON.stringify(managedFields), JSON.stringify([{
    manager: 'alice', operation: 'Apply', apiVersion: 'apps/v1', time: '2024-05-01T10:00:01Z', fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {}, 'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    },
  }]));
});

test('two appliers: a changed field conflicts with its owner until forced, which moves ownership', () => {
  const fm = fieldManager();
  const live = stored(fm.apply(undefined, deployment({ replicas: 2, paused: false }), 'alice', false, DEPLOYMENT));
  const err = conflictOf(() => fm.apply(live, deployment({ replicas: 3 }), 'bob', false, DEPLOYMENT));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(err.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }] });

  const two = conflictOf(() => fm.apply(live, deployment({ replicas: 3, paused: true }), 'bob', false, DEPLOYMENT));
  assert.equal(two.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.paused\n- .spec.replicas');
  assert.equal(two.details!.causes!.length, 2);

  const forced = fm.apply(live, deployment({ replicas: 3 }), 'bob', true, DEPLOYMENT);
  assert.equal(forced.spec!.replicas, 3);
  assert.deepEqual(fieldsOf(forced, 'alice'), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(fieldsOf(forced, 'bob'), { 'f:spec': { 'f:replicas': {} } });
});

test('applying the value another manager set shares the field without conflict', () => {
  const fm = fieldManager();
  const live = stored(fm.apply(undefined, deployment({ replicas: 2 }), 'alice', false, DEPLOYMENT));
  const out = fm.apply(live, deployment({ replicas: 2 }), 'bob', false, DEPLOYMENT);
  assert.deepEqual(fieldsOf(out, 'alice'), { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(fieldsOf(out, 'bob'), { 'f:spec': { 'f:replicas': {} } });
  // Shared fields stay when one owner stops applying them.
  const dropped = fm.apply(stored(out), deployment({ paused: true }), 'alice', false, DEPLOYMENT);
  assert.equal(dropped.spec!.replicas, 2);
  assert.deepEqual(fieldsOf(dropped, 'alice'), { 'f:spec': { 'f:paused': {} } });
});

test('fields an applier drops from its configuration are removed unless someone else owns them', () => {
  const fm = fieldManager();
  let live = stored(fm.apply(undefined, deployment({ replicas: 1 }, { labels: { app: 'web', tier: 'front', team: 'a' } }), 'alice', false, DEPLOYMENT));
  live = stored(fm.apply(live, deployment({}, { labels: { team: 'a' } }), 'bob', false, DEPLOYMENT));
  const out = fm.apply(live, deployment({ replicas: 1 }, { labels: { app: 'web' } }), 'alice', false, DEPLOYMENT);
  assert.deepEqual(out.metadata!.labels, { app: 'web', team: 'a' });
  assert.deepEqual(fieldsOf(out, 'alice'), { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } });
  // Dropping everything under a struct field removes the field itself.
  const bare = fm.apply(stored(out), deployment({ replicas: 1 }), 'alice', false, DEPLOYMENT);
  assert.deepEqual(bare.metadata!.labels, { team: 'a' });
  const none = fm.apply(stored(fm.apply(undefined, deployment({ replicas: 1 }, { labels: { x: 'y' } }), 'solo', false, DEPLOYMENT)),
    deployment({ replicas: 1 }), 'solo', false, DEPLOYMENT);
  assert.equal(none.metadata!.labels, undefined);
});

test('updates take fields from appliers without conflict; the applier then conflicts with the updater', () => {
  const fm = fieldManager();
  const live = stored(fm.apply(undefined, deployment({ replicas: 2, paused: false }, { labels: { app: 'web' } }), 'alice', false, DEPLOYMENT));
  const scaled = structuredClone(live);
  scaled.spec!.replicas = 5;
  delete scaled.metadata!.labels;
  const updated = stored(fm.update(live, scaled, 'kubectl-scale', DEPLOYMENT));
  // The updater owns what it changed; a removed field is nobody's.
  assert.deepEqual(fieldsOf(updated, 'kubectl-scale'), { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(fieldsOf(updated, 'alice'), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(entries(updated).map((e) => [e.manager, e.operation]), [['alice', 'Apply'], ['kubectl-scale', 'Update']]);

  const err = conflictOf(() => fm.apply(updated, deployment({ replicas: 2, paused: false }), 'alice', false, DEPLOYMENT));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  // Applying without the field leaves the updater's value alone.
  const out = fm.apply(updated, deployment({ paused: false }), 'alice', false, DEPLOYMENT);
  assert.equal(out.spec!.replicas, 5);

  // A second update by the same manager merges into its entry; one that changes nothing leaves it as it was.
  const again = structuredClone(updated);
  again.spec!.minReadySeconds = 3;
  const merged = fm.update(updated, again, 'kubectl-scale', DEPLOYMENT);
  assert.deepEqual(fieldsOf(merged, 'kubectl-scale'), { 'f:spec': { 'f:minReadySeconds': {}, 'f:replicas': {} } });
  const unchanged = fm.update(updated, structuredClone(updated), 'kubectl-scale', DEPLOYMENT);
  assert.deepEqual(unchanged.metadata!.managedFields, updated.metadata!.managedFields);
});

test('status is owned through the status subresource, never through the main resource', () => {
  const fm = fieldManager();
  const created = fm.apply(undefined, { ...deployment({ replicas: 1 }), status: { replicas: 9 } }, 'alice', false, DEPLOYMENT);
  assert.deepEqual(fieldsOf(created, 'alice'), { 'f:spec': { 'f:replicas': {} } });
  const live = stored({ ...created, status: {} });

  const reported = structuredClone(live);
  reported.status = { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
  reported.metadata!.managedFields = [];
  const withStatus = stored(fm.update(live, reported, 'kube-controller-manager', DEPLOYMENT, 'status'));
  const entry = entries(withStatus).find((e) => e.manager === 'kube-controller-manager')!;
  assert.equal(entry.subresource, 'status');
  assert.deepEqual(Object.keys(entry), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
  assert.deepEqual(entry.fieldsV1, {
    'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} },
  });
  assert.ok(entries(withStatus).some((e) => e.manager === 'alice'), 'a subresource ignores the managedFields it is sent');

  // Changing status through the main resource is not ownership.
  const edited = structuredClone(withStatus);
  edited.status!.replicas = 4;
  assert.deepEqual(entries(fm.update(withStatus, edited, 'kubectl-edit', DEPLOYMENT)).map((e) => e.manager), ['alice', 'kube-controller-manager']);

  // Through the status subresource spec is not ownership (nor a conflict with its owner).
  const viaStatus = fm.apply(withStatus, { ...deployment({ replicas: 9 }), status: { replicas: 1 } }, 'other', false, DEPLOYMENT, 'status');
  const other = entries(viaStatus).find((e) => e.manager === 'other')!;
  assert.deepEqual([other.operation, other.subresource, other.fieldsV1], ['Apply', 'status', { 'f:status': { 'f:replicas': {} } }]);
  const err = conflictOf(() => fm.apply(withStatus, { ...deployment({}), status: { replicas: 3 } }, 'other', false, DEPLOYMENT, 'status'));
  assert.equal(err.message,
    'Apply failed with 1 conflict: conflict with "kube-controller-manager" with subresource "status" using apps/v1: .status.replicas');
});

test('containers merge by name: each applier keeps its own, and a dropped one goes', () => {
  const fm = fieldManager();
  let live = stored(fm.apply(undefined, deployment(podSpec({ containers: [{ name: 'web', image: 'nginx:1' }] })), 'alice', false, DEPLOYMENT));
  live = stored(fm.apply(live, deployment(podSpec({ containers: [{ name: 'proxy', image: 'envoy' }] })), 'bob', false, DEPLOYMENT));
  assert.deepEqual(live.spec!.template.spec.containers, [{ name: 'web', image: 'nginx:1' }, { name: 'proxy', image: 'envoy' }]);
  assert.deepEqual(fieldsOf(live, 'bob'), {
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"proxy"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
  });
  live = stored(fm.apply(live, deployment(podSpec({ containers: [{ name: 'web', image: 'nginx:2' }] })), 'alice', false, DEPLOYMENT));
  assert.deepEqual(live.spec!.template.spec.containers, [{ name: 'web', image: 'nginx:2' }, { name: 'proxy', image: 'envoy' }]);
  const out = fm.apply(live, deployment(podSpec({ containers: [{ name: 'api', image: 'api:1' }] })), 'alice', false, DEPLOYMENT);
  assert.deepEqual(out.spec!.template.spec.containers, [{ name: 'proxy', image: 'envoy' }, { name: 'api', image: 'api:1' }]);
  // A port item that leaves out its protocol key is keyed by the schema default.
  const ports = fm.apply(undefined, deployment(podSpec({ containers: [{ name: 'web', ports: [{ containerPort: 80 }] }] })), 'carol', false, DEPLOYMENT);
  const container = (fieldsOf(ports, 'carol') as any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}'];
  assert.deepEqual(container['f:ports'], { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } });
});

test('finalizers are a set: items are owned by value and merged', () => {
  const fm = fieldManager();
  let live = stored(fm.apply(undefined, deployment({}, { finalizers: ['a.io/x'] }), 'alice', false, DEPLOYMENT));
  live = stored(fm.apply(live, deployment({}, { finalizers: ['b.io/y'] }), 'bob', false, DEPLOYMENT));
  assert.deepEqual(live.metadata!.finalizers, ['a.io/x', 'b.io/y']);
  assert.deepEqual(fieldsOf(live, 'alice'), { 'f:metadata': { 'f:finalizers': { 'v:"a.io/x"': {} } } });
  const out = fm.apply(live, deployment({}, { finalizers: [] }), 'alice', false, DEPLOYMENT);
  assert.deepEqual(out.metadata!.finalizers, ['b.io/y']);
  assert.ok(!entries(out).some((e) => e.manager === 'alice'), 'an entry left empty is dropped');
});

test('tolerations are atomic: owned and replaced as a whole', () => {
  const fm = fieldManager();
  const live = stored(fm.apply(undefined, deployment(podSpec({ tolerations: [{ key: 'a', operator: 'Exists' }] })), 'alice', false, DEPLOYMENT));
  assert.deepEqual(fieldsOf(live, 'alice'), { 'f:spec': { 'f:template': { 'f:spec': { 'f:tolerations': {} } } } });
  const bobs = deployment(podSpec({ tolerations: [{ key: 'b', operator: 'Exists' }] }));
  const err = conflictOf(() => fm.apply(live, bobs, 'bob', false, DEPLOYMENT));
  assert.equal(err.details!.causes![0].field, '.spec.template.spec.tolerations');
  const out = fm.apply(live, bobs, 'bob', true, DEPLOYMENT);
  assert.deepEqual(out.spec!.template.spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
  assert.ok(!entries(out).some((e) => e.manager === 'alice'));
});

test('managedFields a client sends are kept; an empty entry resets them, and the object then stays untracked', () => {
  const fm = fieldManager();
  const live = stored(fm.apply(undefined, deployment({ replicas: 1 }), 'alice', false, DEPLOYMENT));
  const handed = structuredClone(live);
  handed.metadata!.managedFields = [{ manager: 'migrated', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  const kept = fm.update(live, handed, 'kubectl-patch', DEPLOYMENT);
  assert.deepEqual(entries(kept).map((e) => e.manager), ['migrated']);

  const reset = structuredClone(live);
  reset.metadata!.managedFields = [{}];
  const cleared = stored(fm.update(live, reset, 'kubectl-patch', DEPLOYMENT));
  assert.equal(cleared.metadata!.managedFields, undefined);
  const later = structuredClone(cleared);
  later.spec!.replicas = 4;
  assert.equal(fm.update(cleared, later, 'kubectl-edit', DEPLOYMENT).metadata!.managedFields, undefined);

  // Undecodable managedFields fall back to the stored ones.
  const broken = structuredClone(live);
  broken.metadata!.managedFields = [{ manager: 'x', operation: 'Delete', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' }];
  assert.deepEqual(entries(fm.update(live, broken, 'kubectl-patch', DEPLOYMENT)).map((e) => e.manager), ['alice']);

  // The first apply to an untracked object gives what is there to before-first-apply.
  const applied = fm.apply(later, deployment({ paused: true }), 'alice', false, DEPLOYMENT);
  assert.deepEqual(entries(applied).map((e) => [e.manager, e.operation]), [['alice', 'Apply'], ['before-first-apply', 'Update']]);
  assert.deepEqual(fieldsOf(applied, 'before-first-apply'), { 'f:spec': { 'f:replicas': {} } });
});

test('kubectl server-side apply over client-side apply: the annotation allows the takeover and follows the configuration', () => {
  const fm = fieldManager();
  const csaConfig = deployment({ replicas: 2, paused: false });
  const annotated = deployment({ replicas: 2, paused: false }, {
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(csaConfig) + '\n' },
  });
  const live = stored(fm.update(undefined, annotated, 'kubectl-client-side-apply', DEPLOYMENT));
  const next = deployment({ replicas: 3, paused: false }, { labels: { tier: '<front>' } });

  // Another manager gets the conflict.
  conflictOf(() => fm.apply(live, next, 'argocd', false, DEPLOYMENT));
  const out = fm.apply(live, next, 'kubectl', false, DEPLOYMENT);
  assert.equal(out.spec!.replicas, 3);
  // replicas was taken over; paused, applied with the same value, is shared.
  assert.deepEqual(fieldsOf(out, 'kubectl-client-side-apply'), {
    'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
    'f:spec': { 'f:paused': {} },
  });
  assert.deepEqual(fieldsOf(out, 'kubectl'), { 'f:metadata': { 'f:labels': { 'f:tier': {} } }, 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  assert.equal(out.metadata!.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"tier":"\\u003cfront\\u003e"},"name":"web","namespace":"default"},' +
    '"spec":{"paused":false,"replicas":3}}\n');

  // A field changed since the client-side apply is not covered by the annotation.
  const scaled = structuredClone(live);
  scaled.spec!.replicas = 7;
  const drifted = stored(fm.update(live, scaled, 'hpa', DEPLOYMENT));
  const err = conflictOf(() => fm.apply(drifted, next, 'kubectl', false, DEPLOYMENT));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas');
});

test('apply rejects configurations kube cannot type, carrying managedFields, or of another kind', () => {
  const fm = fieldManager();
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof APIError);
      return [err.code, err.message];
    }
    assert.fail('expected an error');
  };
  assert.deepEqual(code(() => fm.apply(undefined, deployment({ replicas: 1, foo: 1 }), 'a', false, DEPLOYMENT)),
    [500, 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema']);
  assert.deepEqual(code(() => fm.apply(undefined, deployment({ replicas: 'two' }), 'a', false, DEPLOYMENT)),
    [500, 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string']);
  assert.deepEqual(code(() => fm.apply(undefined, deployment(podSpec({ containers: [{ name: 'a' }, { name: 'a' }] })), 'a', false, DEPLOYMENT))[1],
    'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]');
  assert.deepEqual(code(() => fm.apply(undefined, deployment({}, { managedFields: [] }), 'a', false, DEPLOYMENT)),
    [400, 'metadata.managedFields must be nil']);
  assert.deepEqual(code(() => fm.apply(undefined, { ...deployment({}), kind: 'StatefulSet' }, 'a', false, DEPLOYMENT)),
    [400, 'invalid object type: apps/v1, Kind=StatefulSet']);
});

test('entries: appliers first, then by time; a no-op apply keeps its time; Update entries are capped', () => {
  const fm = fieldManager();
  let live = stored(fm.update(undefined, deployment({ replicas: 1 }), 'creator', DEPLOYMENT));
  live = stored(fm.apply(live, deployment({ paused: true }), 'zed', false, DEPLOYMENT));
  live = stored(fm.apply(live, deployment({ minReadySeconds: 1 }), 'amy', false, DEPLOYMENT));
  assert.deepEqual(entries(live).map((e) => e.manager), ['zed', 'amy', 'creator']);
  const zedTime = entries(live)[0].time;
  live = stored(fm.apply(live, deployment({ paused: true }), 'zed', false, DEPLOYMENT));
  assert.equal(entries(live)[0].time, zedTime);

  for (let i = 1; i <= 11; i++) {
    const next = structuredClone(live);
    next.metadata!.labels = { ...next.metadata!.labels, [`l${i}`]: 'x' };
    live = stored(fm.update(live, next, `ctrl-${i}`, DEPLOYMENT));
  }
  const updaters = entries(live).filter((e) => e.operation === 'Update');
  assert.equal(updaters.length, 10);
  // The oldest went into one bucket per version: creator and ctrl-1 at the 11th entry, ctrl-2 at the 12th.
  const bucket = updaters.find((e) => e.manager === 'ancient-changes')!;
  assert.deepEqual(bucket.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:l1': {}, 'f:l2': {} } }, 'f:spec': { 'f:replicas': {} } });
  // The bucket carries the time of the last update merged into it (ctrl-2's, a second before ctrl-3's).
  assert.equal(Date.parse(bucket.time!), Date.parse(updaters.find((e) => e.manager === 'ctrl-3')!.time!) - 1000);
  assert.deepEqual(updaters.map((e) => e.manager), ['ancient-changes', ...Array.from({ length: 9 }, (_, i) => `ctrl-${i + 3}`)]);
});

test('custom resources: declared fields typed, preserved unknown fields and untyped data deduced', () => {
  const crRegistry = new SchemaRegistry();
  crRegistry.addSchemas({
    'com.example.v1.Widget': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
        spec: { type: 'object', properties: { size: { type: 'integer' }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        status: { type: 'object', properties: { phase: { type: 'string' } } },
      },
    },
  });
  const fm = new FieldManager(crRegistry, { hasStatusSubresource: () => false });
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } },
    spec: { size: 1, extra: { deep: { x: 1 } } }, status: { phase: 'New' } };
  const out = fm.apply(undefined, widget, 'alice', false, 'com.example.v1.Widget');
  assert.deepEqual(fieldsOf(out, 'alice'), {
    'f:metadata': { 'f:labels': { 'f:a': {} } },
    'f:spec': { 'f:extra': { 'f:deep': { '.': {}, 'f:x': {} } }, 'f:size': {} },
    // Without a status subresource, status is ordinary data.
    'f:status': { 'f:phase': {} },
  });
  // A kind without a schema is deduced throughout: on create every map is added whole.
  const cm = fm.update(undefined, { apiVersion: 'v1', kind: 'Thing', metadata: { name: 't' }, data: { k: 'v' } }, 'kubectl-create', undefined);
  assert.deepEqual(fieldsOf(cm, 'kubectl-create'), { 'f:data': { '.': {}, 'f:k': {} } });
});

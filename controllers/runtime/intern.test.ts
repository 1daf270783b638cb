import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringTable, SubtreeTable, internStrings, shareSubtrees } from './intern.js';

test('internStrings keeps every value and enters each distinct short string once', () => {
  const cases: { name: string; value: unknown; distinct: number }[] = [
    { name: 'scalars other than strings are left alone', value: { n: 1, b: true, z: null }, distinct: 0 },
    { name: 'a top-level array', value: ['a', 'b', 'a', 3], distinct: 2 },
    {
      name: 'nested objects and arrays, values repeated across them',
      value: { metadata: { name: 'x', labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'pause' }, { name: 'y', args: ['x', 'pause'] }] } },
      distinct: 3,
    },
    { name: 'keys are not values', value: { app: 'web', web: 'app' }, distinct: 2 },
    { name: 'strings longer than 512 characters are not entered', value: { short: 'a', long: 'x'.repeat(513), edge: 'y'.repeat(512) }, distinct: 2 },
    { name: 'a bare string is returned as it is', value: 'alone', distinct: 0 },
  ];
  for (const c of cases) {
    const table = new StringTable();
    const before = structuredClone(c.value);
    const out = internStrings(c.value, table);
    assert.equal(out, c.value, `${c.name}: the value itself is returned`);
    assert.deepEqual(out, before, `${c.name}: nothing changes`);
    assert.equal(table.size, c.distinct, c.name);
  }
});

test('a table gives back its first copy of a string, and starts again empty when full', () => {
  const table = new StringTable(3);
  for (const s of ['a', 'b', 'a', 'c', 'b']) table.intern(s);
  assert.equal(table.size, 3);
  assert.equal(table.intern('a'), 'a');
  assert.equal(table.size, 3, 'a known string adds nothing, even to a full table');
  table.intern('d');
  assert.equal(table.size, 1, 'a new string once the table is full replaces the table');
  assert.equal(table.intern('d'), 'd');
  assert.equal(table.size, 1);
});

test('shareSubtrees gives equal subtrees one frozen copy: finalizers, spec, conditions and aggregated statuses, and of a Work its manifests\' specs and reflected statuses', () => {
  const condition = (second: number) => [{ type: 'Available', status: 'True', lastTransitionTime: `2026-11-23T05:00:0${second}Z` }];
  const deployment = (name: string, image: string, second = 0) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image }] } } },
    status: { replicas: 2, conditions: condition(second) },
  });
  const manifest = (name: string, image: string) => {
    const { status: _s, ...m } = deployment(name, image);
    return m;
  };
  const work = (name: string, ready: number, ...manifests: object[]) => ({
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: { name },
    spec: { workload: { manifests } },
    status: { conditions: [{ type: 'Applied', status: 'True' }], manifestStatuses: [{ identifier: { ordinal: 0 }, status: { readyReplicas: ready } }] },
  });
  const at = (...path: (string | number)[]) => (o: any) => path.reduce((v, k) => v[k], o);
  const spec = at('spec');
  const conditions = at('status', 'conditions');
  const manifestSpec = (i: number) => at('spec', 'workload', 'manifests', i, 'spec');
  const reflected = at('status', 'manifestStatuses', 0, 'status');
  const finalizers = at('metadata', 'finalizers');
  const aggregated = at('status', 'aggregatedStatus');
  const binding = (name: string, ...ready: number[]) => ({
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: { name },
    spec: { resource: { kind: 'Deployment', name } },
    status: { aggregatedStatus: ready.map((r, i) => ({ clusterName: `member${i + 1}`, status: { readyReplicas: r }, applied: true, health: 'Healthy' })) },
  });
  const finalized = (o: any, ...list: string[]) => ({ ...o, metadata: { ...o.metadata, finalizers: list } });
  const cases: { name: string; a: any; b: any; of: [(o: any) => object, (o: any) => object]; shared: boolean }[] = [
    { name: 'two objects with equal specs', a: deployment('a', 'nginx'), b: deployment('b', 'nginx'), of: [spec, spec], shared: true },
    { name: 'two objects with different specs', a: deployment('a', 'nginx'), b: deployment('b', 'httpd'), of: [spec, spec], shared: false },
    { name: 'equal conditions', a: deployment('a', 'nginx'), b: deployment('b', 'httpd'), of: [conditions, conditions], shared: true },
    { name: 'conditions of another second', a: deployment('a', 'nginx', 1), b: deployment('b', 'nginx', 2), of: [conditions, conditions], shared: false },
    { name: 'an object and a Work with its manifest', a: deployment('a', 'nginx'), b: work('w', 2, manifest('a', 'nginx')), of: [spec, manifestSpec(0)], shared: true },
    { name: 'the manifests of two Works', a: work('w1', 2, manifest('a', 'nginx')), b: work('w2', 1, manifest('a', 'nginx')), of: [manifestSpec(0), manifestSpec(0)], shared: true },
    { name: 'the second manifest of a Work', a: deployment('x', 'httpd'), b: work('w', 2, manifest('a', 'nginx'), manifest('x', 'httpd')), of: [spec, manifestSpec(1)], shared: true },
    { name: 'equal reflected statuses of two Works', a: work('w1', 2, manifest('a', 'nginx')), b: work('w2', 2, manifest('b', 'httpd')), of: [reflected, reflected], shared: true },
    { name: 'different reflected statuses', a: work('w1', 2, manifest('a', 'nginx')), b: work('w2', 1, manifest('a', 'nginx')), of: [reflected, reflected], shared: false },
    { name: 'the conditions of two Works', a: work('w1', 2, manifest('a', 'nginx')), b: work('w2', 1, manifest('b', 'httpd')), of: [conditions, conditions], shared: true },
    { name: 'equal finalizers', a: finalized(work('w1', 2), 'karmada.io/execution-controller'), b: finalized(deployment('a', 'nginx'), 'karmada.io/execution-controller'), of: [finalizers, finalizers], shared: true },
    { name: 'equal aggregated statuses of two bindings', a: binding('a', 2, 2), b: binding('b', 2, 2), of: [aggregated, aggregated], shared: true },
    { name: 'aggregated statuses that differ in one cluster', a: binding('a', 2, 2), b: binding('b', 2, 1), of: [aggregated, aggregated], shared: false },
    { name: 'different finalizers', a: finalized(work('w1', 2), 'a', 'b'), b: finalized(work('w2', 2), 'b', 'a'), of: [finalizers, finalizers], shared: false },
  ];
  for (const c of cases) {
    const table = new SubtreeTable(new StringTable());
    const [before, beforeB] = [structuredClone(c.a), structuredClone(c.b)];
    const [a, b] = [shareSubtrees(c.a, table), shareSubtrees(c.b, table)];
    assert.equal(a, c.a, `${c.name}: the object itself is returned`);
    assert.deepEqual(a, before, `${c.name}: nothing of the first object changes`);
    assert.deepEqual(b, beforeB, `${c.name}: nothing of the second object changes`);
    const [sa, sb] = [c.of[0](a), c.of[1](b)];
    assert.equal(sa === sb, c.shared, `${c.name}: shared ${c.shared}`);
    assert.ok(Object.isFrozen(sa) && Object.isFrozen(sb), `${c.name}: entered subtrees are frozen`);
  }
  const w = shareSubtrees(work('w', 2, manifest('a', 'nginx')), new SubtreeTable(new StringTable()));
  assert.ok(!Object.isFrozen(w.spec) && !Object.isFrozen(w.status) && !Object.isFrozen(w.metadata), "a Work's own spec, status and metadata are not entered");
});

test('a shared spec cannot be written, and internStrings leaves it alone', () => {
  const strings = new StringTable();
  const table = new SubtreeTable(strings);
  const obj = shareSubtrees({ kind: 'ConfigMap', metadata: { name: 'x' }, spec: { a: { b: ['c'] } } }, table);
  assert.throws(() => {
    (obj.spec.a as any).b[0] = 'd';
  }, TypeError);
  assert.throws(() => {
    (obj.spec as any).added = 1;
  }, TypeError);
  const before = strings.size;
  internStrings(obj, strings);
  assert.equal(strings.size, before + 2, "only the object's own strings ('ConfigMap', 'x') are entered now");
});

test('a subtree table starts again empty when full', () => {
  const table = new SubtreeTable(new StringTable(), 2);
  const first = table.share({ n: 1 });
  table.share({ n: 2 });
  assert.equal(table.share({ n: 1 }), first, 'a known subtree adds nothing, even to a full table');
  assert.equal(table.size, 2);
  table.share({ n: 3 });
  assert.equal(table.size, 1);
  assert.notEqual(table.share({ n: 1 }), first, 'forgotten once the table started again');
});

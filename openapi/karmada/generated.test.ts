// Checks the committed generator output: the facts of Karmada's eight federation kinds, and types.ts in step with them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { federationCRDs } from './crds.js';
import { renderTypes, TYPES_FILE } from './generate-types.js';

const crds = federationCRDs();
const byKind = new Map(crds.map((c) => [c.spec.names.kind as string, c]));

const storage = (kind: string) => byKind.get(kind)!.spec.versions.find((v: any) => v.storage);
const columns = (kind: string) => (storage(kind).additionalPrinterColumns ?? []).map((c: any) => c.name);

test('the eight kinds, with group, storage version, scope and short names as Karmada has them', () => {
  const summary = Object.fromEntries(
    crds.map((c) => [c.spec.names.kind, `${c.spec.group}/${storage(c.spec.names.kind).name} ${c.spec.scope} ${(c.spec.names.shortNames ?? []).join(',')}`]),
  );
  assert.deepEqual(summary, {
    Cluster: 'cluster.karmada.io/v1alpha1 Cluster ',
    ClusterOverridePolicy: 'policy.karmada.io/v1alpha1 Cluster cop',
    ClusterPropagationPolicy: 'policy.karmada.io/v1alpha1 Cluster cpp',
    ClusterResourceBinding: 'work.karmada.io/v1alpha2 Cluster crb',
    OverridePolicy: 'policy.karmada.io/v1alpha1 Namespaced op',
    PropagationPolicy: 'policy.karmada.io/v1alpha1 Namespaced pp',
    ResourceBinding: 'work.karmada.io/v1alpha2 Namespaced rb',
    Work: 'work.karmada.io/v1alpha1 Namespaced wk',
  });
  for (const c of crds) assert.equal(c.metadata!.name, `${c.spec.names.plural}.${c.spec.group}`);
});

test('bindings serve v1alpha1 too, stored as v1alpha2', () => {
  for (const kind of ['ResourceBinding', 'ClusterResourceBinding'])
    assert.deepEqual(
      byKind.get(kind)!.spec.versions.map((v: any) => [v.name, v.served, v.storage]),
      [
        ['v1alpha1', true, false],
        ['v1alpha2', true, true],
      ],
    );
});

test('printer columns as kubectl shows them for Karmada', () => {
  assert.deepEqual(columns('Cluster'), ['Version', 'Mode', 'Ready', 'Age', 'Zones', 'Region', 'Provider', 'API-Endpoint', 'Proxy-URL']);
  assert.deepEqual(
    storage('Cluster').additionalPrinterColumns.filter((c: any) => !c.priority).map((c: any) => c.jsonPath),
    ['.status.kubernetesVersion', '.spec.syncMode', '.status.conditions[?(@.type=="Ready")].status', '.metadata.creationTimestamp'],
  );
  // Karmada's, then ours for -o wide: where a binding is scheduled.
  for (const kind of ['ResourceBinding', 'ClusterResourceBinding']) {
    assert.deepEqual(columns(kind), ['SCHEDULED', 'FULLYAPPLIED', 'AGE', 'REPLICAS', 'CLUSTERS']);
    assert.deepEqual(storage(kind).additionalPrinterColumns.filter((c: any) => c.priority === 1).map((c: any) => c.jsonPath), ['.spec.replicas', '.spec.clusters']);
  }
  assert.deepEqual(columns('Work'), ['WORKLOAD-KIND', 'APPLIED', 'AGE']);
  assert.deepEqual(columns('PropagationPolicy'), ['CONFLICT-RESOLUTION', 'PRIORITY', 'AGE']);
  assert.deepEqual(columns('OverridePolicy'), []);
});

test('status subresources where Karmada has them', () => {
  const withStatus = crds.filter((c) => storage(c.spec.names.kind).subresources?.status).map((c) => c.spec.names.kind);
  assert.deepEqual(withStatus.sort(), ['Cluster', 'ClusterResourceBinding', 'ResourceBinding', 'Work']);
});

test('no description anywhere, and the schema facts are there', () => {
  const prose: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'description' && typeof x === 'string') prose.push(`${path}.${k}`);
      walk(x, `${path}.${k}`);
    }
  };
  walk(crds, '');
  assert.deepEqual(prose, []);
  const pp = storage('PropagationPolicy').schema.openAPIV3Schema.properties.spec;
  assert.deepEqual(pp.required, ['resourceSelectors']);
  assert.equal(pp.properties.conflictResolution.default, 'Abort');
  assert.deepEqual(pp.properties.conflictResolution.enum, ['Abort', 'Overwrite']);
  assert.equal(pp.properties.placement.properties.replicaScheduling.properties.weightPreference.properties.staticWeightList.items.properties.weight.minimum, 1);
  const cluster = storage('Cluster').schema.openAPIV3Schema.properties.spec;
  assert.deepEqual(cluster.properties.syncMode, { enum: ['Push', 'Pull'], type: 'string' });
  assert.deepEqual(cluster.required, ['syncMode']);
});

test('types.ts is what the generator renders from crds.json', () => {
  assert.equal(readFileSync(TYPES_FILE, 'utf8'), renderTypes(crds), 'run: node dist/openapi/karmada/generate-types.js');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { NGINX_POLICY } from '../../e2e/samples.js';
import type { KObject } from '../../storage/store.js';
import { federationCRDs } from '../../openapi/karmada/crds.js';
import type { Cluster, OverridePolicy, PropagationPolicy } from '../../openapi/karmada/types.js';
import type { AdmissionAttributes, Operation } from '../admission/chain.js';
import { APIError } from '../errors.js';
import type { ResourceType } from '../registry/types.js';
import { federationAdmission } from './admission.js';
import { parseGoURL } from './validation.js';

/** The resource of a federation kind, from its generated CRD. */
function resourceOf(kind: string): ResourceType {
  const crd = federationCRDs().find((c) => c.spec.names.kind === kind)!;
  return {
    group: crd.spec.group,
    version: crd.spec.versions.find((v: any) => v.storage).name,
    kind,
    plural: crd.spec.names.plural,
    singular: crd.spec.names.singular,
    namespaced: crd.spec.scope === 'Namespaced',
    custom: true,
  };
}

const NOW = new Date('2024-05-06T07:08:09.123Z');

/** Runs the plugin as the chain does: mutating, then validating; returns the admitted object. */
async function submit<T>(obj: T, opts: { operation?: Operation; old?: KObject; namespace?: string } = {}): Promise<T> {
  const o = obj as KObject;
  const resource = resourceOf(o.kind!);
  const plugin = federationAdmission({ now: () => NOW, newID: () => 'id-1' });
  const a: AdmissionAttributes = {
    operation: opts.operation ?? 'CREATE',
    resource,
    namespace: resource.namespaced ? (opts.namespace ?? 'default') : undefined,
    name: o.metadata?.name ?? '',
    object: o,
    oldObject: opts.old,
    dryRun: false,
  };
  await plugin.admit!(a);
  await plugin.validate!(a);
  return obj;
}

/** The 422's causes as "field: message". */
async function causes(obj: unknown, opts?: Parameters<typeof submit>[1]): Promise<string[]> {
  try {
    await submit(obj, opts);
  } catch (err) {
    assert.ok(err instanceof APIError, String(err));
    assert.equal(err.code, 422, err.message);
    return err.details!.causes!.map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail('admitted');
}

const pp = (spec: Record<string, unknown>, name = 'p'): PropagationPolicy => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'PropagationPolicy',
  metadata: { name },
  spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }], ...spec },
});

test("Karmada's nginx sample is admitted and defaulted as karmada-webhook does", async () => {
  const policy = await submit(parse(NGINX_POLICY) as PropagationPolicy);
  assert.equal(policy.metadata!.labels['propagationpolicy.karmada.io/permanent-id'], 'id-1');
  assert.equal(policy.spec.resourceSelectors[0].namespace, 'default');
  assert.deepEqual(policy.spec.placement!.clusterTolerations, [
    { key: 'cluster.karmada.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'cluster.karmada.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
});

test('propagation policy defaults', async () => {
  const policy = await submit(
    pp({
      placement: {
        replicaScheduling: { replicaSchedulingType: 'Divided' },
        spreadConstraints: [{ maxGroups: 2 }],
        clusterTolerations: [{ key: 'cluster.karmada.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
      },
      propagateDeps: true,
      failover: { application: { decisionConditions: {} } },
    }),
  );
  const placement = policy.spec.placement!;
  assert.equal(placement.replicaScheduling!.replicaDivisionPreference, 'Weighted');
  assert.deepEqual(placement.spreadConstraints, [{ maxGroups: 2, spreadByField: 'cluster', minGroups: 1 }]);
  // A matching toleration stays as the user wrote it.
  assert.deepEqual(placement.clusterTolerations!.map((t) => `${t.key}=${t.tolerationSeconds}`), ['cluster.karmada.io/not-ready=30', 'cluster.karmada.io/unreachable=300']);
  assert.equal(policy.spec.failover!.application!.gracePeriodSeconds, 600);

  const serviceImport = await submit(pp({ resourceSelectors: [{ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', name: 's' }] }));
  assert.equal(serviceImport.spec.propagateDeps, true);
});

test('cluster propagation policies get their own permanent id and keep selector namespaces empty', async () => {
  const cpp = await submit({ ...pp({}), kind: 'ClusterPropagationPolicy' });
  assert.equal(cpp.metadata!.labels['clusterpropagationpolicy.karmada.io/permanent-id'], 'id-1');
  assert.equal(cpp.spec.resourceSelectors[0].namespace, undefined);
});

test('a binding gets a permanent id when it is created, unless it brings one', async () => {
  const binding = (kind: string, labels?: Record<string, string>) => ({
    apiVersion: 'work.karmada.io/v1alpha2',
    kind,
    metadata: { name: 'nginx-deployment', ...(labels && { labels }) },
    spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' } },
  });
  assert.deepEqual((await submit(binding('ResourceBinding'))).metadata.labels, { 'resourcebinding.karmada.io/permanent-id': 'id-1' });
  assert.deepEqual((await submit(binding('ClusterResourceBinding'))).metadata.labels, { 'clusterresourcebinding.karmada.io/permanent-id': 'id-1' });
  const brought = { 'resourcebinding.karmada.io/permanent-id': 'mine', app: 'x' };
  assert.deepEqual((await submit(binding('ResourceBinding', { ...brought }))).metadata.labels, brought);
  // An update is not a creation: the id the binding has (or lacks) stays as it is.
  assert.equal((await submit(binding('ResourceBinding'), { operation: 'UPDATE', old: binding('ResourceBinding') as KObject })).metadata.labels, undefined);
});

const invalidPolicies: [string, Record<string, unknown>, string[]][] = [
  ['selector without apiVersion and kind', { resourceSelectors: [{ name: 'x' }] }, ['spec.resourceSelectors[0].apiVersion: Required value', 'spec.resourceSelectors[0].kind: Required value']],
  [
    'weight below 1',
    { placement: { replicaScheduling: { weightPreference: { staticWeightList: [{ targetCluster: {}, weight: 0 }] } } } },
    [
      'spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight: Invalid value: 0: spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight in body should be greater than or equal to 1',
    ],
  ],
  [
    'clusterAffinity with clusterAffinities',
    { placement: { clusterAffinity: { clusterNames: ['a'] }, clusterAffinities: [{ affinityName: 'g' }] } },
    // The value is the placement after defaulting, tolerations added.
    [
      'spec.placement: Invalid value: {"clusterAffinity":{"clusterNames":["a"]},"clusterAffinities":[{"affinityName":"g"}],"clusterTolerations":[{"key":"cluster.karmada.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"cluster.karmada.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}: clusterAffinities cannot co-exist with clusterAffinity',
    ],
  ],
  [
    'repeated affinity name',
    { placement: { clusterAffinities: [{ affinityName: 'g' }, { affinityName: 'g' }] } },
    ['spec.placement.clusterAffinities: Invalid value: [{"affinityName":"g"},{"affinityName":"g"}]: each affinity term in a policy must have a unique name'],
  ],
  [
    'field selector on a label',
    { placement: { clusterAffinity: { fieldSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['x'] }] } } } },
    ['spec.placement.clusterAffinity.fieldSelector: Invalid value: {"matchExpressions":[{"key":"env","operator":"In","values":["x"]}]}: unsupported key "env", must be provider, region, or zone'],
  ],
  [
    'field selector with Exists',
    { placement: { clusterAffinities: [{ affinityName: 'g', fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }] } },
    ['spec.placement.clusterAffinities[0].fieldSelector: Invalid value: {"matchExpressions":[{"key":"zone","operator":"Exists"}]}: unsupported operator "Exists", must be In or NotIn'],
  ],
  [
    'maxGroups below minGroups',
    { placement: { spreadConstraints: [{ spreadByField: 'cluster', minGroups: 3, maxGroups: 2 }] } },
    ['spec.placement.spreadConstraints[0]: Invalid value: {"spreadByField":"cluster","minGroups":3,"maxGroups":2}: maxGroups lower than minGroups is not allowed'],
  ],
  [
    'spreadByField with spreadByLabel',
    { placement: { spreadConstraints: [{ spreadByField: 'cluster', spreadByLabel: 'l', minGroups: 1 }] } },
    ['spec.placement.spreadConstraints[0]: Invalid value: {"spreadByField":"cluster","spreadByLabel":"l","minGroups":1}: spreadByLabel should not co-exist with spreadByField'],
  ],
  [
    'region spread without a cluster spread',
    { placement: { spreadConstraints: [{ spreadByField: 'region', minGroups: 1 }] } },
    ['spec.placement.spreadConstraints: Invalid value: [{"spreadByField":"region","minGroups":1}]: the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled'],
  ],
  [
    'the same spread field twice, thrice',
    { placement: { spreadConstraints: [{ spreadByField: 'cluster' }, { spreadByField: 'cluster' }, { spreadByField: 'cluster' }] } },
    ['spec.placement.spreadConstraints: Invalid value: [{"spreadByField":"cluster","minGroups":1},{"spreadByField":"cluster","minGroups":1},{"spreadByField":"cluster","minGroups":1}]: multiple cluster spread constraints are not allowed'],
  ],
  [
    'application failover without propagateDeps',
    { failover: { application: { decisionConditions: { tolerationSeconds: -1 }, purgeMode: 'Never', gracePeriodSeconds: 10 } } },
    [
      'spec.propagateDeps: Invalid value: false: application failover is set, propagateDeps must be true',
      'spec.failover.application.decisionConditions.tolerationSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.failover.application.gracePeriodSeconds: Invalid value: 10: only takes effect when purgeMode is graciously',
    ],
  ],
  [
    'preemption with a selector without name',
    { preemption: 'Always', resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }] },
    ['spec.resourceSelectors[0].name: Invalid value: "": name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption'],
  ],
  [
    'suspended everywhere and on some clusters',
    { suspension: { dispatching: true, dispatchingOnClusters: { clusterNames: ['a'] } } },
    ['spec.suspension: Invalid value: {"dispatching":true,"dispatchingOnClusters":{"clusterNames":["a"]}}: suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames'],
  ],
];

for (const [name, spec, want] of invalidPolicies)
  test(`propagation policy rejected: ${name}`, async () => {
    assert.deepEqual(await causes(pp(spec)), want);
  });

test('the 422 names the policy and kind', async () => {
  await assert.rejects(submit(pp({ resourceSelectors: [{}] }, 'bad')), (err: APIError) => {
    assert.match(err.message, /^PropagationPolicy\.policy\.karmada\.io "bad" is invalid: \[spec\.resourceSelectors\[0\]\.apiVersion: Required value, /);
    assert.deepEqual(err.details!.causes![0], { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.resourceSelectors[0].apiVersion' });
    return true;
  });
});

test('a policy name longer than a label value is a bad request', async () => {
  await assert.rejects(submit(pp({}, 'p'.repeat(64))), (err: APIError) => err.code === 400 && /should be no more than 63 characters/.test(err.message));
});

test('updates keep the scheduler and the permanent id', async () => {
  const old = (await submit(pp({ schedulerName: 'default-scheduler' }))) as KObject;
  assert.deepEqual(await causes({ ...pp({ schedulerName: 'other' }), metadata: structuredClone(old.metadata) }, { operation: 'UPDATE', old }), [
    'spec.schedulerName: Forbidden: the schedulerName should not be updated',
  ]);
  const relabelled = { ...pp({ schedulerName: 'default-scheduler' }), metadata: { name: 'p', labels: { 'propagationpolicy.karmada.io/permanent-id': 'other' } } };
  assert.deepEqual(await causes(relabelled, { operation: 'UPDATE', old }), [
    'metadata.labels[propagationpolicy.karmada.io/permanent-id]: Forbidden: label propagationpolicy.karmada.io/permanent-id is immutable, it can only be set by the system during creation',
  ]);
  const same = await submit({ ...pp({ schedulerName: 'default-scheduler' }), metadata: structuredClone(old.metadata) }, { operation: 'UPDATE', old });
  assert.equal(same.metadata!.labels['propagationpolicy.karmada.io/permanent-id'], 'id-1');
});

const op = (spec: Record<string, unknown>): OverridePolicy => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'OverridePolicy',
  metadata: { name: 'o' },
  spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }], ...spec },
});

test('override policy: valid rules are admitted and selectors get the namespace', async () => {
  const policy = await submit(
    op({
      overrideRules: [
        {
          targetCluster: { clusterNames: ['member1'] },
          overriders: {
            plaintext: [{ path: '/spec/replicas', operator: 'replace', value: 2 }],
            imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'registry.example', predicate: { path: '/spec/template/spec/containers/0/image' } }],
            fieldOverrider: [{ fieldPath: '/data/config.json', json: [{ subPath: '/a', operator: 'add', value: 1 }, { subPath: '/b', operator: 'remove' }] }],
            labelsOverrider: [{ operator: 'add', value: { tier: 'web' } }],
          },
        },
      ],
    }),
  );
  assert.equal(policy.spec.resourceSelectors![0].namespace, 'default');
});

const invalidOverrides: [string, Record<string, unknown>, string[]][] = [
  [
    'targetCluster with overrideRules',
    { targetCluster: { clusterNames: ['a'] }, overrideRules: [{ overriders: {} }] },
    [`spec.targetCluster: Invalid value: {"clusterNames":["a"]}: overrideRules and targetCluster can't co-exist`],
  ],
  [
    'overriders with overrideRules',
    { overriders: { plaintext: [{ path: '/a', operator: 'remove' }] }, overrideRules: [{ overriders: {} }] },
    [`spec.overriders: Invalid value: {"plaintext":[{"path":"/a","operator":"remove"}]}: overrideRules and overriders can't co-exist`],
  ],
  [
    'plaintext without path, with an unknown operator',
    { overrideRules: [{ overriders: { plaintext: [{ operator: 'patch' }] } }] },
    [
      'spec.overrideRules[0].overriders.plaintext[0].operator: Unsupported value: "patch": supported values: "add", "remove", "replace"',
      'spec.overrideRules[0].overriders.plaintext[0].path: Required value',
    ],
  ],
  [
    'image component and predicate',
    { overrideRules: [{ overriders: { imageOverrider: [{ component: 'Digest', operator: 'add', predicate: { path: 'spec' } }] } }] },
    [
      'spec.overrideRules[0].overriders.imageOverrider[0].component: Unsupported value: "Digest": supported values: "Registry", "Repository", "Tag"',
      'spec.overrideRules[0].overriders.imageOverrider[0].predicate.path: Invalid value: "spec": JSON pointer must be empty or start with a "/"',
    ],
  ],
  [
    'field overrider with both formats and bad values',
    { overrideRules: [{ overriders: { fieldOverrider: [{ fieldPath: 'data', json: [{ subPath: '/a', operator: 'add' }], yaml: [{ subPath: '/b', operator: 'remove', value: 1 }] }] } }] },
    [
      'spec.overrideRules[0].overriders.fieldOverrider[0]: Invalid value: {"fieldPath":"data","json":[{"subPath":"/a","operator":"add"}],"yaml":[{"subPath":"/b","operator":"remove","value":1}]}: FieldOverrider has both YAML and JSON set. Only one is allowed',
      'spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath: Invalid value: "data": JSON pointer must be empty or start with a "/"',
      'spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value: Invalid value: null: value is required for add or replace operation',
      'spec.overrideRules[0].overriders.fieldOverrider[0].yaml[0].value: Invalid value: 1: value is not allowed for remove operation',
    ],
  ],
  [
    'labels that are no labels',
    { overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { 'a b': 'c' } }] } }] },
    [
      `spec.overrideRules[0].overriders.labelsOverrider[0].value: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  ],
  [
    'rule target selecting by label through the field selector',
    { overrideRules: [{ overriders: {}, targetCluster: { fieldSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] } } }] },
    ['spec.overrideRules[0].targetCluster.fieldSelector: Invalid value: {"matchExpressions":[{"key":"env","operator":"In"}]}: unsupported key "env", must be provider, region, or zone'],
  ],
];

for (const [name, spec, want] of invalidOverrides)
  test(`override policy rejected: ${name}`, async () => {
    assert.deepEqual(await causes(op(spec)), want);
    assert.deepEqual(await causes({ ...op(spec), kind: 'ClusterOverridePolicy' }), want);
  });

const cluster = (name: string, spec: Record<string, unknown>): Cluster => ({
  apiVersion: 'cluster.karmada.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name },
  spec: { syncMode: 'Push', ...spec } as Cluster['spec'],
});

test('cluster defaults: zone to zones, taint time, resource models', async () => {
  const c = await submit(cluster('member1', { apiEndpoint: 'https://172.18.0.3:6443', zone: 'z1', taints: [{ key: 'k', effect: 'NoExecute' }, { key: 'k', effect: 'NoSchedule' }] }));
  assert.deepEqual(c.spec.zones, ['z1']);
  assert.equal(c.spec.zone, undefined);
  assert.deepEqual(c.spec.taints, [{ key: 'k', effect: 'NoExecute', timeAdded: '2024-05-06T07:08:09Z' }, { key: 'k', effect: 'NoSchedule' }]);
  const models = c.spec.resourceModels!;
  assert.deepEqual(models.map((m) => m.grade), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(models[0].ranges, [
    { name: 'cpu', min: '0', max: '1' },
    { name: 'memory', min: '0', max: '4Gi' },
  ]);
  assert.deepEqual(models[7].ranges[1], { name: 'memory', min: '512Gi', max: '1Ti' });
  assert.deepEqual(models[8].ranges, [
    { name: 'cpu', min: '128', max: '9223372036854775807' },
    { name: 'memory', min: '1Ti', max: '9223372036854775807' },
  ]);
});

test('cluster resource models given are put in order and bounded', async () => {
  const c = await submit(
    cluster('member1', {
      resourceModels: [
        { grade: 1, ranges: [{ name: 'cpu', min: '2', max: '4' }] },
        { grade: 0, ranges: [{ name: 'cpu', min: '1', max: '2' }] },
      ],
    }),
  );
  assert.deepEqual(c.spec.resourceModels, [
    { grade: 0, ranges: [{ name: 'cpu', min: '0', max: '2' }] },
    { grade: 1, ranges: [{ name: 'cpu', min: '2', max: '9223372036854775807' }] },
  ]);
});

const invalidClusters: [string, Cluster, string[]][] = [
  ['a name longer than 48', cluster('c'.repeat(49), {}), [`metadata.name: Invalid value: "${'c'.repeat(49)}": must be no more than 48 characters`]],
  ['an unknown sync mode', cluster('m', { syncMode: 'Both' }), ['spec.syncMode: Unsupported value: "Both": supported values: "Pull", "Push"']],
  ['no sync mode', { ...cluster('m', {}), spec: {} as Cluster['spec'] }, ['spec.syncMode: Required value', 'spec.syncMode: Unsupported value: "": supported values: "Pull", "Push"']],
  [
    'an endpoint without scheme',
    cluster('m', { apiEndpoint: '172.18.0.3:6443' }),
    ['spec.apiEndpoint: Invalid value: "172.18.0.3:6443": apiEndpoint must be a valid URL: parse "172.18.0.3:6443": first path segment in URL cannot contain colon; desired format: hostname, hostname:port, IP or IP:port'],
  ],
  [
    'an endpoint with user, query and fragment',
    cluster('m', { apiEndpoint: 'https://u:p@h:6443/?a=b#f' }),
    [
      'spec.apiEndpoint: Invalid value: "u:p": user information is not permitted in the URL',
      'spec.apiEndpoint: Invalid value: "f": fragments are not permitted in the URL',
      'spec.apiEndpoint: Invalid value: "a=b": query parameters are not permitted in the URL',
    ],
  ],
  ['an endpoint without host', cluster('m', { apiEndpoint: 'localhost:6443' }), ['spec.apiEndpoint: Invalid value: "": host must be provided; desired format: hostname, hostname:port, IP or IP:port']],
  [
    'a secret reference without namespace',
    cluster('m', { secretRef: { name: 's' } as never }),
    ['spec.secretRef.namespace: Required value'],
  ],
  ['a proxy of another scheme', cluster('m', { proxyURL: 'ftp://proxy' }), ['spec.proxyURL: Invalid value: "ftp://proxy": unsupported scheme "ftp", must be http, https, or socks5']],
  [
    'taints Karmada does not act on, twice',
    cluster('m', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }, { key: 'k', effect: 'PreferNoSchedule' }] }),
    [
      'spec.taints[0].effect: Unsupported value: "PreferNoSchedule": supported values: "NoSchedule", "NoExecute"',
      'spec.taints[1].effect: Unsupported value: "PreferNoSchedule": supported values: "NoSchedule", "NoExecute"',
      'spec.taints[1]: Duplicate value: {"key":"k","effect":"PreferNoSchedule"}: taints must be unique by key and effect pair',
    ],
  ],
];

for (const [name, obj, want] of invalidClusters)
  test(`cluster rejected: ${name}`, async () => {
    assert.deepEqual(await causes(obj), want);
  });

test('Go URL parsing as Karmada sees endpoints', () => {
  assert.deepEqual(parseGoURL('https://10.0.0.1:6443'), { scheme: 'https', host: '10.0.0.1:6443', user: undefined, rawQuery: '', fragment: '' });
  assert.deepEqual(parseGoURL('example.com'), { scheme: '', host: '', rawQuery: '', fragment: '' });
  assert.deepEqual(parseGoURL(':6443'), { error: 'parse ":6443": missing protocol scheme' });
  assert.deepEqual(parseGoURL('https://a b'), { error: 'parse "https://a b": invalid character " " in host name' });
});

test('other kinds, subresources and deletes pass untouched', async () => {
  const plugin = federationAdmission();
  const work = { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name: 'w' }, spec: {} };
  const base = { resource: resourceOf('Work'), namespace: 'karmada-es-m', name: 'w', object: work, dryRun: false };
  await plugin.admit!({ ...base, operation: 'CREATE' });
  await plugin.validate!({ ...base, operation: 'CREATE' });
  const status = { ...base, resource: resourceOf('Cluster'), operation: 'UPDATE' as const, subresource: 'status', object: cluster('m', { syncMode: 'x' }) };
  await plugin.admit!(status);
  await plugin.validate!(status);
  assert.deepEqual(status.object.spec, { syncMode: 'x' });
  assert.deepEqual(work, { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name: 'w' }, spec: {} });
});

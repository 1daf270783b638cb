// The binding controller against a real apiserver process: a Deployment template, a ResourceBinding made by hand
// (as the detector and scheduler would leave it) and an OverridePolicy; the controller runs in this process on the
// admin kubeconfig.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import { APPLIED_OVERRIDES_ANNOTATION } from '../overrides/policies.js';
import { startControllerFleet, WORKS, type ControllerFleet } from '../testing.js';
import { bindingController, bindingView } from './controller.js';
import { DEPENDENCIES_ANNOTATION } from './dependencies.js';
import { dependenciesDistributor } from './distributor.js';
import { BINDING_FINALIZER, EXECUTION_CONTROLLER_FINALIZER, RB_PERMANENT_ID_LABEL, WORK_PERMANENT_ID_LABEL, generateWorkName } from './names.js';

let fleet: ControllerFleet;
let stopDistributor = new AbortController();
const namespace = 'apps';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

before(async () => {
  // No members: nothing applies the Works here, so the binding controller needs only their execution namespaces.
  fleet = await startControllerFleet({ members: 0, namespaces: [namespace, 'karmada-es-member1', 'karmada-es-member2'] });
  await bindingController().start(fleet.context());
  await dependenciesDistributor().start(fleet.context(stopDistributor.signal));
});
after(async () => {
  stopDistributor.abort();
  await fleet?.stop();
});

const crd = (group: string, version: string, plural: string) => ({ group, version, plural });
const RBS = crd('work.karmada.io', 'v1alpha2', 'resourcebindings');
const OPS = crd('policy.karmada.io', 'v1alpha1', 'overridepolicies');

const manifestOf = (work: any) => work.spec.workload.manifests[0];
const imageOf = (work: any) => manifestOf(work).spec.template.spec.containers[0].image;

/** How many Work writes (creates and updates) the apiserver has made; attempts it refused with a conflict are not. */
async function workWrites(): Promise<number> {
  const metrics = (await fleet.server.request('GET', '/metrics')).body;
  return metrics
    .split('\n')
    .filter((l) => l.startsWith('apiserver_request_total{') && /resource="works"/.test(l) && /verb="(CREATE|UPDATE)"/.test(l) && /subresource=""/.test(l) && /code="2/.test(l))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The Work as the execution controller would leave it once the member's copy is gone: without its finalizer. */
async function releaseWork(cluster: string, name: string): Promise<void> {
  await fleet.clients.customObjects.patchNamespacedCustomObject({ ...WORKS, namespace: `karmada-es-${cluster}`, name, body: { metadata: { finalizers: null } } }, mergePatch);
}

test('a ResourceBinding gets a Work per cluster with its replicas and overrides, and loses those of dropped clusters', async () => {
  await fleet.clients.objects.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace, labels: { app: 'nginx' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
    },
  });
  await fleet.clients.customObjects.createNamespacedCustomObject({
    ...OPS,
    namespace,
    body: {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'OverridePolicy',
      metadata: { name: 'mirror', namespace },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
        overrideRules: [
          { targetCluster: { clusterNames: ['member2'] }, overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.example.com' }] } },
        ],
      },
    },
  });
  const template = await fleet.clients.objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace } });
  await fleet.clients.customObjects.createNamespacedCustomObject({
    ...RBS,
    namespace,
    body: {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'nginx-deployment', namespace },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'nginx', uid: template.metadata!.uid },
        replicas: 3,
        placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } },
        clusters: [
          { name: 'member1', replicas: 1 },
          { name: 'member2', replicas: 2 },
        ],
      },
    },
  });

  const workName = generateWorkName('Deployment', 'nginx', namespace);
  const [w1, w2] = await fleet.until('both Works', async () => {
    const works = [await fleet.getWork('member1', workName), await fleet.getWork('member2', workName)];
    return works.every(Boolean) ? works : undefined;
  });
  assert.equal(manifestOf(w1).spec.replicas, 1);
  assert.equal(manifestOf(w2).spec.replicas, 2);
  assert.equal(imageOf(w1), 'nginx:1.25');
  assert.equal(imageOf(w2), 'mirror.example.com/nginx:1.25');
  assert.equal(w1.metadata.annotations[APPLIED_OVERRIDES_ANNOTATION], undefined);
  assert.equal(JSON.parse(w2.metadata.annotations[APPLIED_OVERRIDES_ANNOTATION])[0].policyName, 'mirror');

  const binding: any = await fleet.clients.customObjects.getNamespacedCustomObject({ ...RBS, namespace, name: 'nginx-deployment' });
  const id = binding.metadata.labels[RB_PERMANENT_ID_LABEL];
  assert.ok(id, 'the binding got a permanent id');
  assert.ok(binding.metadata.finalizers.includes(BINDING_FINALIZER.ResourceBinding));
  for (const w of [w1, w2]) {
    assert.equal(w.metadata.labels[RB_PERMANENT_ID_LABEL], id);
    assert.deepEqual(w.metadata.finalizers, [EXECUTION_CONTROLLER_FINALIZER]);
    assert.equal(w.spec.suspendDispatching, false);
    const m = manifestOf(w);
    assert.equal(m.metadata.labels[WORK_PERMANENT_ID_LABEL], w.metadata.labels[WORK_PERMANENT_ID_LABEL]);
    assert.equal(m.metadata.uid, undefined, 'server-set metadata is stripped');
    assert.equal(m.metadata.resourceVersion, undefined);
    assert.equal(m.status, undefined);
  }

  // The template is watched: a change to it shows in both Works.
  await fleet.clients.objects.patch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace, annotations: { note: 'x' } } },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
  const [n1] = await fleet.until('the template change in both Works', async () => {
    const works = [await fleet.getWork('member1', workName), await fleet.getWork('member2', workName)];
    return works.every((w) => manifestOf(w)?.metadata.annotations?.note === 'x') ? works : undefined;
  });
  assert.equal(n1.metadata.labels[WORK_PERMANENT_ID_LABEL], w1.metadata.labels[WORK_PERMANENT_ID_LABEL], 'a Work keeps its permanent id');

  // A change for member2 only: the reconcile renders member1 first, finds its Work as it should be and leaves it.
  const writes = await workWrites();
  await fleet.clients.customObjects.patchNamespacedCustomObject(
    {
      ...OPS,
      namespace,
      name: 'mirror',
      body: {
        spec: {
          overrideRules: [
            { targetCluster: { clusterNames: ['member2'] }, overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.example.com' }] } },
            { targetCluster: { clusterNames: ['member2'] }, overriders: { labelsOverrider: [{ operator: 'add', value: { mirrored: 'yes' } }] } },
          ],
        },
      },
    },
    mergePatch,
  );
  const n2 = await fleet.until('the new label in member2', async () => {
    const w = await fleet.getWork('member2', workName);
    return manifestOf(w).metadata.labels.mirrored === 'yes' ? w : undefined;
  });
  assert.equal(await workWrites(), writes + 1, 'an up-to-date Work is not written');

  // member1 is no longer scheduled: its Work is deleted (and held by the execution controller's finalizer).
  await fleet.clients.customObjects.patchNamespacedCustomObject(
    { ...RBS, namespace, name: 'nginx-deployment', body: { spec: { clusters: [{ name: 'member2', replicas: 3 }] } } },
    mergePatch,
  );
  const deleted = await fleet.until('the member1 Work deleted', async () => {
    const w = await fleet.getWork('member1', workName);
    return w === undefined || w.metadata.deletionTimestamp ? (w ?? {}) : undefined;
  });
  assert.ok(deleted.metadata?.deletionTimestamp, 'the Work waits for the execution controller');
  await releaseWork('member1', workName);
  const w2Scaled = await fleet.until('member2 with all replicas', async () => {
    const w = await fleet.getWork('member2', workName);
    return manifestOf(w).spec.replicas === 3 ? w : undefined;
  });
  assert.ok(Number(w2Scaled.metadata.resourceVersion) > Number(n2.metadata.resourceVersion));

  // A policy change renders the Works again; by then member1's Work is gone for good.
  await fleet.clients.customObjects.patchNamespacedCustomObject(
    {
      ...OPS,
      namespace,
      name: 'mirror',
      body: {
        spec: {
          overrideRules: [
            { targetCluster: { clusterNames: ['member2'] }, overriders: { imageOverrider: [{ component: 'Tag', operator: 'replace', value: '1.26' }] } },
          ],
        },
      },
    },
    mergePatch,
  );
  await fleet.until('the new override in member2', async () => ((await fleet.getWork('member2', workName)) && imageOf(await fleet.getWork('member2', workName)) === 'nginx:1.26' ? true : undefined));
  assert.equal(await fleet.getWork('member1', workName), undefined);
});

test('a failing override is an Event on the template, and a deleted binding takes its Works with it', async () => {
  await fleet.clients.customObjects.createNamespacedCustomObject({
    ...OPS,
    namespace,
    body: {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'OverridePolicy',
      metadata: { name: 'broken', namespace },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
        overrideRules: [{ overriders: { plaintext: [{ operator: 'remove', path: '/spec/nothing' }] } }],
      },
    },
  });
  const event = await fleet.until('the ApplyOverridePolicyFailed event', async () => {
    const events = await fleet.clients.core.listNamespacedEvent({ namespace });
    return events.items.find((e: CoreV1Event) => e.reason === 'ApplyOverridePolicyFailed');
  });
  assert.equal(event.involvedObject.kind, 'Deployment');
  assert.equal(event.involvedObject.name, 'nginx');
  assert.equal(event.type, 'Warning');
  assert.equal(event.message, `Apply override policy(${namespace}/broken) for cluster(member2) failed.`);
  await fleet.clients.customObjects.deleteNamespacedCustomObject({ ...OPS, namespace, name: 'broken' });

  const workName = generateWorkName('Deployment', 'nginx', namespace);
  await fleet.clients.customObjects.deleteNamespacedCustomObject({ ...RBS, namespace, name: 'nginx-deployment' });
  await fleet.until('the binding gone', async () => {
    try {
      await fleet.clients.customObjects.getNamespacedCustomObject({ ...RBS, namespace, name: 'nginx-deployment' });
      return undefined;
    } catch (err) {
      return (err as { code?: number }).code === 404 ? true : undefined;
    }
  });
  const w = await fleet.getWork('member2', workName);
  assert.ok(w?.metadata.deletionTimestamp, 'its Work is being deleted');
});

async function getBinding(name: string): Promise<any | undefined> {
  try {
    return await fleet.clients.customObjects.getNamespacedCustomObject({ ...RBS, namespace, name });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

test('propagateDeps: a ConfigMap the workload uses follows it to its clusters, and stops when no longer needed', async () => {
  await fleet.clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'web-config' }, data: { mode: 'prod' } } });
  const podSpec = (envFrom: object[]) => ({ containers: [{ name: 'web', image: 'web:1', envFrom }] });
  await fleet.clients.objects.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec([{ configMapRef: { name: 'web-config' } }]) },
    },
  });
  await fleet.clients.customObjects.createNamespacedCustomObject({
    ...RBS,
    namespace,
    body: {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: 'web-deployment', namespace },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web' },
        propagateDeps: true,
        placement: {},
        clusters: [{ name: 'member1' }, { name: 'member2' }],
      },
    },
  });

  const configWork = generateWorkName('ConfigMap', 'web-config', namespace);
  await fleet.until('the ConfigMap in both clusters', async () => ((await fleet.getWork('member1', configWork)) && (await fleet.getWork('member2', configWork)) ? true : undefined));
  const attached = await getBinding('web-config-configmap');
  assert.deepEqual(attached.spec.requiredBy, [{ namespace, name: 'web-deployment', clusters: [{ name: 'member1' }, { name: 'member2' }] }]);
  assert.equal(attached.metadata.ownerReferences[0].kind, 'ConfigMap');
  assert.equal(manifestOf(await fleet.getWork('member1', configWork)).data.mode, 'prod');
  const parent = await getBinding('web-deployment');
  assert.deepEqual(JSON.parse(parent.metadata.annotations[DEPENDENCIES_ANNOTATION]), [{ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-config' }]);

  // The workload moves off member2: so does its ConfigMap.
  await fleet.clients.customObjects.patchNamespacedCustomObject({ ...RBS, namespace, name: 'web-deployment', body: { spec: { clusters: [{ name: 'member1' }] } } }, mergePatch);
  await fleet.until('the ConfigMap Work of member2 deleted', async () => ((await fleet.getWork('member2', configWork))?.metadata.deletionTimestamp ? true : undefined));
  await releaseWork('member2', configWork);

  // The workload no longer uses it: the attached binding goes, and its Works with it.
  await fleet.clients.objects.patch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace }, spec: { template: { spec: podSpec([]) } } } as never,
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
  await fleet.until('the attached binding gone', async () => ((await getBinding('web-config-configmap')) ? undefined : true));
  assert.ok((await fleet.getWork('member1', configWork))?.metadata.deletionTimestamp);
  await releaseWork('member1', configWork);
});

test('propagateDeps: a distributor started after the binding was deleted still lets its dependencies go', async () => {
  await fleet.clients.objects.patch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace }, spec: { template: { spec: { volumes: [{ name: 'c', configMap: { name: 'web-config' } }] } } } } as never,
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
  await fleet.until('the attached binding back', async () => ((await getBinding('web-config-configmap'))?.spec.requiredBy?.length ? true : undefined));

  stopDistributor.abort();
  await fleet.clients.customObjects.deleteNamespacedCustomObject({ ...RBS, namespace, name: 'web-deployment' });
  await fleet.until('the binding gone', async () => ((await getBinding('web-deployment')) ? undefined : true));
  assert.ok(await getBinding('web-config-configmap'), 'nothing lets go while the distributor is down');

  stopDistributor = new AbortController();
  await dependenciesDistributor().start(fleet.context(stopDistributor.signal));
  await fleet.until('the attached binding gone', async () => ((await getBinding('web-config-configmap')) ? undefined : true));
});

test('bindingView: a binding whose template resourceVersion alone changed renders nothing new; any other change does', () => {
  const binding = (change: (b: any) => void = () => {}) => {
    const b: any = {
      metadata: { name: 'web-deployment', namespace: 'apps', resourceVersion: '10', generation: 3, labels: { a: '1' } },
      spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web', uid: 'u', resourceVersion: '5' }, clusters: [{ name: 'm1', replicas: 2 }] },
      status: { conditions: [] },
    };
    change(b);
    return bindingView(b);
  };
  const base = binding();
  const cases: [string, (b: any) => void, boolean][] = [
    // The apiserver moves the generation with any change of the spec.
    ['the template resourceVersion', (b) => ((b.spec.resource.resourceVersion = '6'), (b.metadata.generation = 4)), true],
    ['the binding resourceVersion', (b) => (b.metadata.resourceVersion = '11'), true],
    ['the status', (b) => (b.status.conditions = [{ type: 'Scheduled', status: 'True' }]), true],
    ['the template uid', (b) => (b.spec.resource.uid = 'other'), false],
    ['the target clusters', (b) => (b.spec.clusters = [{ name: 'm2', replicas: 2 }]), false],
    ['a label', (b) => (b.metadata.labels.a = '2'), false],
  ];
  for (const [name, change, same] of cases) assert.equal(binding(change) === base, same, name);
});

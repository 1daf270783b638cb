// The execution controller's metrics: the label mapping on its own, then the controller against real processes (an
// apiserver and a `flotilla members` process with two simulated members, as controllers/testing.ts starts them), with
// Works written by hand as the binding controller would leave them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import client from 'prom-client';
import { TEMPLATE_UID_ANNOTATION } from '../binding/names.js';
import { deploymentManifest, startControllerFleet, WORKS, type ControllerFleet } from '../testing.js';
import { executionController } from './controller.js';
import { executionMetrics } from './metrics.js';
import type { MemberWrite } from './objectwatcher.js';

type Labels = Record<string, string>;
/** A series as prom-client's get() returns it (its types leave out the name a histogram's series carry). */
type Series = { value: number; labels: Labels; metricName?: string };

async function series(registry: client.Registry, name: string): Promise<Series[]> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Series[]) : [];
}

/** The value of metric name (a counter, or a histogram's NAME_count) with exactly these labels. */
async function sample(registry: client.Registry, name: string, labels: Labels): Promise<number> {
  const same = (l: Labels) => Object.keys(l).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => l[k] === v);
  const counted = (s: Series) => s.metricName === undefined || s.metricName === `${name}_count`;
  return (await series(registry, name)).find((s) => counted(s) && same(s.labels))?.value ?? 0;
}

/** The sum of histogram name's observations with these labels. */
async function observedSum(registry: client.Registry, name: string, labels: Labels = {}): Promise<number | undefined> {
  return (await series(registry, name)).find((s) => s.metricName === `${name}_sum` && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

test('countWrite: Karmada’s counter and labels for each write', async () => {
  const registry = new client.Registry();
  const metrics = executionMetrics(registry);
  const manifest = { apiVersion: 'apps/v1', kind: 'Deployment' };
  const object = { apiversion: 'apps/v1', kind: 'Deployment', member_cluster: 'member1' };
  const table: [MemberWrite, string, Labels][] = [
    [{ operation: 'create', ok: true }, 'create_resource_to_cluster', { result: 'success', ...object, recreate: 'false' }],
    [{ operation: 'create', ok: false }, 'create_resource_to_cluster', { result: 'error', ...object, recreate: 'false' }],
    [{ operation: 'update', ok: true, changed: true }, 'update_resource_to_cluster', { result: 'success', ...object, operationResult: 'updated' }],
    [{ operation: 'update', ok: true, changed: false }, 'update_resource_to_cluster', { result: 'success', ...object, operationResult: 'unchanged' }],
    [{ operation: 'update', ok: false }, 'update_resource_to_cluster', { result: 'error', ...object, operationResult: 'unchanged' }],
    [{ operation: 'delete', ok: true }, 'delete_resource_from_cluster', { result: 'success', ...object }],
    [{ operation: 'delete', ok: false }, 'delete_resource_from_cluster', { result: 'error', ...object }],
  ];
  for (const [write, name, labels] of table) {
    const before = await sample(registry, name, labels);
    metrics.countWrite('member1', manifest, write);
    assert.equal(await sample(registry, name, labels), before + 1, JSON.stringify(write));
  }
  assert.equal(executionMetrics(registry), metrics, 'registered once per registry: a second start does not register the names again');
});

test('observeSync: one observation per sync, under its result', async () => {
  const registry = new client.Registry();
  const metrics = executionMetrics(registry);
  metrics.observeSync('success', performance.now());
  metrics.observeSync('error', performance.now() - 1500);
  assert.equal(await sample(registry, 'work_sync_workload_duration_seconds', { result: 'success' }), 1);
  assert.equal(await sample(registry, 'work_sync_workload_duration_seconds', { result: 'error' }), 1);
  const errorSum = (await observedSum(registry, 'work_sync_workload_duration_seconds', { result: 'error' }))!;
  assert.ok(errorSum >= 1.5 && errorSum < 2.5, `the duration in seconds (${errorSum})`);
});

// The controller against real processes.

let fleet: ControllerFleet;
let registry: client.Registry;

const metric = (name: string, labels: Labels) => sample(registry, name, labels);
const syncs = (result: 'success' | 'error') => metric('work_sync_workload_duration_seconds', { result });
const propagations = () => metric('flotilla_propagation_duration_seconds', {});
const deployments = (result: string, cluster: string) => ({ result, apiversion: 'apps/v1', kind: 'Deployment', member_cluster: cluster });

const applied = async (cluster: string, name: string) => (await fleet.getWork(cluster, name))?.status?.conditions?.find((c: any) => c.type === 'Applied')?.status as string | undefined;

/** A Deployment template on the control plane, and the manifest the binding controller would render from it. */
async function template(name: string): Promise<{ manifest: object; created: number }> {
  const t = await fleet.clients.objects.create(deploymentManifest(name, 1) as k8s.KubernetesObject);
  return {
    manifest: deploymentManifest(name, 1, { annotations: { [TEMPLATE_UID_ANNOTATION]: t.metadata!.uid! } }),
    created: Date.parse(String(t.metadata!.creationTimestamp)),
  };
}

before(async () => {
  fleet = await startControllerFleet();
  const ctx = fleet.context();
  registry = ctx.metrics.registry;
  await executionController().start(ctx);
});

after(() => fleet?.stop());

test('a Work applied to its member: a successful sync, a create, and the propagation from its template’s creation', async () => {
  const { manifest, created } = await template('web');
  await fleet.createWork('member1', 'web', manifest);
  await fleet.until('web applied', async () => ((await applied('member1', 'web')) === 'True' ? true : undefined));
  const appliedBy = Date.now();

  assert.equal(await metric('create_resource_to_cluster', { ...deployments('success', 'member1'), recreate: 'false' }), 1);
  assert.ok((await syncs('success')) >= 1);
  assert.equal(await syncs('error'), 0);
  await fleet.until('the propagation observed', async () => ((await propagations()) === 1 ? true : undefined));
  const seconds = (await observedSum(registry, 'flotilla_propagation_duration_seconds'))!;
  // The creationTimestamp is in whole seconds: the observation may exceed the real latency by up to one.
  assert.ok(seconds >= 0 && seconds <= (appliedBy - created) / 1000, `${seconds}s between the template's creation and its Work applied`);
});

test('an update of the Work counts an update that changed the member object', async () => {
  const before = await metric('update_resource_to_cluster', { ...deployments('success', 'member1'), operationResult: 'updated' });
  await fleet.clients.customObjects.patchNamespacedCustomObject(
    { ...WORKS, namespace: 'karmada-es-member1', name: 'web', body: { spec: { workload: { manifests: [deploymentManifest('web', 3)] } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await fleet.until('web scaled in member1', async () => ((await fleet.memberDeployment('member1', 'web'))?.spec?.replicas === 3 ? true : undefined));
  // At least one: a resync still in flight from the create may have updated the member object too.
  await fleet.until('the update counted', async () => ((await metric('update_resource_to_cluster', { ...deployments('success', 'member1'), operationResult: 'updated' })) > before ? true : undefined));
});

test('no propagation is observed for a Work written by hand, nor for one whose template is another object now', async () => {
  const observed = await propagations();
  await fleet.createWork('member2', 'by-hand', deploymentManifest('by-hand', 1));
  await template('stale');
  await fleet.createWork('member2', 'stale', deploymentManifest('stale', 1, { annotations: { [TEMPLATE_UID_ANNOTATION]: 'a-deleted-template' } }));
  for (const name of ['by-hand', 'stale']) await fleet.until(`${name} applied`, async () => ((await applied('member2', name)) === 'True' ? true : undefined));
  // A Work that does observe, afterwards: the two before it have had their turn once it is counted.
  const { manifest } = await template('after');
  await fleet.createWork('member2', 'after', manifest);
  await fleet.until('the propagation of after observed', async () => ((await propagations()) > observed ? true : undefined));
  assert.equal(await propagations(), observed + 1);
  assert.equal(await metric('create_resource_to_cluster', { ...deployments('success', 'member2'), recreate: 'false' }), 3, 'every object created is counted');
});

test('failed syncs count errors, each by what failed', async () => {
  const cases: { name: string; arrange(): Promise<() => Promise<void>>; work: [cluster: string, name: string, manifest: object]; counted?: [string, Labels] }[] = [
    {
      name: 'the member refuses the object (its namespace does not exist there)',
      arrange: async () => async () => {},
      work: ['member1', 'nowhere', deploymentManifest('nowhere', 1, { namespace: 'missing' })],
      counted: ['create_resource_to_cluster', { ...deployments('error', 'member1'), recreate: 'false' }],
    },
    {
      name: 'the member has the object, and it is not Karmada’s',
      arrange: async () => {
        await fleet.memberApps('member1').createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('theirs', 1) as k8s.V1Deployment });
        return async () => {};
      },
      work: ['member1', 'theirs', deploymentManifest('theirs', 2)],
      counted: ['update_resource_to_cluster', { ...deployments('error', 'member1'), operationResult: 'unchanged' }],
    },
    {
      // Its informer cache says the object is not there (as Karmada's ObjectWatcher reads it): the create is tried.
      name: 'the member cannot be reached',
      arrange: async () => {
        await fleet.setOnline('member2', false);
        return () => fleet.setOnline('member2', true);
      },
      work: ['member2', 'offline', deploymentManifest('offline', 1)],
      counted: ['create_resource_to_cluster', { ...deployments('error', 'member2'), recreate: 'false' }],
    },
  ];
  for (const c of cases) {
    const errors = await syncs('error');
    const counted = c.counted ? await metric(...c.counted) : 0;
    const restore = await c.arrange();
    try {
      await fleet.createWork(...c.work);
      await fleet.until(`${c.name}: Applied False`, async () => ((await applied(c.work[0], c.work[1])) === 'False' ? true : undefined));
      await fleet.until(`${c.name}: the sync counted as an error`, async () => ((await syncs('error')) > errors ? true : undefined));
      if (c.counted) assert.ok((await metric(...c.counted)) > counted, `${c.name}: ${c.counted[0]} counts the error`);
    } finally {
      await restore();
    }
  }
  // Once the member is back, the object is created.
  await fleet.until('offline applied once member2 is back', async () => ((await applied('member2', 'offline')) === 'True' ? true : undefined));
  assert.ok(await fleet.memberDeployment('member2', 'offline'));
});

test('deleting a Work counts the delete of its member object', async () => {
  await fleet.clients.customObjects.deleteNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'web' });
  await fleet.until('web gone from member1', async () => ((await fleet.memberDeployment('member1', 'web')) ? undefined : true));
  await fleet.until('the delete counted', async () => ((await metric('delete_resource_from_cluster', deployments('success', 'member1'))) === 1 ? true : undefined));
});

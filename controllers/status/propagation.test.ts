// The execution, work status and binding status controllers against real processes: an apiserver, and a `flotilla
// members` process with two simulated members joined to it (controllers/testing.ts). Works and a ResourceBinding are
// written by hand, as the binding controller would leave them.
import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { CONFLICT_RESOLUTION_ANNOTATION, EXECUTION_CONTROLLER_FINALIZER, RB_NAME_ANNOTATION, RB_NAMESPACE_ANNOTATION, RB_PERMANENT_ID_LABEL, TEMPLATE_GENERATION_ANNOTATION } from '../binding/names.js';
import { executionController } from '../execution/controller.js';
import { deploymentManifest, startControllerFleet, WORKS, type ControllerFleet } from '../testing.js';
import { MemberClients } from '../runtime/memberclient.js';
import { bindingStatusController } from './bindingstatus.js';
import { workStatusController } from './workstatus.js';

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

let fleet: ControllerFleet;

const condition = (obj: any, type: string) => obj?.status?.conditions?.find((c: any) => c.type === type);

before(async () => {
  fleet = await startControllerFleet({ namespaces: ['apps'] });
  // The namespace the binding's template lives in, as namespace sync would propagate it.
  for (const m of fleet.memberNames) await fleet.memberConfig(m).makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'apps' } } });
  const ctx = fleet.context();
  for (const c of [executionController(), workStatusController(), bindingStatusController()]) await c.start(ctx);
});

after(() => fleet?.stop());

test('a Work is applied to its member, and its status reports the object Healthy once it is ready', async () => {
  await fleet.createWork('member1', 'web', deploymentManifest('web', 2));
  const deployed = await fleet.until('web in member1', () => fleet.memberDeployment('member1', 'web'));
  assert.equal(deployed.spec!.replicas, 2);
  assert.equal(deployed.metadata!.labels!['karmada.io/managed'], 'true', 'the member object is marked as Karmada’s');
  assert.equal(deployed.metadata!.annotations!['work.karmada.io/name'], 'web');
  assert.equal(await fleet.memberDeployment('member2', 'web'), undefined, 'only the Work’s own member gets it');

  const work = await fleet.until('web applied and healthy', async () => {
    const w = await fleet.getWork('member1', 'web');
    return condition(w, 'Applied')?.status === 'True' && w.status?.manifestStatuses?.[0]?.health === 'Healthy' ? w : undefined;
  });
  assert.deepEqual(
    { ...condition(work, 'Applied'), lastTransitionTime: undefined },
    { type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message: 'Manifest has been successfully applied', lastTransitionTime: undefined },
  );
  assert.equal(condition(work, 'Dispatching')?.reason, 'Dispatching');
  assert.ok(work.metadata.finalizers.includes(EXECUTION_CONTROLLER_FINALIZER));
  const [ms] = work.status.manifestStatuses;
  assert.deepEqual(ms.identifier, { ordinal: 0, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'default', name: 'web' });
  assert.deepEqual(
    { replicas: ms.status.replicas, readyReplicas: ms.status.readyReplicas, availableReplicas: ms.status.availableReplicas, generation: ms.status.generation },
    { replicas: 2, readyReplicas: 2, availableReplicas: 2, generation: 1 },
  );
});

test('a change made in the member is undone, and an object deleted there is created again', async () => {
  await fleet.memberApps('member1').patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 5 }, metadata: { labels: { app: 'changed' } } } }, mergePatch);
  const restored = await fleet.until('web restored in member1', async () => {
    const d = await fleet.memberDeployment('member1', 'web');
    return d?.spec?.replicas === 2 && d.metadata?.labels?.app === 'web' ? d : undefined;
  });
  assert.equal(restored.metadata!.labels!['karmada.io/managed'], 'true');
  // Created, changed by hand, restored: nothing else rewrote the spec.
  assert.equal(restored.metadata!.generation, 3);

  const uid = restored.metadata!.uid;
  await fleet.memberApps('member1').deleteNamespacedDeployment({ name: 'web', namespace: 'default' });
  const recreated = await fleet.until('web recreated in member1', async () => {
    const d = await fleet.memberDeployment('member1', 'web');
    return d && d.metadata!.uid !== uid ? d : undefined;
  });
  assert.equal(recreated.spec!.replicas, 2);
  const work = await fleet.until('the recreation recorded', async () => {
    const w = await fleet.getWork('member1', 'web');
    return condition(w, 'Applied')?.reason === 'ReCreateSuccessful' ? w : undefined;
  });
  assert.equal(condition(work, 'Applied').status, 'True');

  // A change of the Work reaches the member.
  await fleet.clients.customObjects.patchNamespacedCustomObject(
    { ...WORKS, namespace: 'karmada-es-member1', name: 'web', body: { spec: { workload: { manifests: [deploymentManifest('web', 3)] } } } },
    mergePatch,
  );
  await fleet.until('web scaled in member1', async () => ((await fleet.memberDeployment('member1', 'web'))?.spec?.replicas === 3 ? true : undefined));
});

test('new credentials for a member: its objects are watched through the new client, and a change there is still undone', async () => {
  // Settled first: the status of web at 3 replicas reflected, and the reconcile that its own write queues done. A
  // reconcile still queued would pick up the new client by itself; only the rebuild may bring this one.
  await fleet.until('web reflected at 3 ready replicas', async () => ((await fleet.getWork('member1', 'web'))?.status?.manifestStatuses?.[0]?.status?.readyReplicas === 3 ? true : undefined));
  await setTimeout(1_000);
  const members = MemberClients.shared(fleet.context());
  const before = members.get('member1');
  const cluster: any = await fleet.clients.customObjects.getClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name: 'member1' });
  const { namespace, name } = cluster.spec.secretRef;
  await fleet.clients.core.patchNamespacedSecret({ namespace, name, body: { metadata: { annotations: { rotated: 'yes' } } } }, mergePatch);
  // What the cluster status controller's next probe would do: build the client again from the new Secret.
  await fleet.until('the member1 client rebuilt', async () => (members.get('member1') !== before ? true : undefined));

  await fleet.memberApps('member1').patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 7 } } }, mergePatch);
  await fleet.until('web restored in member1 after the rebuild', async () => ((await fleet.memberDeployment('member1', 'web'))?.spec?.replicas === 3 ? true : undefined));
});

test('an object the member already has is not taken over (Abort) unless the Work says Overwrite', async () => {
  await fleet.memberApps('member1').createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('theirs', 1, { image: 'busybox:1' }) as k8s.V1Deployment });
  await fleet.createWork('member1', 'theirs', deploymentManifest('theirs', 3));
  const refused = await fleet.until('the conflict reported', async () => {
    const w = await fleet.getWork('member1', 'theirs');
    return condition(w, 'Applied')?.status === 'False' ? w : undefined;
  });
  assert.equal(condition(refused, 'Applied').reason, 'AppliedFailed');
  assert.equal(
    condition(refused, 'Applied').message,
    'Failed to apply all manifests (0/1): resource(kind=Deployment, default/theirs) already exists in the cluster member1 and the work.karmada.io/conflict-resolution strategy value is empty, Karmada will not manage this resource',
  );
  const untouched = (await fleet.memberDeployment('member1', 'theirs'))!;
  assert.equal(untouched.spec!.template.spec!.containers[0].image, 'busybox:1');
  assert.equal(untouched.metadata!.labels!['karmada.io/managed'], undefined);

  await fleet.clients.customObjects.patchNamespacedCustomObject(
    { ...WORKS, namespace: 'karmada-es-member1', name: 'theirs', body: { metadata: { annotations: { [CONFLICT_RESOLUTION_ANNOTATION]: 'overwrite' } } } },
    mergePatch,
  );
  const taken = await fleet.until('theirs taken over', async () => {
    const d = await fleet.memberDeployment('member1', 'theirs');
    return d?.metadata?.labels?.['karmada.io/managed'] === 'true' ? d : undefined;
  });
  assert.deepEqual([taken.spec!.replicas, taken.spec!.template.spec!.containers[0].image], [3, 'nginx:1.27']);
  await fleet.until('theirs applied', async () => (condition(await fleet.getWork('member1', 'theirs'), 'Applied')?.status === 'True' ? true : undefined));
});

test('deleting a Work deletes its member object, unless it preserves resources on deletion', async () => {
  await fleet.clients.customObjects.deleteNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'web' });
  await fleet.until('web gone from member1', async () => ((await fleet.memberDeployment('member1', 'web')) ? undefined : true));
  await fleet.until('the Work gone once its finalizer is removed', async () => ((await fleet.getWork('member1', 'web')) ? undefined : true));

  await fleet.clients.customObjects.patchNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'theirs', body: { spec: { preserveResourcesOnDeletion: true } } }, mergePatch);
  await fleet.clients.customObjects.deleteNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'theirs' });
  await fleet.until('the preserving Work gone', async () => ((await fleet.getWork('member1', 'theirs')) ? undefined : true));
  const kept = (await fleet.memberDeployment('member1', 'theirs'))!;
  assert.ok(kept, 'the object stays in the member');
  assert.equal(kept.metadata!.labels!['karmada.io/managed'], undefined, 'no longer marked as Karmada’s');
  assert.equal(kept.metadata!.annotations?.['work.karmada.io/name'], undefined);
});

test('a member that cannot be reached: Applied says why, and the Work is applied once it is back', async () => {
  await fleet.setOnline('member2', false);
  try {
    await fleet.createWork('member2', 'offline', deploymentManifest('offline', 1));
    const failed = await fleet.until('the failure reported', async () => {
      const w = await fleet.getWork('member2', 'offline');
      return condition(w, 'Applied')?.status === 'False' ? w : undefined;
    });
    assert.equal(condition(failed, 'Applied').reason, 'AppliedFailed');
    assert.match(condition(failed, 'Applied').message, /^Failed to apply all manifests \(0\/1\): /);
  } finally {
    await fleet.setOnline('member2', true);
  }
  await fleet.until('offline applied after the member is back', async () => (condition(await fleet.getWork('member2', 'offline'), 'Applied')?.status === 'True' ? true : undefined));
  assert.ok(await fleet.memberDeployment('member2', 'offline'));
});

test('a ResourceBinding with a Work per member: aggregated status, FullyApplied, and the template status summed', async () => {
  const template = await fleet.clients.objects.create({ ...deploymentManifest('shop', 2, { namespace: 'apps' }) } as k8s.KubernetesObject);
  const generation = template.metadata!.generation!;
  const rb = 'shop-deployment';
  await fleet.clients.customObjects.createNamespacedCustomObject({
    group: 'work.karmada.io',
    version: 'v1alpha2',
    plural: 'resourcebindings',
    namespace: 'apps',
    body: {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: rb, labels: { [RB_PERMANENT_ID_LABEL]: 'shop-id' } },
      spec: {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'shop', uid: template.metadata!.uid },
        clusters: fleet.memberNames.map((name) => ({ name, replicas: 1 })),
      },
    },
  });
  for (const m of fleet.memberNames) {
    const manifest = deploymentManifest('shop', 1, { namespace: 'apps', annotations: { [TEMPLATE_GENERATION_ANNOTATION]: String(generation) } });
    await fleet.createWork(m, 'shop', manifest, { labels: { [RB_PERMANENT_ID_LABEL]: 'shop-id' }, annotations: { [RB_NAMESPACE_ANNOTATION]: 'apps', [RB_NAME_ANNOTATION]: rb } });
  }

  const binding: any = await fleet.until('the binding fully applied', async () => {
    const b: any = await fleet.clients.customObjects.getNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', plural: 'resourcebindings', namespace: 'apps', name: rb });
    return condition(b, 'FullyApplied')?.status === 'True' ? b : undefined;
  });
  assert.equal(condition(binding, 'FullyApplied').reason, 'FullyAppliedSuccess');
  const items = binding.status.aggregatedStatus;
  assert.deepEqual(
    items.map((i: any) => [i.clusterName, i.applied, i.health, i.status.readyReplicas]),
    fleet.memberNames.map((m) => [m, true, 'Healthy', 1]),
  );

  const summed = await fleet.until('the template status summed', async () => {
    const d = await fleet.clients.objects.read<k8s.V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'apps', name: 'shop' } });
    const s = d.status;
    return s?.readyReplicas === 2 && s.observedGeneration === generation ? s : undefined;
  });
  assert.deepEqual(
    [summed.replicas, summed.updatedReplicas, summed.readyReplicas, summed.availableReplicas, summed.unavailableReplicas],
    [2, 2, 2, 2, undefined],
  );
});

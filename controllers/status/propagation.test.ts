// The execution, work status and binding status controllers against real processes: an apiserver, and a `flotilla
// members` process with two simulated members joined to it. Works and a ResourceBinding are written by hand, as the
// binding controller would leave them; the controllers run in this process on the admin kubeconfig, and the members
// are observed through their own kubeconfigs. The Clusters are marked Ready by hand, as the cluster status
// controller would.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import { joinCluster } from '../../cli/join.js';
import { APIServerProcess, CLI, freePort, tempDir } from '../../e2e/harness.js';
import { CONFLICT_RESOLUTION_ANNOTATION, EXECUTION_CONTROLLER_FINALIZER, RB_NAME_ANNOTATION, RB_NAMESPACE_ANNOTATION, RB_PERMANENT_ID_LABEL, TEMPLATE_GENERATION_ANNOTATION } from '../binding/names.js';
import { executionController } from '../execution/controller.js';
import { loadClients, type Clients } from '../runtime/client.js';
import type { ControllerContext } from '../runtime/controller.js';
import { InformerFactory } from '../runtime/informer.js';
import { ComponentMetrics } from '../runtime/metrics.js';
import { bindingStatusController } from './bindingstatus.js';
import { workStatusController } from './workstatus.js';

const MEMBERS = ['member1', 'member2'];
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const WORKS = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };

let server: APIServerProcess;
let membersDir: string;
let membersPort: number;
let members: ChildProcess;
let membersOutput = '';
let clients: Clients;
let informers: InformerFactory;
const stop = new AbortController();
const memberApps = new Map<string, k8s.AppsV1Api>();

/** Polls probe until it returns a value; the deadline only keeps a broken build from hanging the suite. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\n${membersOutput.slice(-2000)}`);
    await sleep(100);
  }
}

const code = (err: unknown) => (err as { code?: number }).code;

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (code(err) === 404) return undefined;
    throw err;
  }
}

const memberDeployment = (cluster: string, name: string, namespace = 'default') => orUndefined(memberApps.get(cluster)!.readNamespacedDeployment({ name, namespace }));
const getWork = (cluster: string, name: string): Promise<any> => orUndefined(clients.customObjects.getNamespacedCustomObject({ ...WORKS, namespace: `karmada-es-${cluster}`, name }));
const condition = (obj: any, type: string) => obj?.status?.conditions?.find((c: any) => c.type === type);

function deploymentManifest(name: string, replicas: number, extra: { namespace?: string; annotations?: Record<string, string>; image?: string } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: extra.namespace ?? 'default', labels: { app: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

async function createWork(cluster: string, name: string, manifest: object, metadata: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) {
  await clients.customObjects.createNamespacedCustomObject({
    ...WORKS,
    namespace: `karmada-es-${cluster}`,
    body: { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name, ...metadata }, spec: { workload: { manifests: [manifest] }, ...spec } },
  });
}

/** PUT /members/NAME/online on the members process, with its admin credentials. */
async function setOnline(member: string, online: boolean): Promise<void> {
  const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(membersDir, 'pki', f))));
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: membersPort, path: `/members/${member}/online`, method: 'PUT', ca, cert, key, servername: 'localhost' }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(String(online));
  });
  assert.equal(status, 204);
}

before(async () => {
  server = await APIServerProcess.start();
  membersDir = await tempDir('flotilla-members-');
  membersPort = await freePort();
  members = spawn(process.execPath, [CLI, 'members', '--count', String(MEMBERS.length), '--data-dir', membersDir, '--port', String(membersPort), '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  members.stdout!.on('data', (d) => (membersOutput += d));
  members.stderr!.on('data', (d) => (membersOutput += d));
  clients = loadClients(server.kubeconfig);
  for (const name of ['apps', ...MEMBERS.map((m) => `karmada-es-${m}`)]) await clients.core.createNamespace({ body: { metadata: { name } } });
  for (const m of MEMBERS) {
    const file = join(membersDir, m, 'admin.kubeconfig');
    await until(`${m}'s kubeconfig`, async () => (existsSync(file) && membersOutput.includes(`${MEMBERS.at(-1)}\t`) ? true : undefined));
    await joinCluster({ name: m, clusterKubeconfig: file, kubeconfig: server.kubeconfig });
    await clients.customObjects.patchClusterCustomObjectStatus(
      {
        group: 'cluster.karmada.io',
        version: 'v1alpha1',
        plural: 'clusters',
        name: m,
        body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
      },
      mergePatch,
    );
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(file);
    memberApps.set(m, kc.makeApiClient(k8s.AppsV1Api));
    // The namespace the binding's template lives in, as namespace sync would propagate it.
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'apps' } } });
  }
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  informers = new InformerFactory(clients.kc, logger, { initialMs: 100, maxMs: 1000 });
  const ctx: ControllerContext = { informers, client: clients, logger, metrics: new ComponentMetrics(), signal: stop.signal };
  for (const c of [executionController(), workStatusController({ resyncPeriodMs: 5_000, unsyncedRetryMs: 200 }), bindingStatusController()]) await c.start(ctx);
});

after(async () => {
  stop.abort();
  await informers?.stop();
  if (members && members.exitCode === null && members.signalCode === null) {
    const exited = new Promise((r) => members.once('exit', r));
    members.kill('SIGTERM');
    await exited;
  }
  await server?.destroy();
  if (membersDir) await rm(membersDir, { recursive: true, force: true });
});

test('a Work is applied to its member, and its status reports the object Healthy once it is ready', async () => {
  await createWork('member1', 'web', deploymentManifest('web', 2));
  const deployed = await until('web in member1', () => memberDeployment('member1', 'web'));
  assert.equal(deployed.spec!.replicas, 2);
  assert.equal(deployed.metadata!.labels!['karmada.io/managed'], 'true', 'the member object is marked as Karmada’s');
  assert.equal(deployed.metadata!.annotations!['work.karmada.io/name'], 'web');
  assert.equal(await memberDeployment('member2', 'web'), undefined, 'only the Work’s own member gets it');

  const work = await until('web applied and healthy', async () => {
    const w = await getWork('member1', 'web');
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
  await memberApps.get('member1')!.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 5 }, metadata: { labels: { app: 'changed' } } } }, mergePatch);
  const restored = await until('web restored in member1', async () => {
    const d = await memberDeployment('member1', 'web');
    return d?.spec?.replicas === 2 && d.metadata?.labels?.app === 'web' ? d : undefined;
  });
  assert.equal(restored.metadata!.labels!['karmada.io/managed'], 'true');
  // Created, changed by hand, restored: nothing else rewrote the spec.
  assert.equal(restored.metadata!.generation, 3);

  const uid = restored.metadata!.uid;
  await memberApps.get('member1')!.deleteNamespacedDeployment({ name: 'web', namespace: 'default' });
  const recreated = await until('web recreated in member1', async () => {
    const d = await memberDeployment('member1', 'web');
    return d && d.metadata!.uid !== uid ? d : undefined;
  });
  assert.equal(recreated.spec!.replicas, 2);
  const work = await until('the recreation recorded', async () => {
    const w = await getWork('member1', 'web');
    return condition(w, 'Applied')?.reason === 'ReCreateSuccessful' ? w : undefined;
  });
  assert.equal(condition(work, 'Applied').status, 'True');

  // A change of the Work reaches the member.
  await clients.customObjects.patchNamespacedCustomObject(
    { ...WORKS, namespace: 'karmada-es-member1', name: 'web', body: { spec: { workload: { manifests: [deploymentManifest('web', 3)] } } } },
    mergePatch,
  );
  await until('web scaled in member1', async () => ((await memberDeployment('member1', 'web'))?.spec?.replicas === 3 ? true : undefined));
});

test('an object the member already has is not taken over (Abort) unless the Work says Overwrite', async () => {
  await memberApps.get('member1')!.createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('theirs', 1, { image: 'busybox:1' }) as k8s.V1Deployment });
  await createWork('member1', 'theirs', deploymentManifest('theirs', 3));
  const refused = await until('the conflict reported', async () => {
    const w = await getWork('member1', 'theirs');
    return condition(w, 'Applied')?.status === 'False' ? w : undefined;
  });
  assert.equal(condition(refused, 'Applied').reason, 'AppliedFailed');
  assert.equal(
    condition(refused, 'Applied').message,
    'Failed to apply all manifests (0/1): resource(kind=Deployment, default/theirs) already exists in the cluster member1 and the work.karmada.io/conflict-resolution strategy value is empty, Karmada will not manage this resource',
  );
  const untouched = (await memberDeployment('member1', 'theirs'))!;
  assert.equal(untouched.spec!.template.spec!.containers[0].image, 'busybox:1');
  assert.equal(untouched.metadata!.labels!['karmada.io/managed'], undefined);

  await clients.customObjects.patchNamespacedCustomObject(
    { ...WORKS, namespace: 'karmada-es-member1', name: 'theirs', body: { metadata: { annotations: { [CONFLICT_RESOLUTION_ANNOTATION]: 'overwrite' } } } },
    mergePatch,
  );
  const taken = await until('theirs taken over', async () => {
    const d = await memberDeployment('member1', 'theirs');
    return d?.metadata?.labels?.['karmada.io/managed'] === 'true' ? d : undefined;
  });
  assert.deepEqual([taken.spec!.replicas, taken.spec!.template.spec!.containers[0].image], [3, 'nginx:1.27']);
  await until('theirs applied', async () => (condition(await getWork('member1', 'theirs'), 'Applied')?.status === 'True' ? true : undefined));
});

test('deleting a Work deletes its member object, unless it preserves resources on deletion', async () => {
  await clients.customObjects.deleteNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'web' });
  await until('web gone from member1', async () => ((await memberDeployment('member1', 'web')) ? undefined : true));
  await until('the Work gone once its finalizer is removed', async () => ((await getWork('member1', 'web')) ? undefined : true));

  await clients.customObjects.patchNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'theirs', body: { spec: { preserveResourcesOnDeletion: true } } }, mergePatch);
  await clients.customObjects.deleteNamespacedCustomObject({ ...WORKS, namespace: 'karmada-es-member1', name: 'theirs' });
  await until('the preserving Work gone', async () => ((await getWork('member1', 'theirs')) ? undefined : true));
  const kept = (await memberDeployment('member1', 'theirs'))!;
  assert.ok(kept, 'the object stays in the member');
  assert.equal(kept.metadata!.labels!['karmada.io/managed'], undefined, 'no longer marked as Karmada’s');
  assert.equal(kept.metadata!.annotations?.['work.karmada.io/name'], undefined);
});

test('a member that cannot be reached: Applied says why, and the Work is applied once it is back', async () => {
  await setOnline('member2', false);
  try {
    await createWork('member2', 'offline', deploymentManifest('offline', 1));
    const failed = await until('the failure reported', async () => {
      const w = await getWork('member2', 'offline');
      return condition(w, 'Applied')?.status === 'False' ? w : undefined;
    });
    assert.equal(condition(failed, 'Applied').reason, 'AppliedFailed');
    assert.match(condition(failed, 'Applied').message, /^Failed to apply all manifests \(0\/1\): /);
  } finally {
    await setOnline('member2', true);
  }
  await until('offline applied after the member is back', async () => (condition(await getWork('member2', 'offline'), 'Applied')?.status === 'True' ? true : undefined));
  assert.ok(await memberDeployment('member2', 'offline'));
});

test('a ResourceBinding with a Work per member: aggregated status, FullyApplied, and the template status summed', async () => {
  const template = await clients.objects.create({ ...deploymentManifest('shop', 2, { namespace: 'apps' }) } as k8s.KubernetesObject);
  const generation = template.metadata!.generation!;
  const rb = 'shop-deployment';
  await clients.customObjects.createNamespacedCustomObject({
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
        clusters: MEMBERS.map((name) => ({ name, replicas: 1 })),
      },
    },
  });
  for (const m of MEMBERS) {
    const manifest = deploymentManifest('shop', 1, { namespace: 'apps', annotations: { [TEMPLATE_GENERATION_ANNOTATION]: String(generation) } });
    await createWork(m, 'shop', manifest, { labels: { [RB_PERMANENT_ID_LABEL]: 'shop-id' }, annotations: { [RB_NAMESPACE_ANNOTATION]: 'apps', [RB_NAME_ANNOTATION]: rb } });
  }

  const binding: any = await until('the binding fully applied', async () => {
    const b: any = await clients.customObjects.getNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', plural: 'resourcebindings', namespace: 'apps', name: rb });
    return condition(b, 'FullyApplied')?.status === 'True' ? b : undefined;
  });
  assert.equal(condition(binding, 'FullyApplied').reason, 'FullyAppliedSuccess');
  const items = binding.status.aggregatedStatus;
  assert.deepEqual(
    items.map((i: any) => [i.clusterName, i.applied, i.health, i.status.readyReplicas]),
    MEMBERS.map((m) => [m, true, 'Healthy', 1]),
  );

  const summed = await until('the template status summed', async () => {
    const d = await clients.objects.read<k8s.V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'apps', name: 'shop' } });
    const s = d.status;
    return s?.readyReplicas === 2 && s.observedGeneration === generation ? s : undefined;
  });
  assert.deepEqual(
    [summed.replicas, summed.updatedReplicas, summed.readyReplicas, summed.availableReplicas, summed.unavailableReplicas],
    [2, 2, 2, 2, undefined],
  );
});

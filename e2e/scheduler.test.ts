// The scheduling loop against a real apiserver process: Clusters are created with their status written through the
// status subresource (Ready, API enablements, resource summary), bindings are created by hand, and the loop runs in
// this process over shared informers, as the scheduler process runs it. The assertions read what the loop wrote:
// spec.clusters, the applied-placement annotation and the Scheduled condition.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import type { Cluster, ClusterStatus, Condition, Placement, ResourceBinding, Taint } from '../openapi/karmada/types.js';
import { loadClients } from '../controllers/runtime/client.js';
import { EventBroadcaster } from '../controllers/runtime/events.js';
import { InformerFactory } from '../controllers/runtime/informer.js';
import { ComponentMetrics } from '../controllers/runtime/metrics.js';
import { schedulingLoop } from '../scheduler/schedule.js';
import { APIServerProcess } from './harness.js';

const NAMESPACE = 'scheduling';
const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

let server: APIServerProcess;
let custom: k8s.CustomObjectsApi;
let informers: InformerFactory;
let metrics: ComponentMetrics;
const stop = new AbortController();

/** Polls fn until it returns a value; the deadline only keeps a broken build from hanging the suite. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}\n${server.output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function clusterStatus(pods: number): ClusterStatus {
  return {
    conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: '2024-01-01T00:00:00Z' }],
    apiEnablements: [{ groupVersion: 'apps/v1', resources: [{ kind: 'Deployment', name: 'deployments' }] }],
    resourceSummary: { allocatable: { pods: String(pods), cpu: '8', memory: '16Gi' }, allocated: { pods: '0' } },
  };
}

async function createCluster(name: string, labels: Record<string, string>, pods: number, taints: Taint[] = []): Promise<void> {
  const body: Cluster = { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name, labels }, spec: { syncMode: 'Push', taints } };
  await custom.createClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', body });
  await custom.patchClusterCustomObjectStatus({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name, body: { status: clusterStatus(pods) } }, MERGE);
}

function bindingBody(name: string, replicas: number, placement: Placement, kind = 'ResourceBinding'): ResourceBinding {
  return {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind,
    metadata: { name, ...(kind === 'ResourceBinding' ? { namespace: NAMESPACE } : {}), labels: { 'propagationpolicy.karmada.io/permanent-id': `${name}-id` } },
    spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name }, replicas, placement },
  };
}

const rb = { group: 'work.karmada.io', version: 'v1alpha2', namespace: NAMESPACE, plural: 'resourcebindings' };

async function createBinding(name: string, replicas: number, placement: Placement): Promise<void> {
  await custom.createNamespacedCustomObject({ ...rb, body: bindingBody(name, replicas, placement) });
}

async function getBinding(name: string): Promise<ResourceBinding> {
  return custom.getNamespacedCustomObject({ ...rb, name });
}

function scheduled(b: ResourceBinding): Condition | undefined {
  return b.status?.conditions?.find((c) => c.type === 'Scheduled');
}

/** The binding once its Scheduled condition has the reason and check holds. */
function bindingWhen(name: string, reason: string, check: (b: ResourceBinding) => boolean = () => true): Promise<ResourceBinding> {
  return until(`${name} ${reason}`, async () => {
    const b = await getBinding(name);
    return scheduled(b)?.reason === reason && check(b) ? b : undefined;
  });
}

const replicasOf = (b: ResourceBinding) => Object.fromEntries((b.spec.clusters ?? []).map((c) => [c.name, c.replicas ?? 0]));

before(async () => {
  server = await APIServerProcess.start();
  const clients = loadClients(server.kubeconfig);
  custom = clients.customObjects;
  await clients.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  await createCluster('member1', { env: 'prod' }, 10);
  await createCluster('member2', { env: 'prod' }, 5);
  await createCluster('member3', { env: 'dev' }, 10, [{ key: 'maintenance', value: 'true', effect: 'NoSchedule' }]);

  const logger = pino({ level: process.env.SCHED_LOG ?? 'silent' });
  informers = new InformerFactory(clients.kc, logger, { initialMs: 100, maxMs: 1000 });
  metrics = new ComponentMetrics();
  await schedulingLoop({ workers: 2 }).start({ informers, client: clients, logger, metrics, events: new EventBroadcaster(clients.kc, logger), signal: stop.signal });
});

after(async () => {
  stop.abort();
  await informers?.stop();
  await server?.destroy();
});

test('duplicated: every matching cluster gets all the replicas, and the result is recorded', async () => {
  await createBinding('dup', 3, { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } });
  const b = await bindingWhen('dup', 'Success');
  assert.deepEqual(replicasOf(b), { member1: 3, member2: 3 });
  const condition = scheduled(b)!;
  assert.equal(condition.status, 'True');
  assert.equal(condition.message, 'Binding has been scheduled successfully.');
  assert.equal(b.status!.schedulerObservedGeneration, b.metadata!.generation);
  assert.ok(b.status!.lastScheduledTime);
  assert.deepEqual(JSON.parse(b.metadata!.annotations!['policy.karmada.io/applied-placement']), b.spec.placement);
});

test('static weights 1:2 divide 9 as 3 and 6, and 12 as 4 and 8 after a scale-up', async () => {
  await createBinding('weighted', 9, {
    clusterAffinity: { clusterNames: ['member1', 'member2'] },
    replicaScheduling: {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: {
        staticWeightList: [
          { targetCluster: { clusterNames: ['member1'] }, weight: 1 },
          { targetCluster: { clusterNames: ['member2'] }, weight: 2 },
        ],
      },
    },
  });
  assert.deepEqual(replicasOf(await bindingWhen('weighted', 'Success')), { member1: 3, member2: 6 });
  await custom.patchNamespacedCustomObject({ ...rb, name: 'weighted', body: { spec: { replicas: 12 } } }, MERGE);
  const b = await bindingWhen('weighted', 'Success', (x) => x.spec.replicas === 12 && x.status?.schedulerObservedGeneration === x.metadata?.generation);
  assert.deepEqual(replicasOf(b), { member1: 4, member2: 8 });
});

test('no cluster fits: NoClusterFit names the reasons; untainting a cluster schedules the binding', async () => {
  await createBinding('nofit', 2, { clusterAffinity: { labelSelector: { matchLabels: { env: 'dev' } } } });
  const b = await bindingWhen('nofit', 'NoClusterFit');
  assert.equal(scheduled(b)!.status, 'False');
  assert.equal(
    scheduled(b)!.message,
    '0/3 clusters are available: 1 cluster(s) had untolerated taint {maintenance=true:NoSchedule}, 2 cluster(s) did not match the placement cluster affinity constraint.',
  );
  assert.equal(b.spec.clusters, undefined);

  // The cluster change alone brings the binding back: no retry timer is involved for a binding that did not fit.
  await custom.patchClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name: 'member3', body: { spec: { taints: null } } }, MERGE);
  assert.deepEqual(replicasOf(await bindingWhen('nofit', 'Success')), { member3: 2 });
});

test('available replicas: divided by room, and Unschedulable when the room is short', async () => {
  const dynamic: Placement = {
    clusterAffinity: { clusterNames: ['member1', 'member2'] },
    replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } },
  };
  await createBinding('dynamic', 6, dynamic);
  // Room for 10 and 5 pods: 6 replicas by 10:5.
  assert.deepEqual(replicasOf(await bindingWhen('dynamic', 'Success')), { member1: 4, member2: 2 });

  await createBinding('toobig', 30, dynamic);
  const b = await bindingWhen('toobig', 'Unschedulable');
  assert.equal(scheduled(b)!.message, 'failed to assign replicas: failed to scale up: Clusters available replicas 15 are not enough to schedule.');
  assert.equal(b.spec.clusters, undefined, 'never a partial result');
});

test('cluster resource bindings are scheduled too, and attempts are counted', async () => {
  const crb = { group: 'work.karmada.io', version: 'v1alpha2', plural: 'clusterresourcebindings' };
  await custom.createClusterCustomObject({ ...crb, body: bindingBody('cluster-wide', 0, { clusterAffinity: { clusterNames: ['member2'] } }, 'ClusterResourceBinding') });
  const b = await until('the cluster resource binding scheduled', async () => {
    const x: ResourceBinding = await custom.getClusterCustomObject({ ...crb, name: 'cluster-wide' });
    return scheduled(x)?.reason === 'Success' ? x : undefined;
  });
  assert.deepEqual(b.spec.clusters, [{ name: 'member2' }]);

  const attempts = (await metrics.registry.getSingleMetric('karmada_scheduler_schedule_attempts_total')!.get()).values;
  const count = (result: string, type: string) => attempts.find((v) => v.labels.result === result && v.labels.schedule_type === type)?.value ?? 0;
  assert.ok(count('scheduled', 'ReconcileSchedule') >= 5);
  assert.ok(count('scheduled', 'ScaleSchedule') >= 1);
  assert.ok(count('error', 'ScaleSchedule') + count('error', 'ReconcileSchedule') >= 1, 'the Unschedulable binding is an error, retried');
});

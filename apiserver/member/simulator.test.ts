import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { KObject, Store } from '../../storage/store.js';
import { LevelStore } from '../../storage/leveldb.js';
import { PrefixedStore } from '../../storage/prefixed.js';
import { APIError } from '../errors.js';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/resourcestore.js';
import { WorkloadSimulator, type SimulatorOptions } from './simulator.js';

const logger = pino({ level: 'silent' });
const NS = 'default';
// Long enough that a test never sees it elapse: what the simulator writes before a change settles.
const FOREVER = 3_600_000;

interface Member {
  registry: Registry;
  store(group: string, plural: string): ResourceStore;
  /** Starts a simulator, stopped when the test ends. */
  simulate(opts?: Partial<SimulatorOptions>): Promise<WorkloadSimulator>;
}

/** A member apiserver's registry over a throwaway LevelDB store (seen through wrap, if given). */
async function withMember(fn: (m: Member) => Promise<void>, wrap: (store: Store) => Store = (s) => s): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-simulator-'));
  const store = await LevelStore.open(dir);
  const sims: WorkloadSimulator[] = [];
  try {
    const registry = new Registry(wrap(store));
    registry.add(...BUILTIN_RESOURCES);
    await fn({
      registry,
      store: (group, plural) => registry.storeFor(registry.lookup(group, 'v1', plural)!),
      async simulate(opts = {}) {
        const sim = new WorkloadSimulator(registry, { clusterName: 'm1', delayMs: 20, ...opts }, logger);
        sims.push(sim);
        await sim.start();
        return sim;
      },
    });
  } finally {
    for (const sim of sims) sim.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls until probe returns something (the deadline only bounds a failing test). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls until the object's status satisfies done, and returns it. */
function settled(store: ResourceStore, name: string, done: (s: any) => boolean): Promise<KObject> {
  return eventually(`${store.rt.kind} ${name} to settle`, async () => {
    const obj = await store.get(NS, name);
    return obj.status && done(obj.status) ? obj : undefined;
  });
}

function template(app: string, cpu?: string, nodeSelector?: Record<string, string>) {
  return {
    metadata: { labels: { app } },
    spec: { nodeSelector, containers: [{ name: 'app', image: 'nginx:1.27', resources: cpu ? { requests: { cpu } } : {} }] },
  };
}

function workload(kind: string, name: string, spec: Record<string, unknown> = {}, cpu?: string, nodeSelector?: Record<string, string>): KObject {
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: template(name, cpu, nodeSelector), ...spec },
  };
}

/** Conditions without their timestamps, as [type, status, reason]. */
const conditions = (s: any): string[][] => (s.conditions ?? []).map((c: any) => [c.type, c.status, c.reason]);

function withoutConditions(s: any): Record<string, unknown> {
  const { conditions: _, ...rest } = s;
  return rest;
}

const progressingMessage = (s: any): string => s.conditions.find((c: any) => c.type === 'Progressing').message;

/** obj with every condition timestamp moved into the past. */
function age(obj: KObject): KObject {
  for (const c of obj.status.conditions) for (const f of Object.keys(c)) if (f.endsWith('Time')) c[f] = '2020-01-01T00:00:00Z';
  return obj;
}

async function scale(store: ResourceStore, name: string, replicas: number): Promise<void> {
  await store.guaranteedUpdate(NS, name, (cur) => ({ ...cur, spec: { ...cur.spec, replicas } }));
}

async function setImage(store: ResourceStore, name: string, image: string): Promise<void> {
  await store.guaranteedUpdate(NS, name, (cur) => {
    cur.spec.template.spec.containers[0].image = image;
    return cur;
  });
}

test('registers its Nodes as a kubelet would, once, and registers a deleted one again', () =>
  withMember(async (m) => {
    const opts = {
      nodes: 3,
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      labels: { 'topology.kubernetes.io/region': 'eu-west', 'node.kubernetes.io/instance-type': 'sim.large' },
    };
    const first = await m.simulate(opts);
    const nodes = m.store('', 'nodes');
    const { items } = await nodes.list(undefined, {});
    assert.deepEqual(items.map((n) => n.metadata!.name), ['m1-node-1', 'm1-node-2', 'm1-node-3']);
    const node = items[0];
    assert.deepEqual(node.metadata!.labels, {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'm1-node-1',
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/region': 'eu-west',
      'node.kubernetes.io/instance-type': 'sim.large',
    });
    assert.deepEqual(node.status.capacity, opts.capacity);
    assert.deepEqual(node.status.allocatable, opts.capacity);
    assert.deepEqual(conditions(node.status), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.35.0-flotilla');
    assert.equal(node.status.nodeInfo.architecture, 'amd64');
    assert.equal(node.status.nodeInfo.operatingSystem, 'linux');
    assert.ok(node.status.nodeInfo.containerRuntimeVersion);
    const ips = items.map((n) => n.status.addresses.find((a: any) => a.type === 'InternalIP').address);
    assert.equal(new Set(ips).size, 3);
    for (const ip of ips) assert.match(ip, /^10\.\d+\.\d+\.\d+$/);

    // A restarted simulator finds its Nodes as it left them: nothing is created or rewritten, not even heartbeat
    // times (aged here so that a rewrite could not go unnoticed within the same second).
    first.stop();
    await nodes.guaranteedUpdate(undefined, 'm1-node-1', (cur) => age(cur), { subresource: 'status' });
    const before = await nodes.list(undefined, {});
    const again = await m.simulate(opts);
    await again.idle();
    const after = await nodes.list(undefined, {});
    assert.deepEqual(after.items, before.items);

    await nodes.delete(undefined, 'm1-node-2');
    const back = await eventually('m1-node-2 to be registered again', async () => {
      const n = await nodes.get(undefined, 'm1-node-2').catch(() => undefined);
      return n?.status ? n : undefined;
    });
    assert.notEqual(back.metadata!.uid, items[1].metadata!.uid);
    assert.deepEqual(conditions(back.status).at(-1), ['Ready', 'True', 'KubeletReady']);
  }));

test('each workload kind gets the status its controller writes', () =>
  withMember(async (m) => {
    await m.simulate({ nodes: 3, labels: { 'topology.kubernetes.io/zone': 'z1' } });
    const deployments = m.store('apps', 'deployments');
    const replicaSets = m.store('apps', 'replicasets');
    const statefulSets = m.store('apps', 'statefulsets');
    const daemonSets = m.store('apps', 'daemonsets');
    const jobs = m.store('batch', 'jobs');
    await deployments.create(NS, workload('Deployment', 'web', { replicas: 3 }));
    await deployments.create(NS, workload('Deployment', 'single'));
    await replicaSets.create(NS, workload('ReplicaSet', 'rs', { replicas: 2 }));
    await statefulSets.create(NS, workload('StatefulSet', 'db', { replicas: 2, serviceName: 'db' }));
    await daemonSets.create(NS, workload('DaemonSet', 'everywhere'));
    await daemonSets.create(NS, workload('DaemonSet', 'one', {}, undefined, { 'kubernetes.io/hostname': 'm1-node-2' }));
    await daemonSets.create(NS, workload('DaemonSet', 'none', {}, undefined, { 'topology.kubernetes.io/zone': 'z9' }));
    await jobs.create(NS, workload('Job', 'batch', { completions: 2, parallelism: 2, selector: undefined }));

    const web = await settled(deployments, 'web', (s) => s.readyReplicas === 3);
    assert.deepEqual(withoutConditions(web.status), { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    assert.deepEqual(conditions(web.status), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
    assert.match(progressingMessage(web.status), /^ReplicaSet "web-[bcdf4-9]+" has successfully progressed\.$/);
    const single = await settled(deployments, 'single', (s) => s.readyReplicas === 1);
    assert.deepEqual(withoutConditions(single.status), { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });

    const rs = await settled(replicaSets, 'rs', (s) => s.readyReplicas === 2);
    assert.deepEqual(rs.status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });

    const db = await settled(statefulSets, 'db', (s) => s.readyReplicas === 2);
    const { currentRevision, updateRevision, ...dbCounts } = db.status;
    assert.deepEqual(dbCounts, { observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2, collisionCount: 0 });
    assert.match(currentRevision, /^db-[bcdf4-9]+$/);
    assert.equal(updateRevision, currentRevision);

    const daemons = (n: number) => ({
      currentNumberScheduled: n,
      desiredNumberScheduled: n,
      numberMisscheduled: 0,
      numberReady: n,
      observedGeneration: 1,
      ...(n ? { numberAvailable: n, updatedNumberScheduled: n } : {}),
    });
    assert.deepEqual((await settled(daemonSets, 'everywhere', (s) => s.numberReady === 3)).status, daemons(3));
    assert.deepEqual((await settled(daemonSets, 'one', (s) => s.numberReady === 1)).status, daemons(1));
    assert.deepEqual((await settled(daemonSets, 'none', (s) => s.observedGeneration === 1)).status, daemons(0));

    const job = await settled(jobs, 'batch', (s) => s.succeeded !== undefined);
    const { startTime, completionTime, conditions: _, ...jobRest } = job.status;
    assert.deepEqual(jobRest, { succeeded: 2, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    assert.ok(startTime && completionTime && startTime <= completionTime);
    assert.deepEqual(conditions(job.status), [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);

    // A live scale settles after the delay.
    await scale(deployments, 'web', 5);
    const scaled = await settled(deployments, 'web', (s) => s.observedGeneration === 2 && s.readyReplicas === 5);
    assert.deepEqual(withoutConditions(scaled.status), { observedGeneration: 2, replicas: 5, updatedReplicas: 5, readyReplicas: 5, availableReplicas: 5 });
  }));

test('a change is observed at once with the old counts and settles after the delay; a restart resumes from the store', () =>
  withMember(async (m) => {
    const deployments = m.store('apps', 'deployments');
    const statefulSets = m.store('apps', 'statefulsets');
    // Each phase runs a fresh simulator: one whose delay never elapses shows the in-between status, one without
    // delay settles at once. Restarting in between is what the simulator has to survive anyway.
    const phase = async (delayMs: number) => {
      const sim = await m.simulate({ delayMs });
      await sim.idle();
      sim.stop();
      return { web: (await deployments.get(NS, 'web')).status, db: (await statefulSets.get(NS, 'db')).status };
    };
    await deployments.create(NS, workload('Deployment', 'web', { replicas: 2 }));
    await statefulSets.create(NS, workload('StatefulSet', 'db', { replicas: 2 }));

    let s = await phase(FOREVER);
    assert.deepEqual(withoutConditions(s.web), { observedGeneration: 1 });
    assert.deepEqual(conditions(s.web), [['Available', 'False', 'MinimumReplicasUnavailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);
    assert.deepEqual(s.db, { observedGeneration: 1, replicas: 0, availableReplicas: 0, currentRevision: s.db.updateRevision, updateRevision: s.db.updateRevision, collisionCount: 0 });

    s = await phase(0);
    assert.equal(s.web.readyReplicas, 2);
    const firstRS = /"(web-[^"]+)"/.exec(progressingMessage(s.web))![1];
    assert.equal(progressingMessage(s.web), `ReplicaSet "${firstRS}" has successfully progressed.`);
    const firstRevision = s.db.currentRevision;

    // Scaling up: generation 2 is observed while the counts are still those of 2 replicas.
    await scale(deployments, 'web', 5);
    await scale(statefulSets, 'db', 3);
    s = await phase(FOREVER);
    assert.deepEqual(withoutConditions(s.web), { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    assert.deepEqual(conditions(s.web), [['Available', 'False', 'MinimumReplicasUnavailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);
    assert.equal(progressingMessage(s.web), `ReplicaSet "${firstRS}" is progressing.`);
    assert.equal(s.db.observedGeneration, 2);
    assert.equal(s.db.readyReplicas, 2);

    s = await phase(0);
    assert.deepEqual(withoutConditions(s.web), { observedGeneration: 2, replicas: 5, updatedReplicas: 5, readyReplicas: 5, availableReplicas: 5 });
    assert.equal(s.db.readyReplicas, 3);
    assert.equal(s.db.updateRevision, firstRevision);

    // A template change: a new ReplicaSet (pod-template hash) and a new StatefulSet revision.
    await setImage(deployments, 'web', 'nginx:1.28');
    await setImage(statefulSets, 'db', 'postgres:17');
    s = await phase(FOREVER);
    assert.equal(s.web.observedGeneration, 3);
    assert.equal(s.web.readyReplicas, 5);
    assert.deepEqual(conditions(s.web), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);
    const secondRS = /"(web-[^"]+)"/.exec(progressingMessage(s.web))![1];
    assert.notEqual(secondRS, firstRS);
    assert.equal(s.db.currentRevision, firstRevision);
    assert.notEqual(s.db.updateRevision, firstRevision);

    s = await phase(0);
    assert.equal(progressingMessage(s.web), `ReplicaSet "${secondRS}" has successfully progressed.`);
    assert.equal(s.db.currentRevision, s.db.updateRevision);

    // Settled objects are left alone by the next simulator, condition times included.
    await deployments.guaranteedUpdate(NS, 'web', (cur) => age(cur), { subresource: 'status' });
    const before = [await deployments.get(NS, 'web'), await statefulSets.get(NS, 'db')];
    await phase(0);
    assert.deepEqual([await deployments.get(NS, 'web'), await statefulSets.get(NS, 'db')], before);
  }));

test('workloads larger than the member stay partially ready and take room as it is freed', () =>
  withMember(async (m) => {
    // One node of 1 cpu; no delay, so that idle() means settled.
    const sim = await m.simulate({ nodes: 1, capacity: { cpu: '1', memory: '4Gi', pods: '110' }, delayMs: 0 });
    const deployments = m.store('apps', 'deployments');
    const jobs = m.store('batch', 'jobs');
    const get = async (store: ResourceStore, name: string) => (await store.get(NS, name)).status;

    await deployments.create(NS, workload('Deployment', 'a', { replicas: 1 }, '600m'));
    await sim.idle();
    await deployments.create(NS, workload('Deployment', 'b', { replicas: 3 }, '300m'));
    await sim.idle();
    assert.equal((await get(deployments, 'a')).readyReplicas, 1);
    let b = await get(deployments, 'b');
    assert.deepEqual(withoutConditions(b), { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 2 });
    assert.deepEqual(conditions(b), [['Available', 'False', 'MinimumReplicasUnavailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);

    // 100m are left: the Job starts (its pod is pending) but cannot finish.
    await jobs.create(NS, workload('Job', 'c', { selector: undefined }, '300m'));
    await sim.idle();
    let c = await get(jobs, 'c');
    assert.ok(c.startTime);
    assert.equal(c.active, 1);
    assert.equal(c.succeeded, undefined);

    // a goes: b, older than c, takes the room.
    await deployments.delete(NS, 'a');
    await sim.idle();
    b = await get(deployments, 'b');
    assert.deepEqual(withoutConditions(b), { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    assert.deepEqual(conditions(b), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
    assert.equal((await get(jobs, 'c')).succeeded, undefined);

    // b shrinks: now the Job's pod fits and it completes.
    await scale(deployments, 'b', 2);
    await sim.idle();
    assert.equal((await get(deployments, 'b')).readyReplicas, 2);
    c = await get(jobs, 'c');
    assert.equal(c.succeeded, 1);
    assert.equal(c.active, undefined);

    // Ready pods are not taken away: the newer d keeps its pod when the older b wants more than is left.
    await deployments.create(NS, workload('Deployment', 'd', { replicas: 1 }, '300m'));
    await sim.idle();
    await scale(deployments, 'b', 4);
    await sim.idle();
    assert.deepEqual([(await get(deployments, 'b')).readyReplicas, (await get(deployments, 'd')).readyReplicas], [2, 1]);

    // A restarted simulator rebuilds the same shares from the stored statuses and rewrites nothing.
    sim.stop();
    const stored = (await deployments.list(NS, {})).items;
    const again = await m.simulate({ nodes: 1, capacity: { cpu: '1', memory: '4Gi', pods: '110' }, delayMs: 0 });
    await again.idle();
    assert.deepEqual((await deployments.list(NS, {})).items, stored);
  }));

/** The store as it is, with the key of every read-modify-write asked of it, whether it changes anything or not. */
class UpdateLog extends PrefixedStore {
  constructor(inner: Store, readonly keys: string[]) {
    super(inner, '');
  }

  override guaranteedUpdate(key: string, tryUpdate: (current: KObject) => KObject | Promise<KObject>): Promise<KObject> {
    this.keys.push(key);
    return super.guaranteedUpdate(key, tryUpdate);
  }
}

test('an event that leaves the status as the simulator would write it costs the store nothing', () => {
  const updated: string[] = [];
  return withMember(async (m) => {
    const sim = await m.simulate({ delayMs: 0 });
    const deployments = m.store('apps', 'deployments');
    await deployments.create(NS, workload('Deployment', 'web'));
    await sim.idle();
    assert.equal((await deployments.get(NS, 'web')).status?.readyReplicas, 1);

    // A label is no reason to write the status again (nor is the simulator's own status write, coming back).
    updated.length = 0;
    await deployments.guaranteedUpdate(NS, 'web', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { tier: 'front' } } }));
    await sim.idle();
    assert.equal(updated.filter((k) => k.endsWith('/web')).length, 1, `the label's own write only: ${updated.join(', ')}`);

    // The control: a status someone else changed is put back.
    await deployments.guaranteedUpdate(NS, 'web', (cur) => ({ ...cur, status: { ...cur.status, readyReplicas: 0 } }), { subresource: 'status' });
    await sim.idle();
    assert.equal((await deployments.get(NS, 'web')).status?.readyReplicas, 1);
  }, (store) => new UpdateLog(store, updated));
});

test('stop() stops watching, reconciling and registering Nodes', () =>
  withMember(async (m) => {
    const sim = await m.simulate({ delayMs: 0 });
    const deployments = m.store('apps', 'deployments');
    const nodes = m.store('', 'nodes');
    // The control: while running, a new object has its status by the time the simulator is idle.
    await deployments.create(NS, workload('Deployment', 'before'));
    await sim.idle();
    assert.equal((await deployments.get(NS, 'before')).status?.readyReplicas, 1);

    sim.stop();
    await deployments.create(NS, workload('Deployment', 'after'));
    await scale(deployments, 'before', 4);
    await nodes.delete(undefined, 'm1-node-1');
    await sim.idle();
    assert.equal((await deployments.get(NS, 'after')).status, undefined);
    assert.equal((await deployments.get(NS, 'before')).status.observedGeneration, 1);
    await assert.rejects(nodes.get(undefined, 'm1-node-1'), (err) => err instanceof APIError && err.code === 404);
  }));

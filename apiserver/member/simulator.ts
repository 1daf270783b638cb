// The workload simulator of one member cluster (in the spirit of kwok): it registers the member's Nodes and plays
// the part of kube's workload controllers and kubelets, writing the statuses Deployments, ReplicaSets, StatefulSets,
// DaemonSets and Jobs get in a real cluster, without creating Pods. A spec change is observed at once (new
// observedGeneration, old counts, as while a rollout runs) and settles `delayMs` later; how many pods become ready is
// bounded by the capacity model in simulator-capacity.ts.
//
// It is level-triggered: caches of Nodes and workloads kept by list + watch, one work queue, and reconcilers that
// derive the status from what is stored. Beyond the caches it remembers when each object's current generation was
// first seen (after a restart the delay starts again) and which pods it placed (rebuilt from the stored statuses).
import type { Logger } from 'pino';
import type { KObject, Watcher } from '../../storage/store.js';
import { WorkQueue } from '../../controllers/runtime/workqueue.js';
import { APIError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/resourcestore.js';
import { deepEqual } from '../../storage/json.js';
import { nowTimestamp } from '../registry/strategy.js';
import { allocate, addDemand, podRequests, totalAllocatable, type Allocation, type Demand, type Resources } from './simulator-capacity.js';
import { nodeLabels, nodeName, nodeObject, nodeStatus, type NodeShape } from './simulator-nodes.js';
import { keepConditionTimes, WORKLOAD_KINDS, type Progress, type WorkloadKind } from './simulator-status.js';

export interface SimulatorOptions {
  clusterName: string;
  /** Simulated Nodes to own (default 3). */
  nodes?: number;
  /** Per node (default 8 cpu, 32Gi, 110 pods); extra entries (e.g. nvidia.com/gpu) are reported and counted too. */
  capacity?: { cpu: string; memory: string; pods: string } & Record<string, string>;
  /** Added to every Node, e.g. topology.kubernetes.io/region and zone, node.kubernetes.io/instance-type. */
  labels?: Record<string, string>;
  /** How long a workload takes to become ready after a spec change (default 200). */
  delayMs?: number;
  /** Default 'v1.35.0-flotilla'. */
  kubeletVersion?: string;
  /** Told of every workload the member comes to hold, of every change of one's spec, and of every deletion. */
  onWorkloadChange?: (change: WorkloadChange) => void;
}

/** A workload that appeared, changed its spec (a new uid or generation) or went, as the simulator saw it. */
export interface WorkloadChange {
  kind: string;
  namespace?: string;
  name: string;
  /** spec.replicas, where the kind has it. */
  replicas?: number;
  deleted: boolean;
  /** When the simulator's watch delivered it (ms since the epoch). */
  at: number;
}

/** Queue key of the capacity check: no workload key is without slashes. */
const CAPACITY = 'capacity';

const workloadKey = (kind: Pick<WorkloadKind, 'group' | 'kind'>, obj: KObject): string =>
  `${kind.group}/${kind.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
const NODE_KEY = '/Node//';
const nodeKey = (name: string): string => `${NODE_KEY}${name}`;
const kindOf = (key: string): WorkloadKind => WORKLOAD_KINDS.find((k) => key.startsWith(`${k.group}/${k.kind}/`))!;

/** A workload's share of the member, for the object it was computed for. */
type Placement = Progress & { uid: string };

function isNotFound(err: unknown): boolean {
  return err instanceof APIError && err.code === 404;
}

export class WorkloadSimulator {
  private readonly shape: NodeShape;
  private readonly delayMs: number;
  /** Owned Node names → their index. */
  private readonly owned = new Map<string, number>();
  private readonly queue: WorkQueue<string>;
  private readonly logger: Logger;
  private readonly watchers: Watcher[] = [];
  private readonly nodes = new Map<string, KObject>();
  private readonly workloads = new Map<string, KObject>();
  /** When each workload's current uid/generation was first seen: its delay runs from there. */
  private readonly seen = new Map<string, { marker: string; at: number }>();
  /** Bumped when an input of the allocation changes (not on status writes); it is recomputed when this moved. */
  private revision = 0;
  private allocation?: { revision: number; progress: Map<string, Placement>; pool: Allocation };
  /** One pod's requests per cached object (cached objects are never modified, only replaced). */
  private readonly perPod = new WeakMap<KObject, Resources>();
  /** The allocation the workloads were last queued for, to queue exactly those a capacity change affects. */
  private published = new Map<string, Placement>();
  private stopped = false;
  private readonly onWorkloadChange?: (change: WorkloadChange) => void;

  constructor(
    private readonly registry: Registry,
    opts: SimulatorOptions,
    logger: Logger,
  ) {
    this.shape = {
      clusterName: opts.clusterName,
      capacity: { ...(opts.capacity ?? { cpu: '8', memory: '32Gi', pods: '110' }) },
      labels: opts.labels ?? {},
      kubeletVersion: opts.kubeletVersion ?? 'v1.35.0-flotilla',
    };
    this.delayMs = opts.delayMs ?? 200;
    this.onWorkloadChange = opts.onWorkloadChange;
    for (let k = 1; k <= (opts.nodes ?? 3); k++) this.owned.set(nodeName(opts.clusterName, k), k);
    this.logger = logger.child({ component: 'workload-simulator', cluster: opts.clusterName });
    this.queue = new WorkQueue(
      (key) => this.sync(key),
      (key, err) => this.logger.warn({ key, err: String(err) }, 'simulation step failed, will retry'),
    );
  }

  private storeOf(group: string, plural: string): ResourceStore | undefined {
    const rt = this.registry.lookup(group, 'v1', plural);
    return rt && this.registry.storeFor(rt);
  }

  private nodeStore(): ResourceStore {
    const store = this.storeOf('', 'nodes');
    if (!store) throw new Error('the member serves no core/v1 nodes');
    return store;
  }

  /** Registers the Nodes (rejecting when that fails), fills the caches, then watches and reconciles. */
  async start(): Promise<void> {
    for (const [name, k] of this.owned) await this.syncNode(name, k);
    // Every cache is filled before anything is reconciled, so that the first allocation already sees the whole
    // member; each watch then resumes from its own list's resourceVersion, so nothing is missed in between.
    const informers: { store: ResourceStore; rv: number; onEvent: (type: string, obj: KObject) => void }[] = [];
    const nodes = this.nodeStore();
    const nodeList = await nodes.list(undefined, {});
    for (const node of nodeList.items) this.nodes.set(node.metadata!.name, node);
    informers.push({ store: nodes, rv: Number(nodeList.resourceVersion), onEvent: (type, node) => this.onNode(type, node) });
    for (const kind of WORKLOAD_KINDS) {
      const store = this.storeOf(kind.group, kind.plural);
      if (!store) continue;
      const page = await store.list(undefined, {});
      for (const obj of page.items) {
        this.workloads.set(workloadKey(kind, obj), obj);
        this.tell(kind, obj, false);
      }
      informers.push({ store, rv: Number(page.resourceVersion), onEvent: (type, obj) => this.onWorkload(kind, type, obj) });
    }
    if (this.stopped) return;
    for (const { store, rv, onEvent } of informers)
      this.watchers.push(store.watch(undefined, { resourceVersion: rv }, (e) => onEvent(e.type, e.object)));
    for (const key of this.workloads.keys()) this.queue.add(key);
    this.queue.add(CAPACITY);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers.splice(0)) w.stop();
    this.queue.stop();
  }

  /** Resolves when no work is queued or running (for tests); delays still running do not count. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private onNode(type: string, node: KObject): void {
    const name = node.metadata!.name;
    if (type === 'DELETED') this.nodes.delete(name);
    else this.nodes.set(name, node);
    // A deleted owned Node is registered again, as a kubelet does.
    if (this.owned.has(name)) this.queue.add(nodeKey(name));
    this.capacityChanged();
  }

  private capacityChanged(): void {
    this.revision++;
    this.queue.add(CAPACITY);
  }

  private onWorkload(kind: WorkloadKind, type: string, obj: KObject): void {
    const key = workloadKey(kind, obj);
    const old = this.workloads.get(key);
    if (type === 'DELETED' || old?.metadata?.uid !== obj.metadata?.uid || old?.metadata?.generation !== obj.metadata?.generation) this.tell(kind, obj, type === 'DELETED');
    if (type === 'DELETED') {
      this.workloads.delete(key);
      this.seen.delete(key);
    } else {
      this.workloads.set(key, obj);
    }
    // Before the workload is queued: the queue may reconcile it at once, with the allocation as it stands.
    if (type === 'DELETED' || (!old && !this.appended(key, kind, obj)) || (old && this.demandChanged(kind, old, obj))) this.capacityChanged();
    if (type !== 'DELETED') this.queue.add(key);
  }

  private tell(kind: WorkloadKind, obj: KObject, deleted: boolean): void {
    if (!this.onWorkloadChange) return;
    const { namespace, name } = obj.metadata!;
    const replicas = typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : undefined;
    this.onWorkloadChange({ kind: kind.kind, namespace, name, replicas, deleted, at: Date.now() });
  }

  /** Whether a new workload could be added to the current allocation without recomputing it (see addDemand). */
  private appended(key: string, kind: WorkloadKind, obj: KObject): boolean {
    const a = this.allocation;
    if (a?.revision !== this.revision) return false;
    const d = this.demand(key, kind, obj, [...this.nodes.values()], undefined);
    const ready = addDemand(a.pool, d);
    if (ready === undefined) return false;
    a.progress.set(key, { uid: obj.metadata?.uid, desired: d.desired, ready });
    return true;
  }

  private demand(key: string, kind: WorkloadKind, obj: KObject, nodes: KObject[], prev: Placement | undefined): Demand & { uid: string } {
    const uid: string = obj.metadata?.uid;
    return {
      key,
      uid,
      created: obj.metadata?.creationTimestamp ?? '',
      desired: kind.desiredPods(obj, nodes),
      running: prev?.uid === uid ? prev.ready : kind.readyPods(obj),
      perPod: this.requestsOf(obj),
    };
  }

  /** Whether the object asks the member for something else: other pods, or as many pods of another size. */
  private demandChanged(kind: WorkloadKind, old: KObject, obj: KObject): boolean {
    const nodes = [...this.nodes.values()];
    if (old.metadata?.uid !== obj.metadata?.uid || kind.desiredPods(old, nodes) !== kind.desiredPods(obj, nodes)) return true;
    return !deepEqual(Object.fromEntries(this.requestsOf(old)), Object.fromEntries(this.requestsOf(obj)));
  }

  private async sync(key: string): Promise<void | { requeueAfterMs: number }> {
    if (key === CAPACITY) return this.syncCapacity();
    if (key.startsWith(NODE_KEY)) {
      const name = key.slice(NODE_KEY.length);
      return this.syncNode(name, this.owned.get(name)!);
    }
    return this.syncWorkload(key, kindOf(key));
  }

  /** Registers the Node if it is missing, then keeps its labels and status those of a healthy kubelet. */
  private async syncNode(name: string, k: number): Promise<void> {
    const nodes = this.nodeStore();
    try {
      await nodes.create(undefined, nodeObject(this.shape, k));
      this.logger.info({ node: name }, 'node registered');
    } catch (err) {
      if (!(err instanceof APIError && err.code === 409)) throw err;
    }
    try {
      await nodes.guaranteedUpdate(undefined, name, (cur) => {
        const labels = { ...(cur.metadata?.labels ?? {}), ...nodeLabels(this.shape, name) };
        if (deepEqual(labels, cur.metadata?.labels)) return cur;
        cur.metadata = { ...cur.metadata, labels };
        return cur;
      });
      const status = (cur: KObject) => this.withStatus(cur, nodeStatus(this.shape, k, nowTimestamp()));
      await nodes.guaranteedUpdate(undefined, name, status, { subresource: 'status' });
    } catch (err) {
      // Deleted meanwhile: the watch queues it again.
      if (!isNotFound(err)) throw err;
    }
  }

  /** cur with status `next` (condition times kept where they still hold), or cur itself when nothing changes. */
  private withStatus(cur: KObject, next: KObject['status']): KObject {
    const status = changedStatus(cur, next);
    if (status === undefined) return cur;
    cur.status = status;
    return cur;
  }

  private async syncWorkload(key: string, kind: WorkloadKind): Promise<void | { requeueAfterMs: number }> {
    const obj = this.workloads.get(key);
    if (!obj) return;
    const meta = obj.metadata!;
    const marker = `${meta.uid}/${meta.generation}`;
    let seen = this.seen.get(key);
    if (seen?.marker !== marker) this.seen.set(key, (seen = { marker, at: Date.now() }));
    const wait = seen.at + this.delayMs - Date.now();
    const progress = this.progress().get(key)!;
    const status = (cur: KObject) => (wait > 0 ? kind.rolling(cur, progress, nowTimestamp()) : kind.settled(cur, progress, nowTimestamp()));
    // As kube's controllers do, compare with the cache before writing: each status write comes back as a watch event
    // that queues the key again, and that pass, which finds nothing to change, would otherwise read, copy and
    // serialise the stored object only for the store to find it unchanged.
    if (changedStatus(obj, status(obj)) !== undefined) {
      try {
        await this.storeOf(kind.group, kind.plural)!.guaranteedUpdate(meta.namespace, meta.name, (cur) => {
          // The cache is behind the store: the watch event that brings the newer object queues this key again.
          if (cur.metadata?.uid !== meta.uid || cur.metadata?.generation !== meta.generation) return cur;
          return this.withStatus(cur, status(cur));
        }, { subresource: 'status' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (wait > 0) return { requeueAfterMs: wait };
  }

  /**
   * Pods wanted and pods that fit, per workload. Pods placed by the previous allocation stay placed; a simulator that
   * has none yet (just started) takes the ready counts of the stored statuses instead. So the allocation depends on
   * specs and Nodes only, and the simulator's own status writes need no recomputation.
   */
  private progress(): Map<string, Placement> {
    if (this.allocation?.revision === this.revision) return this.allocation.progress;
    const before = this.allocation?.progress;
    const nodes = [...this.nodes.values()];
    const demands = [...this.workloads].map(([key, obj]) => this.demand(key, kindOf(key), obj, nodes, before?.get(key)));
    const pool = allocate(totalAllocatable(nodes), demands);
    const progress = new Map(demands.map((d) => [d.key, { uid: d.uid, desired: d.desired, ready: pool.placed.get(d.key)! }]));
    this.allocation = { revision: this.revision, progress, pool };
    return progress;
  }

  private requestsOf(obj: KObject): Resources {
    let r = this.perPod.get(obj);
    if (!r) this.perPod.set(obj, (r = podRequests(obj.spec?.template?.spec)));
    return r;
  }

  /** Queues the workloads whose share of the member changed (room freed or taken, Nodes added or removed). */
  private syncCapacity(): void {
    const next = this.progress();
    for (const [key, p] of next) {
      const before = this.published.get(key);
      if (before?.desired !== p.desired || before.ready !== p.ready) this.queue.add(key);
    }
    this.published = next;
  }
}

/** The status to write over obj's for `next` (condition times kept where they still hold); undefined if it is the same. */
function changedStatus(obj: KObject, next: KObject['status']): KObject['status'] | undefined {
  if (next?.conditions) next = { ...next, conditions: keepConditionTimes(next.conditions, obj.status?.conditions) };
  return deepEqual(next, obj.status) ? undefined : next;
}

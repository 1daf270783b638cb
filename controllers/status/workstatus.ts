// Karmada's work status controller: the objects of applied Works are watched in their member clusters, their status
// and health are recorded in the Work's status.manifestStatuses, and a change made to them in the member (an edited
// field, the object deleted by hand) is undone by writing the manifest again.
//
// Members are watched through one informer per member per kind that applied Works use there (shared with every
// controller of the process through MemberClients). An event on a member object queues the Work whose manifest it
// is (found through an index of the Works' manifests, kept from the Work informer), and each reconcile derives the
// Work's manifest statuses from the caches as they are: nothing but the caches is remembered, so a restart only
// lists again. A member's Works are looked at again when its readiness changes, when its client is rebuilt (new
// credentials stop the old informers), which is when their member informers are replaced, and when a member informer
// has listed; nothing is resynced periodically, as Karmada's --resync-period defaults to none: with 100,000 Works a
// 30 s resync is 3,300 reconciles a second.
import type { Cluster, ManifestStatus } from '../../openapi/karmada/types.js';
import { clusterOfExecutionSpace, executionSpaceName } from '../binding/names.js';
import { jsonEqual } from '../detector/binding.js';
import { isManaged, markedManifest, overwrites, type ObjectWatcher } from '../execution/objectwatcher.js';
import { resourcePath, type ResourceInfo } from '../execution/rest.js';
import {
  MANIFEST_APPLIED_MESSAGE,
  MERGE_PATCH,
  WORK_APPLIED,
  isApplied,
  isClusterReady,
  isSuspended,
  manifestsOf,
  setWorkConditions,
  workPath,
  type Work,
} from '../execution/work.js';
import { interpretHealth } from '../interpreter/health.js';
import { InterpretError } from '../interpreter/fields.js';
import { reflectStatus } from '../interpreter/reflectstatus.js';
import type { Obj } from '../overrides/jsonpatch.js';
import { restClient, type RESTClient } from '../runtime/rest.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { withOwnSignal } from '../execution/signal.js';
import { objectKey, splitKey, type InformerFactory, type SharedInformer } from '../runtime/informer.js';
import type { MemberClients } from '../runtime/memberclient.js';
import { syncedWorkCaches } from '../execution/caches.js';
import type { WorkQueue } from '../runtime/workqueue.js';

export interface WorkStatusControllerOptions {
  /** Works reconciled at once (karmada-controller-manager's --concurrent-work-syncs). */
  workers?: number;
  /**
   * How long a change of a Work or of its member object waits before the status is reflected: a new workload's
   * status changes several times in its first moments (observed, then available, then ready) while its Work gets its
   * Applied condition, and one write then carries them all. 0 reflects every change.
   */
  batchPeriodMs?: number;
}

export const DEFAULT_WORK_STATUS_OPTIONS: Required<WorkStatusControllerOptions> = { workers: 5, batchPeriodMs: 250 };

/** The work status controller, named "workStatus" as karmada-controller-manager's --controllers names it. */
export function workStatusController(opts: WorkStatusControllerOptions = {}): Controller {
  return { name: 'workStatus', start: (ctx) => new WorkStatusController(withOwnSignal(ctx), { ...DEFAULT_WORK_STATUS_OPTIONS, ...opts }).start() };
}

/** Identifies a manifest's object in a member: cluster, apiVersion, kind, namespace and name. */
function identity(cluster: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return JSON.stringify([cluster, apiVersion, kind, namespace ?? '', name]);
}

/** The Work informer's index of Works by the member objects their manifests are (manifestIdentities). */
const WORKS_BY_MANIFEST = 'manifest';

/** What identifies each of a Work's manifests in its member; nothing for a Work outside an execution namespace. */
export function manifestIdentities(work: Work): string[] {
  const cluster = clusterOfExecutionSpace(work.metadata.namespace);
  if (!cluster) return [];
  return manifestsOf(work).map((m) => identity(cluster, m.apiVersion, m.kind, m.metadata?.namespace, m.metadata?.name));
}

/** A manifest status as Karmada's work status controller records it. */
export function manifestStatus(ordinal: number, manifest: Obj, resource: ResourceInfo, observed: Obj): ManifestStatus {
  const [group, version] = String(manifest.apiVersion).includes('/') ? String(manifest.apiVersion).split('/') : ['', manifest.apiVersion];
  let status: Obj | undefined;
  try {
    status = reflectStatus({ ...observed, apiVersion: manifest.apiVersion, kind: manifest.kind });
  } catch (err) {
    // A status that is not of its kind's shape is not recorded; its health then says Unknown.
    if (!(err instanceof InterpretError)) throw err;
  }
  const { namespace, name } = manifest.metadata ?? {};
  return {
    identifier: { ordinal, ...(group ? { group } : {}), version, kind: manifest.kind, resource: resource.plural, ...(namespace ? { namespace } : {}), name },
    ...(status ? { status } : {}),
    health: interpretHealth({ ...observed, apiVersion: manifest.apiVersion, kind: manifest.kind }),
  };
}

class WorkStatusController {
  private works!: SharedInformer<Work>;
  private clusters!: SharedInformer<Cluster>;
  private members!: MemberClients;
  private watcher!: ObjectWatcher;
  private queue!: WorkQueue<string>;
  /** Per cluster, the member informers this controller has its handlers on, and the factory they come from. */
  private readonly watched = new Map<string, { factory: InformerFactory; informers: Map<string, SharedInformer<Obj>> }>();

  private readonly rest: RESTClient;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: Required<WorkStatusControllerOptions>,
  ) {
    this.rest = restClient(ctx.client.kc);
  }

  async start(): Promise<void> {
    const { signal } = this.ctx;
    const caches = await syncedWorkCaches(this.ctx, 'work status controller');
    if (!caches) return;
    ({ works: this.works, clusters: this.clusters, members: this.members, watcher: this.watcher } = caches);

    this.queue = newControllerQueue<string>(this.ctx, 'work-status', (key) => this.reconcile(key), { workers: this.opts.workers });
    this.works.addIndex(WORKS_BY_MANIFEST, manifestIdentities);
    const onWork = (w: Work) => this.queue.addAfter(objectKey(w), this.opts.batchPeriodMs);
    this.works.addEventHandler({ add: onWork, update: onWork }, signal);
    // A cluster's readiness changing, or its client being rebuilt, queues its Works. Not replayed: the Works already
    // cached were queued just above.
    const onCluster = (c: Cluster) => this.enqueueWorksOf(c.metadata?.name ?? '');
    this.clusters.addViewHandler((c) => String(isClusterReady(c)), { add: onCluster, update: onCluster }, signal, false);
    this.members.onClientBuilt((cluster) => this.enqueueWorksOf(cluster), signal);
  }

  private enqueueWorksOf(cluster: string): void {
    for (const w of this.works.list(executionSpaceName(cluster))) this.queue.add(objectKey(w));
  }

  /**
   * The informer on the member's objects at path (all namespaces), with this controller's handler on it. Once it has
   * listed, the member's Works are queued: a Work looked at before then waits for that instead of being retried on a
   * timer (at a cold start with 100,000 Works, a 1 s retry looked at each Work 2.4 to 5.5 times), and the objects the
   * list adds queue nothing of their own.
   */
  private memberInformer(cluster: string, path: string, apiVersion: string, kind: string): SharedInformer<Obj> {
    const factory = this.members.get(cluster).informers;
    let watched = this.watched.get(cluster);
    if (watched?.factory !== factory) this.watched.set(cluster, (watched = { factory, informers: new Map() }));
    let informer = watched.informers.get(path);
    if (!informer) {
      informer = factory.forResource<Obj>(path);
      const listed = informer;
      const enqueue = (o: Obj) => {
        if (!listed.hasSynced()) return;
        for (const w of this.works.byIndex(WORKS_BY_MANIFEST, identity(cluster, apiVersion, kind, o.metadata?.namespace, o.metadata?.name))) this.queue.addAfter(objectKey(w), this.opts.batchPeriodMs);
      };
      informer.addEventHandler({ add: enqueue, update: enqueue, delete: enqueue }, this.ctx.signal);
      void informer.waitForSync(this.ctx.signal).then((synced) => synced && this.enqueueWorksOf(cluster));
      watched.informers.set(path, informer);
    }
    return informer;
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cluster = clusterOfExecutionSpace(namespace);
    const work = this.works.get(namespace, name);
    if (!cluster || !work || work.metadata.deletionTimestamp || !isApplied(work)) return;
    // Looked at again once the cluster is ready (its readiness changing queues its Works).
    if (!isClusterReady(this.clusters.get(undefined, cluster))) return;

    const manifests = manifestsOf(work);
    const observedOf: { manifest: Obj; resource: ResourceInfo; informer: SharedInformer<Obj> }[] = [];
    for (const manifest of manifests) {
      const resource = await this.watcher.resource(cluster, manifest);
      const path = resourcePath(manifest.apiVersion, resource, undefined);
      observedOf.push({ manifest, resource, informer: this.memberInformer(cluster, path, manifest.apiVersion, manifest.kind) });
    }
    // Not listed yet: an absent object would be taken for one deleted by hand. Queued again once listed.
    if (!observedOf.every(({ informer }) => informer.hasSynced())) return;

    const ref = { namespace: work.metadata.namespace as string, name: work.metadata.name as string };
    const suspended = isSuspended(work);
    const statuses: ManifestStatus[] = [];
    for (const [ordinal, { manifest, resource, informer }] of observedOf.entries()) {
      const desired = markedManifest(manifest, ref);
      const overwrite = overwrites(manifest, work.metadata.annotations);
      const observed = informer.get(manifest.metadata?.namespace || undefined, manifest.metadata?.name);
      if (!observed) {
        if (!suspended) await this.recreate(work, cluster, desired, overwrite);
        continue;
      }
      // Not Karmada's: a conflict, which the execution controller reports.
      if (!isManaged(observed)) continue;
      if (!suspended && this.watcher.needsUpdate(cluster, desired, observed)) await this.watcher.update(cluster, desired, observed, overwrite, this.ctx.signal);
      statuses.push(manifestStatus(ordinal, manifest, resource, observed));
    }
    if (!jsonEqual(statuses, work.status?.manifestStatuses ?? [])) {
      await this.rest.send('PATCH', workPath(ref.namespace, ref.name, 'status'), { body: { status: { manifestStatuses: statuses } }, contentType: MERGE_PATCH, signal: this.ctx.signal });
    }
  }

  /** An object of an applied Work is gone from its member: it is created again, and the Applied condition says so. */
  private async recreate(work: Work, cluster: string, desired: Obj, overwrite: boolean): Promise<void> {
    try {
      // The cache may only lag behind a create of the execution controller: that create meets a conflict and apply
      // updates the member's object instead.
      const result = await this.watcher.apply(cluster, desired, overwrite, this.ctx.signal);
      if (result !== 'created') return;
    } catch (err) {
      await setWorkConditions(this.rest, work, [{ type: WORK_APPLIED, status: 'False', reason: 'ReCreateFailed', message: (err as Error).message }], this.ctx.signal);
      throw err;
    }
    await setWorkConditions(this.rest, work, [{ type: WORK_APPLIED, status: 'True', reason: 'ReCreateSuccessful', message: MANIFEST_APPLIED_MESSAGE }], this.ctx.signal);
  }
}

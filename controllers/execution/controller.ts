// Karmada's execution controller: every Work in an execution space (karmada-es-CLUSTER) has its manifests applied to
// that member cluster while it is not suspended, and its Applied condition says whether they were (AppliedSuccessful)
// or why not (AppliedFailed: the member refused, could not be reached, or has the object without it being Karmada's).
// A Work holds the karmada.io/execution-controller finalizer until its objects are deleted from the member, or,
// with preserveResourcesOnDeletion, left there without Karmada's marks.
//
// Level-triggered over informer caches: a Work is reconciled when anything but its status changes, and the Works of
// a cluster when its readiness changes; a failure is retried with backoff. Everything a reconcile needs is read from
// the caches and the member; what it must remember is in the API (the finalizer, the conditions).
//
// Metrics (see metrics.ts): each sync is timed, each create, update and delete in a member counted, and the first
// sync of a Work that creates its object observes how long after its template's creation that was.
import type { Cluster, ManifestStatus } from '../../openapi/karmada/types.js';
import { EXECUTION_CONTROLLER_FINALIZER, clusterOfExecutionSpace, executionSpaceName } from '../binding/names.js';
import type { EventRecorder, Involved } from '../runtime/events.js';
import { TEMPLATE_UID_ANNOTATION } from '../binding/names.js';
import { findCondition, type ObservedCondition } from '../cluster/condition.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { withOwnSignal } from './signal.js';
import { restClient, type RESTClient } from '../runtime/rest.js';
import { syncedWorkCaches } from './caches.js';
import { generationView, objectKey, splitKey, type SharedInformer } from '../runtime/informer.js';
import type { WorkQueue } from '../runtime/workqueue.js';
import { TemplateSource } from '../binding/templates.js';
import { executionMetrics, type ExecutionMetrics } from './metrics.js';
import { isManaged, markedManifest, overwrites, type MemberWrite, type ObjectWatcher } from './objectwatcher.js';
import { manifestStatus } from '../status/workstatus.js';
import {
  MANIFEST_APPLIED_MESSAGE,
  WORK_APPLIED,
  WORK_DISPATCHING,
  aggregateErrors,
  isApplied,
  isClusterReady,
  isSuspended,
  manifestsOf,
  patchWorkMetadata,
  setWorkConditions,
  type Work,
} from './work.js';

export interface ExecutionControllerOptions {
  /**
   * Works reconciled at once (karmada-controller-manager's --concurrent-work-syncs). Ten, where Karmada has five: a
   * reconcile here is mostly two round trips (the member, the Work's status), and waiting costs one event loop little.
   */
  workers?: number;
  /**
   * How long a Work applied for the first time waits, once, for its objects to reach the member informers, so that
   * its Applied condition and their statuses go out in one write (the work status controller's batch period).
   */
  statusWaitMs?: number;
}

export const DEFAULT_EXECUTION_OPTIONS: Required<ExecutionControllerOptions> = { workers: 10, statusWaitMs: 250 };

type Result = void | { requeueAfterMs: number };

/** Karmada's event reasons for syncing a Work's workload. */
const SYNC_SUCCEED = 'SyncSucceed';
const SYNC_FAILED = 'SyncFailed';

/** The execution controller, named "execution" as karmada-controller-manager's --controllers names it. */
export function executionController(opts: ExecutionControllerOptions = {}): Controller {
  return { name: 'execution', start: (ctx) => new ExecutionController(withOwnSignal(ctx), { ...DEFAULT_EXECUTION_OPTIONS, ...opts }).start() };
}

/** What of a Cluster the execution depends on. */
function clusterView(c: Cluster): string {
  return JSON.stringify([isClusterReady(c), Boolean(c.metadata?.deletionTimestamp)]);
}

/** An object a Work's first sync created in its member, and when. */
interface Created {
  manifest: Record<string, any>;
  atMs: number;
}

class ExecutionController {
  private works!: SharedInformer<Work>;
  private clusters!: SharedInformer<Cluster>;
  private watcher!: ObjectWatcher;
  private queue!: WorkQueue<string>;
  private readonly events: EventRecorder;
  private readonly rest: RESTClient;
  /** Works whose first Applied write has waited once for their objects' statuses (see syncToCluster). */
  private readonly waited = new Set<string>();
  private readonly metrics: ExecutionMetrics;
  /**
   * Templates, for their creation time: through the shared informers the binding controller reads templates from,
   * so in a controller-manager that runs both this adds no watch.
   */
  private readonly templates: TemplateSource;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: Required<ExecutionControllerOptions>,
  ) {
    this.events = ctx.events.recorder('execution-controller');
    this.rest = restClient(ctx.client.kc);
    this.metrics = executionMetrics(ctx.metrics.registry);
    // Template changes are the binding controller's business; only the cache is wanted here.
    this.templates = new TemplateSource(ctx, () => {});
  }

  async start(): Promise<void> {
    const { signal } = this.ctx;
    const caches = await syncedWorkCaches(this.ctx, 'execution controller');
    if (!caches) return;
    ({ works: this.works, clusters: this.clusters, watcher: this.watcher } = caches);

    this.queue = newControllerQueue<string>(this.ctx, 'execution', (key) => this.reconcile(key), { workers: this.opts.workers });
    // A Work's execution depends on everything but its status: our own writes there queue nothing.
    const onWork = (w: Work) => this.queue.add(objectKey(w));
    this.works.addViewHandler(generationView, { add: onWork, update: onWork, delete: onWork }, signal);
    const enqueueWorksOf = (c: Cluster) => {
      for (const w of this.works.list(executionSpaceName(c.metadata?.name ?? ''))) this.queue.add(objectKey(w));
    };
    // Not replayed: the Works already cached were queued just above.
    this.clusters.addViewHandler(clusterView, { add: enqueueWorksOf, update: enqueueWorksOf, delete: enqueueWorksOf }, signal, false);
  }

  private async reconcile(key: string): Promise<Result> {
    const { namespace, name } = splitKey(key);
    const clusterName = clusterOfExecutionSpace(namespace);
    if (!clusterName) return;
    let work = this.works.get(namespace, name);
    if (!work) {
      this.waited.delete(key);
      return;
    }
    const cluster = this.clusters.get(undefined, clusterName);
    if (work.metadata.deletionTimestamp) return this.finalize(work, clusterName, cluster);
    if (!cluster) throw new Error(`cluster(${clusterName}) not found`);
    const { signal } = this.ctx;

    // A Work written by hand may lack the finalizer the binding controller gives Works; without it, deleting the
    // Work would leave its objects in the member.
    if (!(work.metadata.finalizers ?? []).includes(EXECUTION_CONTROLLER_FINALIZER)) {
      const patched = await patchWorkMetadata(this.rest, work, { finalizers: [...(work.metadata.finalizers ?? []), EXECUTION_CONTROLLER_FINALIZER] }, signal);
      if (!patched) return;
      work = patched;
    }

    // Dispatching is written with the outcome of this pass, in the same write as Applied.
    const suspended = isSuspended(work);
    const dispatching: ObservedCondition = suspended
      ? { type: WORK_DISPATCHING, status: 'False', reason: 'SuspendDispatching', message: 'Work dispatching is in a suspended state.' }
      : { type: WORK_DISPATCHING, status: 'True', reason: 'Dispatching', message: 'Work is being dispatched to member clusters.' };
    if (suspended) {
      await setWorkConditions(this.rest, work, [dispatching], signal);
      return;
    }

    if (!isClusterReady(cluster)) {
      const message = `cluster(${clusterName}) not ready`;
      // A Work that was never applied says why it is waiting; one applied before keeps its condition, as Karmada does.
      const applied: ObservedCondition[] = findCondition(work.status?.conditions, WORK_APPLIED) ? [] : [{ type: WORK_APPLIED, status: 'False', reason: 'AppliedFailed', message }];
      await setWorkConditions(this.rest, work, [dispatching, ...applied], signal);
      throw new Error(message);
    }
    return this.syncWork(work, clusterName, dispatching);
  }

  /** syncToCluster, timed as Karmada's syncWork times it; the objects a first sync created observe their propagation. */
  private async syncWork(work: Work, cluster: string, dispatching: ObservedCondition): Promise<Result> {
    const started = performance.now();
    const created: Created[] = [];
    try {
      const result = await this.syncToCluster(work, cluster, dispatching, created);
      this.metrics.observeSync('success', started);
      return result;
    } catch (err) {
      this.metrics.observeSync('error', started);
      throw err;
    } finally {
      // Not awaited: a template informer that has not listed yet must not hold up a worker.
      if (created.length > 0) void this.observePropagation(created);
    }
  }

  /**
   * syncToClusters: every manifest applied, and the outcome recorded in the Applied condition. The objects created
   * while the Work was never applied before go into created: only those are new to the member because the template
   * is (an object deleted in the member and created again, for one, is not).
   */
  private async syncToCluster(work: Work, cluster: string, dispatching: ObservedCondition, created: Created[]): Promise<Result> {
    const { namespace, name, annotations } = work.metadata;
    const manifests = manifestsOf(work);
    const firstSync = !isApplied(work);
    const errors: Error[] = [];
    for (const manifest of manifests) {
      try {
        const onWrite = (w: MemberWrite) => this.metrics.countWrite(cluster, manifest, w);
        const result = await this.watcher.apply(cluster, markedManifest(manifest, { namespace, name }), overwrites(manifest, annotations), this.ctx.signal, onWrite);
        if (result === 'created' && firstSync) created.push({ manifest, atMs: Date.now() });
      } catch (err) {
        errors.push(err as Error);
      }
    }
    if (errors.length > 0) {
      const message = `Failed to apply all manifests (${manifests.length - errors.length}/${manifests.length}): ${aggregateErrors(errors)}`;
      await setWorkConditions(this.rest, work, [dispatching, { type: WORK_APPLIED, status: 'False', reason: 'AppliedFailed', message }], this.ctx.signal);
      const failure = `Failed to sync work(${namespace}/${name}) to cluster(${cluster}), err: ${aggregateErrors(errors)}`;
      this.events.record(work, 'Warning', SYNC_FAILED, failure);
      // Users describe the template, not the Work: the failure is told there too, as Karmada's controllers do.
      for (const m of manifests) this.events.record(templateOf(m), 'Warning', SYNC_FAILED, failure);
      throw new Error(failure);
    }
    // A Work applied for the first time gets the statuses of its objects in the write of its Applied condition, which
    // leaves the work status controller nothing to write until they change. The objects just created reach the
    // member informers a moment later: that moment is waited for once (a restart only waits again).
    let statuses: ManifestStatus[] | undefined;
    if (firstSync) {
      const key = objectKey(work);
      statuses = await this.observedStatuses(cluster, manifests);
      if (!statuses && !this.waited.has(key)) {
        this.waited.add(key);
        return { requeueAfterMs: this.opts.statusWaitMs };
      }
      this.waited.delete(key);
    }
    const applied: ObservedCondition = { type: WORK_APPLIED, status: 'True', reason: 'AppliedSuccessful', message: MANIFEST_APPLIED_MESSAGE };
    await setWorkConditions(this.rest, work, [dispatching, applied], this.ctx.signal, statuses);
    if (firstSync) this.events.record(work, 'Normal', SYNC_SUCCEED, `Sync work(${namespace}/${name}) to cluster(${cluster}) successful.`);
  }

  /** The manifest statuses of the Work's objects as the member informers have them; undefined while any is not there. */
  private async observedStatuses(cluster: string, manifests: Record<string, any>[]): Promise<ManifestStatus[] | undefined> {
    const statuses: ManifestStatus[] = [];
    for (const [ordinal, manifest] of manifests.entries()) {
      const observed = await this.watcher.fromCache(cluster, manifest);
      if (observed === 'unsynced' || !observed || !isManaged(observed)) return undefined;
      statuses.push(manifestStatus(ordinal, manifest, await this.watcher.resource(cluster, manifest), observed));
    }
    return statuses;
  }

  /**
   * A Work being deleted: its objects deleted from the member (or released, with preserveResourcesOnDeletion), then
   * its finalizer removed. A member that is not ready blocks this, unless its Cluster is being deleted too (then
   * there is nothing left to clean up).
   */
  private async finalize(work: Work, clusterName: string, cluster: Cluster | undefined): Promise<void> {
    const finalizers: string[] = work.metadata.finalizers ?? [];
    if (!finalizers.includes(EXECUTION_CONTROLLER_FINALIZER)) return;
    const { signal } = this.ctx;
    if (cluster && isClusterReady(cluster)) {
      for (const manifest of manifestsOf(work)) {
        if (work.spec?.preserveResourcesOnDeletion) await this.watcher.release(clusterName, manifest, signal);
        else await this.watcher.delete(clusterName, manifest, signal, (w) => this.metrics.countWrite(clusterName, manifest, w));
      }
    } else if (cluster && !cluster.metadata?.deletionTimestamp) {
      throw new Error(`cluster(${clusterName}) not ready`);
    }
    await patchWorkMetadata(this.rest, work, { finalizers: finalizers.filter((f) => f !== EXECUTION_CONTROLLER_FINALIZER) }, signal);
  }

  /**
   * flotilla_propagation_duration_seconds of each created object whose template is still the one it was rendered
   * from (its uid, which the binding controller records on the manifest); a Work written by hand has none.
   */
  private async observePropagation(created: Created[]): Promise<void> {
    for (const { manifest, atMs } of created) {
      const uid = manifest.metadata?.annotations?.[TEMPLATE_UID_ANNOTATION];
      if (!uid) continue;
      try {
        const informer = await this.templates.informer(manifest.apiVersion, manifest.kind);
        if (!informer || !(await informer.waitForSync(this.ctx.signal))) continue;
        const template = informer.get(manifest.metadata?.namespace || undefined, manifest.metadata?.name);
        if (!template || template.metadata?.uid !== uid) continue;
        const seconds = (atMs - Date.parse(String(template.metadata.creationTimestamp))) / 1000;
        // Negative only when this host's clock is behind the apiserver's, and NaN without a timestamp: nothing to tell.
        if (seconds >= 0) this.metrics.propagation.observe(seconds);
      } catch (err) {
        this.ctx.logger.warn({ err, apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata?.name }, 'template lookup failed; propagation latency not observed');
      }
    }
  }
}

/** The resource template a rendered manifest came from (the binding controller records its uid on the manifest). */
function templateOf(manifest: Record<string, any>): Involved {
  const meta = manifest.metadata ?? {};
  return { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: { name: meta.name, namespace: meta.namespace, uid: meta.annotations?.[TEMPLATE_UID_ANNOTATION] } };
}

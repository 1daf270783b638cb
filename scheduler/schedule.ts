// The scheduling loop: level-triggered over informer caches of Clusters, ResourceBindings and
// ClusterResourceBindings. A binding is queued when it is added or its spec changes (its generation), and when a
// cluster it may go to changes; each worker reads the binding and the clusters from the caches, decides by Karmada's
// rules whether it needs scheduling, and writes the result: spec.clusters with the applied-placement annotation (a
// merge patch guarded by the resourceVersion it was computed from), then the Scheduled condition,
// schedulerObservedGeneration and lastScheduledTime on the status subresource. Writes happen only when something
// changes, so a restart or a repeated event costs reads only. Failures other than "no cluster fits" are retried
// with backoff.
import client from 'prom-client';
import type { Cluster, Condition, ResourceBinding, ResourceBindingStatus, TargetCluster } from '../openapi/karmada/types.js';
import { restClient, type RESTClient } from '../controllers/runtime/rest.js';
import { bindingPath } from '../controllers/detector/binding.js';
import { MERGE_PATCH } from '../controllers/execution/work.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../controllers/runtime/controller.js';
import { objectKey, splitKey, type SharedInformer } from '../controllers/runtime/informer.js';
import type { WorkQueue } from '../controllers/runtime/workqueue.js';
import {
  APPLIED_PLACEMENT_ANNOTATION,
  DEFAULT_SCHEDULER_NAME,
  FitError,
  SCHEDULED_CONDITION,
  SUCCESSFUL_SCHEDULING_MESSAGE,
  UnschedulableError,
  clusterName,
  rescheduleRequired,
  targetContains,
  type ScheduledReason,
} from './api.js';
import { clusterMatches } from './cluster.js';
import { scheduleBinding, type ScheduleOutcome } from './core.js';
import { isOwnBinding, scheduleTrigger, type Trigger } from './trigger.js';
import { REASON, type EventRecorder } from '../controllers/runtime/events.js';

const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';
const RESOURCE_BINDINGS = '/apis/work.karmada.io/v1alpha2/resourcebindings';
const CLUSTER_RESOURCE_BINDINGS = '/apis/work.karmada.io/v1alpha2/clusterresourcebindings';

/** A ResourceBinding or a ClusterResourceBinding: the same spec and status. */
type Binding = ResourceBinding;

/**
 * SchedulingLoopOptions.workers unless set. Karmada's scheduler has one worker; here scheduling a binding is mostly
 * waiting on its two round trips (spec, then status), and with fewer workers than the detector's the new bindings
 * queue up here instead: at 16, up to 630 of a burst of 2,000 waited here, at 64 at most 24 (BENCHMARKS.md, seventh,
 * eleventh and thirtieth sessions).
 */
const DEFAULT_SCHEDULER_WORKERS = 64;

export interface SchedulingLoopOptions {
  /** Bindings scheduled at once; one binding is never scheduled by two workers at a time. */
  workers?: number;
  /** The spec.schedulerName this scheduler serves. */
  schedulerName?: string;
}

/** The scheduling loop as a controller of the scheduler process. */
export function schedulingLoop(opts: SchedulingLoopOptions = {}): Controller {
  return { name: 'scheduler', start: (ctx) => new SchedulingLoop(ctx, opts).start() };
}

/** Karmada's scheduler metrics, under their names and labels. */
function schedulerMetrics(registry: client.Registry) {
  return {
    attempts: new client.Counter({
      name: 'karmada_scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule resourceBinding',
      labelNames: ['result', 'schedule_type'] as const,
      registers: [registry],
    }),
    duration: new client.Histogram({
      name: 'karmada_scheduler_e2e_scheduling_duration_seconds',
      help: 'E2e scheduling latency in seconds',
      labelNames: ['result', 'schedule_type'] as const,
      buckets: client.exponentialBuckets(0.001, 2, 15),
      registers: [registry],
    }),
  };
}

class SchedulingLoop {
  private readonly clusters: SharedInformer<Cluster>;
  private readonly bindings: SharedInformer<Binding>;
  private readonly clusterBindings: SharedInformer<Binding>;
  private readonly schedulerName: string;
  private readonly metrics: ReturnType<typeof schedulerMetrics>;
  private readonly events: EventRecorder;
  private readonly rest: RESTClient;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: SchedulingLoopOptions,
  ) {
    this.clusters = ctx.informers.forResource<Cluster>(CLUSTERS);
    this.bindings = ctx.informers.forResource<Binding>(RESOURCE_BINDINGS);
    this.clusterBindings = ctx.informers.forResource<Binding>(CLUSTER_RESOURCE_BINDINGS);
    this.schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.metrics = schedulerMetrics(ctx.metrics.registry);
    this.events = ctx.events.recorder('default-scheduler');
    this.rest = restClient(ctx.client.kc);
  }

  async start(): Promise<void> {
    const { signal } = this.ctx;
    // Scheduling against a partial list of clusters would move bindings off clusters not listed yet.
    const synced = await Promise.all([this.clusters, this.bindings, this.clusterBindings].map((i) => i.waitForSync(signal)));
    if (signal.aborted) return;
    if (!synced.every(Boolean)) throw new Error('scheduler informers stopped before syncing');

    const queue = newControllerQueue<string>(this.ctx, 'scheduler', (key) => this.reconcile(key), { workers: this.opts.workers ?? DEFAULT_SCHEDULER_WORKERS });
    for (const informer of [this.bindings, this.clusterBindings]) {
      // Status writes (ours included) leave the generation as it is, and need no scheduling.
      const generations = new Map<string, number | undefined>();
      const onChange = (b: Binding) => {
        const key = objectKey(b);
        const seen = generations.has(key);
        const before = generations.get(key);
        generations.set(key, b.metadata?.generation);
        if ((!seen || before !== b.metadata?.generation) && isOwnBinding(b, this.schedulerName)) queue.add(key);
      };
      informer.addEventHandler({ add: onChange, update: onChange, delete: (b) => generations.delete(objectKey(b)) }, signal);
    }
    const known = new Map<string, Cluster>();
    // The clusters already listed are replayed to the handler as adds while it is added, when every binding has just
    // been queued: looking for the bindings each of them affects was 100 passes over every binding at each start.
    let replaying = true;
    this.clusters.addEventHandler(
      {
        add: (c) => {
          known.set(clusterName(c), c);
          if (!replaying) this.enqueueAffected(queue, [c]);
        },
        update: (c) => {
          const before = known.get(clusterName(c));
          known.set(clusterName(c), c);
          if (!before || schedulingView(before) !== schedulingView(c)) this.enqueueAffected(queue, before ? [before, c] : [c]);
        },
        delete: (c) => {
          known.delete(clusterName(c));
          this.enqueueAffected(queue, [c]);
        },
      },
      signal,
    );
    replaying = false;
  }

  /**
   * Queues the bindings a cluster change can affect (Karmada's enqueueAffectedBindings): those whose affinity the
   * cluster matched before or after the change, those without an affinity, and those already on the cluster.
   */
  private enqueueAffected(queue: WorkQueue<string>, versions: Cluster[]): void {
    const name = clusterName(versions[0]);
    for (const binding of [...this.bindings.list(), ...this.clusterBindings.list()]) {
      const placement = binding.spec.placement;
      if (!placement || !isOwnBinding(binding, this.schedulerName)) continue;
      const terms = placement.clusterAffinities ?? [];
      const status = binding.status ?? {};
      // A binding not scheduled since its last change may be about to move to another term: look at it anyway.
      if (terms.length > 0 && status.schedulerObservedGeneration !== binding.metadata?.generation) {
        queue.add(objectKey(binding));
        continue;
      }
      const affinity = terms.length > 0 ? (terms.find((t) => t.affinityName === status.schedulerObservingAffinityName) ?? terms[0]) : placement.clusterAffinity;
      if (!affinity || versions.some((c) => clusterMatches(c, affinity)) || targetContains(binding.spec, name)) queue.add(objectKey(binding));
    }
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const binding = namespace ? this.bindings.get(namespace, name) : this.clusterBindings.get(undefined, name);
    if (!binding || binding.metadata?.deletionTimestamp || !isOwnBinding(binding, this.schedulerName)) return;
    if (!binding.spec.placement) {
      this.ctx.logger.warn({ binding: key }, 'binding has no placement; not scheduled');
      return;
    }
    const trigger = scheduleTrigger(binding, this.clusters.list());
    if (!trigger) {
      // Nothing to schedule: the current result is the result for this generation. Its status may still be missing
      // when the status write that followed our spec write was refused (409): the outcome is then written here.
      const outcome: ScheduleOutcome = { clusters: binding.spec.clusters ?? [] };
      await this.writeStatus(binding, outcome, statusChanges(binding, outcome, binding.metadata?.generation, false, now()), binding.metadata?.resourceVersion);
      return;
    }
    const started = performance.now();
    let result = 'scheduled';
    try {
      await this.schedule(key, binding, trigger);
    } catch (err) {
      result = 'error';
      throw err;
    } finally {
      const labels = { result, schedule_type: trigger.type };
      this.metrics.attempts.inc(labels);
      this.metrics.duration.observe(labels, (performance.now() - started) / 1000);
    }
  }

  private async schedule(key: string, binding: Binding, trigger: Trigger): Promise<void> {
    const log = this.ctx.logger.child({ binding: key });
    const outcome = scheduleBinding({ spec: binding.spec, status: binding.status ?? {}, clusters: this.clusters.list(), seed: binding.metadata?.uid ?? key });
    // Each cluster that did not fit, and why; the condition only counts them. Other failures are logged as they
    // are retried.
    if (outcome.error instanceof FitError) log.info({ why: trigger.reason, notFit: Object.fromEntries(outcome.error.reasons) }, outcome.error.message);

    let generation: number | undefined = binding.metadata?.generation;
    let resourceVersion = binding.metadata?.resourceVersion;
    let wroteSpec = false;
    if (outcome.clusters) {
      const placement = JSON.stringify(binding.spec.placement);
      if (binding.metadata?.annotations?.[APPLIED_PLACEMENT_ANNOTATION] !== placement || !sameTargets(binding.spec.clusters, outcome.clusters)) {
        // Guarded by the resourceVersion read: a result computed from a stale binding is refused (409) and redone.
        const updated = await this.patch(binding, {
          metadata: { resourceVersion: binding.metadata?.resourceVersion, annotations: { [APPLIED_PLACEMENT_ANNOTATION]: placement } },
          spec: { clusters: outcome.clusters.length > 0 ? outcome.clusters : null },
        });
        // Our own write is the only change in the new generation, and this result is for it.
        generation = updated.metadata?.generation;
        resourceVersion = updated.metadata?.resourceVersion;
        wroteSpec = true;
        log.info({ why: trigger.reason, clusters: outcome.clusters }, 'schedule result written');
      }
    }
    await this.writeStatus(binding, outcome, statusChanges(binding, outcome, generation, wroteSpec, now()), resourceVersion);
    // "No cluster fits" is final until a cluster or the binding changes; anything else is tried again.
    if (outcome.error && !(outcome.error instanceof FitError)) throw outcome.error;
  }

  /** Writes the status changes of an outcome, and records its events when the Scheduled condition changed. */
  private async writeStatus(binding: Binding, outcome: ScheduleOutcome, status: Partial<ResourceBindingStatus> | undefined, resourceVersion: string | undefined): Promise<void> {
    if (!status) return;
    // Guarded by the resourceVersion: conditions other controllers wrote since the cache was read (FullyApplied)
    // must not be lost; a 409 requeues the binding and the next attempt writes what is still missing.
    await this.patch(binding, { metadata: { resourceVersion }, status }, true);
    if (status.conditions) await this.recordResult(binding, outcome);
  }

  /** Karmada's scheduling events, on the binding and on the template users describe, when the outcome changed. */
  private async recordResult(binding: Binding, outcome: ScheduleOutcome): Promise<void> {
    const r = binding.spec.resource;
    const template = { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, namespace: r.namespace, uid: r.uid } };
    const [type, reason, message] = outcome.error
      ? (['Warning', REASON.ScheduleBindingFailed, outcome.error.message] as const)
      : (['Normal', REASON.ScheduleBindingSucceed, `Binding has been scheduled successfully. Result: {${(outcome.clusters ?? []).map((c) => `${c.name}:${c.replicas ?? 0}`).join(', ')}}`] as const);
    for (const obj of [binding, template]) this.events.record(obj, type, reason, message);
  }

  /** A JSON merge patch of the binding, or of its status subresource, on the raw JSON client (two per binding). */
  private async patch(binding: Binding, body: object, status = false): Promise<Binding> {
    const { namespace, name } = binding.metadata ?? {};
    const path = bindingPath(namespace ? 'ResourceBinding' : 'ClusterResourceBinding', namespace, name!) + (status ? '/status' : '');
    return (await this.rest.request('PATCH', path, { body, contentType: MERGE_PATCH, signal: this.ctx.signal })) as Binding;
  }
}

/** What of a cluster the scheduler decides on; changes elsewhere (resource usage, heartbeats) queue nothing. */
function schedulingView(c: Cluster): string {
  const ready = c.status?.conditions?.find((x) => x.type === 'Ready')?.status;
  return JSON.stringify([c.metadata?.labels, c.metadata?.deletionTimestamp, c.spec, ready, c.status?.apiEnablements]);
}

function sameTargets(a: TargetCluster[] | undefined, b: TargetCluster[]): boolean {
  const list = a ?? [];
  return list.length === b.length && list.every((c, i) => c.name === b[i].name && (c.replicas ?? 0) === (b[i].replicas ?? 0));
}

/** metav1.Now() as kube serializes it: RFC 3339 to the second. */
function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * The status fields to write after a scheduling attempt, or undefined when they already say so: the Scheduled
 * condition (its transition time kept while its status does not change); on success the observed generation, and
 * lastScheduledTime when the result, the condition or the generation changed or a reschedule was asked for (so
 * spec.rescheduleTriggeredAt is answered); the affinity term now observed.
 */
export function statusChanges(
  binding: Binding,
  outcome: ScheduleOutcome,
  generation: number | undefined,
  wroteSpec: boolean,
  time: string,
): Partial<ResourceBindingStatus> | undefined {
  const status = binding.status ?? {};
  const changes: Partial<ResourceBindingStatus> = {};
  const conditions = setCondition(status.conditions ?? [], scheduledCondition(outcome.error), time);
  if (JSON.stringify(conditions) !== JSON.stringify(status.conditions ?? [])) changes.conditions = conditions;
  if (outcome.affinityName !== undefined && outcome.affinityName !== status.schedulerObservingAffinityName) changes.schedulerObservingAffinityName = outcome.affinityName;
  if (!outcome.error) {
    if (status.schedulerObservedGeneration !== generation) changes.schedulerObservedGeneration = generation;
    if (wroteSpec || changes.conditions || changes.schedulerObservedGeneration !== undefined || !status.lastScheduledTime || rescheduleRequired(binding.spec, status))
      changes.lastScheduledTime = time;
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/** Karmada's getConditionByError. */
function scheduledCondition(error: Error | undefined): Omit<Condition, 'lastTransitionTime'> {
  const condition = (status: Condition['status'], reason: ScheduledReason, message: string) => ({ type: SCHEDULED_CONDITION, status, reason, message });
  if (!error) return condition('True', 'Success', SUCCESSFUL_SCHEDULING_MESSAGE);
  if (error instanceof FitError) return condition('False', 'NoClusterFit', error.message);
  if (error instanceof UnschedulableError) return condition('False', 'Unschedulable', error.message);
  return condition('False', 'SchedulerError', error.message);
}

/** meta.SetStatusCondition: replaces the condition of that type, moving lastTransitionTime only when status changes. */
function setCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime'>, time: string): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  if (!existing) return [...conditions, { ...next, lastTransitionTime: time }];
  const lastTransitionTime = existing.status === next.status ? existing.lastTransitionTime : time;
  return conditions.map((c) => (c === existing ? { ...next, lastTransitionTime } : c));
}

// The binding controllers (Karmada's ResourceBindingController and ClusterResourceBindingController): each binding
// gets one Work per cluster it is scheduled to (and per cluster the bindings depending on it are scheduled to), in
// that cluster's execution space, holding its resource template rendered for the cluster; Works of clusters it is no
// longer scheduled to are deleted.
//
// Level-triggered over informer caches: a binding is queued when it, its template, an override policy that may
// select its template, one of its clusters or one of its Works changes, and each reconcile derives everything from
// what the caches hold. Writes happen only when a Work differs from what it should be, so a restart or a repeated
// event costs reads only. Whatever a reconcile needs to remember is in the API: a binding holds a finalizer
// until its Works are deleted, and its Works carry its permanent id label, which is how they are found (Works live
// in other namespaces than their binding, where owner references cannot reach).
import { randomUUID } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Cluster, ClusterOverridePolicy, ObjectReference, OverridePolicy } from '../../openapi/karmada/types.js';
import { isStatus } from '../runtime/client.js';
import { restClient, type RESTClient } from '../runtime/rest.js';
import { bindingPath } from '../detector/binding.js';
import { MERGE_PATCH, workPath } from '../execution/work.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { generationView, nonStatusView, objectKey, splitKey, type SharedInformer } from '../runtime/informer.js';
import type { WorkQueue } from '../runtime/workqueue.js';
import type { Obj } from '../overrides/jsonpatch.js';
import {
  APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
  APPLIED_OVERRIDES_ANNOTATION,
  OverridePolicyError,
  appliedPolicyNames,
  type OverridePolicyKind,
} from '../overrides/policies.js';
import { REASON, type EventRecorder } from '../runtime/events.js';
import {
  BINDING_API_VERSION,
  BINDING_FINALIZER,
  CRB_NAME_ANNOTATION,
  RB_NAME_ANNOTATION,
  RB_NAMESPACE_ANNOTATION,
  WORK_PERMANENT_ID_LABEL,
  clusterOfExecutionSpace,
} from './names.js';
import { PERMANENT_ID_LABEL, bindingID, expectedClusters, renderWork, targetClusters, updatedWork, type Binding, type BindingKind, type Work } from './render.js';
import { jobCompletions, needReviseReplicas, replicaField } from './replicas.js';
import { TemplateSource, type TemplateRef } from './templates.js';
import { forEachLimit } from '../runtime/parallel.js';
import { refKey } from './dependencies.js';

export const BINDING_PATHS: Record<BindingKind, string> = {
  ResourceBinding: '/apis/work.karmada.io/v1alpha2/resourcebindings',
  ClusterResourceBinding: '/apis/work.karmada.io/v1alpha2/clusterresourcebindings',
};
const WORKS = '/apis/work.karmada.io/v1alpha1/works';
const OVERRIDE_POLICIES = '/apis/policy.karmada.io/v1alpha1/overridepolicies';
const CLUSTER_OVERRIDE_POLICIES = '/apis/policy.karmada.io/v1alpha1/clusteroverridepolicies';
const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

const KINDS: readonly BindingKind[] = ['ResourceBinding', 'ClusterResourceBinding'];
const QUEUE_NAME: Record<BindingKind, string> = { ResourceBinding: 'resource-binding', ClusterResourceBinding: 'cluster-resource-binding' };
/** Karmada's event sources. */
const COMPONENT: Record<BindingKind, string> = { ResourceBinding: 'binding-controller', ClusterResourceBinding: 'cluster-resource-binding-controller' };
const BY_TEMPLATE = 'byTemplate';
/**
 * Works of one binding written at once: a binding duplicated to 20 clusters costs five round trips, not twenty. More
 * only lengthens the apiserver's queue (at 10, its mutating P99 in a burst was 94–99 ms; at 4, 86 ms, as many Works/s).
 */
const WORK_WRITES_IN_FLIGHT = 4;

/** Bindings of one kind reconciled at once unless set, as Karmada's. */
export const DEFAULT_BINDING_WORKERS = 5;

export interface BindingControllerOptions {
  /**
   * Bindings of each kind reconciled at once (Karmada's --concurrent-resourcebinding-syncs and
   * --concurrent-clusterresourcebinding-syncs); one binding is never reconciled by two workers at a time.
   */
  workers?: Partial<Record<BindingKind, number>>;
}

/**
 * The controller of ResourceBindings and ClusterResourceBindings, named "binding" as Karmada's controller-manager
 * names the pair.
 */
export function bindingController(opts: BindingControllerOptions = {}): Controller {
  return { name: 'binding', start: (ctx) => new BindingController(ctx, opts).start() };
}

/** The binding a Work was made for, from the annotations the binding controller puts on Works. */
function ownerOfWork(work: Work): { kind: BindingKind; key: string } | undefined {
  const a = work.metadata?.annotations ?? {};
  if (a[RB_NAME_ANNOTATION]) return { kind: 'ResourceBinding', key: `${a[RB_NAMESPACE_ANNOTATION]}/${a[RB_NAME_ANNOTATION]}` };
  if (a[CRB_NAME_ANNOTATION]) return { kind: 'ClusterResourceBinding', key: a[CRB_NAME_ANNOTATION] };
  return undefined;
}

/** The Work informer's index of Works by the binding they were made for: its kind and permanent id, "KIND|ID". */
const WORKS_BY_BINDING = 'binding';

/** Indexes a Work informer by binding; the index is the informer's, shared by every controller that asks for it. */
export function indexWorksByBinding<W extends KubernetesObject>(works: SharedInformer<W>): void {
  works.addIndex(WORKS_BY_BINDING, (w) =>
    KINDS.flatMap((kind) => {
      const id = w.metadata?.labels?.[PERMANENT_ID_LABEL[kind]];
      return id ? [`${kind}|${id}`] : [];
    }),
  );
}

/** The cached Works made for the binding of kind whose permanent id is id (the informer indexed by indexWorksByBinding). */
export function cachedWorksOf<W extends KubernetesObject>(works: SharedInformer<W>, kind: BindingKind, id: string): W[] {
  return works.byIndex(WORKS_BY_BINDING, `${kind}|${id}`);
}

/**
 * Whether policy may select the template ref points at. Label selectors are not evaluated (the template is not at
 * hand), so this errs towards yes; a binding queued for nothing renders the same Works and writes nothing.
 */
function mayApply(kind: OverridePolicyKind, policy: ClusterOverridePolicy | OverridePolicy, ref: ObjectReference): boolean {
  if (kind === 'OverridePolicy' && policy.metadata?.namespace !== ref.namespace) return false;
  const selectors = policy.spec?.resourceSelectors ?? [];
  return (
    selectors.length === 0 ||
    selectors.some(
      (s) => s.apiVersion === ref.apiVersion && s.kind === ref.kind && (!s.namespace || s.namespace === ref.namespace) && (!s.name || s.name === ref.name),
    )
  );
}

/**
 * A binding as its Works and its status are derived from it: nonStatusView without the template's resourceVersion in
 * spec.resource, nor the generation that its change moves. The detector refreshes that on every start, as Karmada's
 * does, which rendered every Work and aggregated every status again for nothing; the template itself is read from its
 * own informer, whose changes queue the binding. Nothing derived from a binding reads its generation.
 */
export function bindingView(b: Binding): string {
  const { resourceVersion: _rv, ...resource } = b.spec?.resource ?? ({} as Binding['spec']['resource']);
  const { generation: _generation, ...metadata } = b.metadata ?? {};
  const view: Binding = { ...b, metadata, spec: { ...b.spec, resource } };
  return nonStatusView(view);
}

/** What of a Cluster override rules match on; status changes (heartbeats, resource usage) queue nothing. */
function matchView(c: Cluster): string {
  return JSON.stringify([c.metadata?.labels, c.spec]);
}

/** Go's errors.NewAggregate text. */
function aggregateMessage(errors: Error[]): string {
  const texts = errors.map((e) => (e instanceof OverridePolicyError ? `${e.message} ${e.cause.message}` : e.message));
  return texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
}

/** Attempts at writing a Work that meets conflicts (client-go's retry.DefaultRetry has 5 steps). */
const WORK_CONFLICT_RETRIES = 5;


class BindingController {
  private readonly bindings = {} as Record<BindingKind, SharedInformer<Binding>>;
  private readonly queues = {} as Record<BindingKind, WorkQueue<string>>;
  private works!: SharedInformer<Work>;
  private overridePolicies!: SharedInformer<OverridePolicy>;
  private clusterOverridePolicies!: SharedInformer<ClusterOverridePolicy>;
  private clusters!: SharedInformer<Cluster>;
  private crds!: SharedInformer<Obj>;
  private readonly templates: TemplateSource;
  private readonly events: Record<BindingKind, EventRecorder>;
  private readonly overrideEvents: EventRecorder;
  private readonly rest: RESTClient;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: BindingControllerOptions,
  ) {
    // Works carry no status of their template (prune.ts): its status writes render nothing new.
    this.templates = new TemplateSource(ctx, (ref) => this.enqueueForTemplate(ref), nonStatusView);
    const recorder = (component: string) => ctx.events.recorder(component);
    this.events = { ResourceBinding: recorder(COMPONENT.ResourceBinding), ClusterResourceBinding: recorder(COMPONENT.ClusterResourceBinding) };
    this.overrideEvents = recorder('override-manager');
    this.rest = restClient(ctx.client.kc);
  }

  async start(): Promise<void> {
    const { informers, signal } = this.ctx;
    for (const kind of KINDS) {
      this.bindings[kind] = informers.forResource<Binding>(BINDING_PATHS[kind]);
      // A template event looks up its own bindings, not every binding (which made a burst quadratic).
      this.bindings[kind].addIndex(BY_TEMPLATE, (b) => (b.spec?.resource ? [refKey(b.spec.resource)] : []));
    }
    this.works = informers.forResource<Work>(WORKS);
    indexWorksByBinding(this.works);
    this.overridePolicies = informers.forResource<OverridePolicy>(OVERRIDE_POLICIES);
    this.clusterOverridePolicies = informers.forResource<ClusterOverridePolicy>(CLUSTER_OVERRIDE_POLICIES);
    this.clusters = informers.forResource<Cluster>(CLUSTERS);
    this.crds = informers.forResource<Obj>(CRDS);
    // Rendering from a partial list of Works or policies would write Works that exist, or drop overrides.
    const all = [...Object.values(this.bindings), this.works, this.overridePolicies, this.clusterOverridePolicies, this.clusters, this.crds];
    const synced = await Promise.all(all.map((i) => i.waitForSync(signal)));
    if (signal.aborted) return;
    if (!synced.every(Boolean)) throw new Error('binding controller informers stopped before syncing');

    for (const kind of KINDS) {
      this.queues[kind] = newControllerQueue<string>(this.ctx, QUEUE_NAME[kind], (key) => this.reconcile(kind, key), { workers: this.opts.workers?.[kind] ?? DEFAULT_BINDING_WORKERS });
    }
    // Every binding is queued by the replay of its own informer. The Works, policies and clusters already cached are
    // not replayed: each would only queue bindings again (a cluster after a pass over every binding, a policy after
    // one over every Work).
    for (const kind of KINDS) {
      const enqueue = (b: Binding) => this.queues[kind].add(objectKey(b));
      this.bindings[kind].addViewHandler(bindingView, { add: enqueue, update: enqueue, delete: enqueue }, signal);
    }
    // Works and bindings are rendered from what they declare: status writes (most of their updates) queue nothing. A
    // Work's creation queues nothing either, as Karmada's binding controller ignores it: this controller made it, and
    // a pass queued by a binding's first Work found the binding's later ones not yet cached and created them again.
    const enqueueOwner = (w: Work) => this.enqueueOwner(w);
    this.works.addViewHandler(generationView, { update: enqueueOwner, delete: enqueueOwner }, signal, false);
    this.overridePolicies.addEventHandler(this.policyHandler('OverridePolicy'), signal, false);
    this.clusterOverridePolicies.addEventHandler(this.policyHandler('ClusterOverridePolicy'), signal, false);
    const enqueueFor = (c: Cluster) => this.enqueueBindings((spec) => targetClusters(spec).some((t) => t.name === c.metadata?.name));
    this.clusters.addViewHandler(matchView, { add: enqueueFor, update: enqueueFor, delete: enqueueFor }, signal, false);
  }

  private enqueueOwner(work: Work): void {
    const owner = ownerOfWork(work);
    if (owner) this.queues[owner.kind].add(owner.key);
  }

  private enqueueBindings(pick: (spec: Binding['spec']) => boolean): void {
    for (const kind of KINDS) for (const b of this.bindings[kind].list()) if (b.spec && pick(b.spec)) this.queues[kind].add(objectKey(b));
  }

  private enqueueForTemplate(ref: TemplateRef): void {
    for (const kind of KINDS) for (const b of this.bindings[kind].byIndex(BY_TEMPLATE, refKey(ref))) this.queues[kind].add(objectKey(b));
  }

  /** A policy change queues the bindings it may apply to now, and those it was applied to (their Works say so). */
  private policyHandler(kind: OverridePolicyKind) {
    const annotation = kind === 'ClusterOverridePolicy' ? APPLIED_CLUSTER_OVERRIDES_ANNOTATION : APPLIED_OVERRIDES_ANNOTATION;
    const onPolicy = (policy: ClusterOverridePolicy | OverridePolicy) => {
      this.enqueueBindings((spec) => mayApply(kind, policy, spec.resource));
      const name = policy.metadata?.name;
      for (const w of this.works.list()) if (appliedPolicyNames(w.metadata?.annotations?.[annotation]).includes(name)) this.enqueueOwner(w);
    };
    return { add: onPolicy, update: onPolicy, delete: onPolicy };
  }

  private async reconcile(kind: BindingKind, key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.bindings[kind].get(namespace, name);
    if (!cached) return;
    const binding: Binding = { ...cached, apiVersion: BINDING_API_VERSION, kind };
    const finalizer = BINDING_FINALIZER[kind];
    const finalizers: string[] = binding.metadata.finalizers ?? [];
    if (binding.metadata.deletionTimestamp) {
      if (!finalizers.includes(finalizer)) return;
      const id = bindingID(binding);
      if (id) await this.deleteWorks(binding, await this.listWorks(kind, id));
      await this.patchBinding(binding, { finalizers: finalizers.filter((f) => f !== finalizer) });
      return;
    }
    const id = bindingID(binding);
    if (!id || !finalizers.includes(finalizer)) {
      // What Karmada's webhook and detector give every binding; the update queues the binding again.
      await this.patchBinding(binding, {
        ...(!finalizers.includes(finalizer) && { finalizers: [...finalizers, finalizer] }),
        ...(!id && { labels: { [PERMANENT_ID_LABEL[kind]]: randomUUID() } }),
      });
      return;
    }

    const works = cachedWorksOf(this.works, kind, id);
    const expected = expectedClusters(binding.spec);
    await this.deleteWorks(
      binding,
      works.filter((w) => !expected.has(clusterOfExecutionSpace(w.metadata.namespace) ?? '')),
    );

    const lookup = await this.templates.get(binding.spec.resource);
    // Queued again once the template's informer has listed (TemplateSource announces the lookup).
    if (lookup.state === 'unsynced') return;
    if (lookup.state === 'unknown-kind') throw new Error(`the API serves no ${binding.spec.resource.kind} in ${binding.spec.resource.apiVersion}`);
    // A template that is gone takes its binding with it (the binding's owner reference); nothing to render meanwhile.
    if (lookup.state === 'absent') return;
    await this.ensureWorks(binding, lookup.object);
  }

  /** Creates or updates the Work of every target cluster; records what failed, and what changed. */
  private async ensureWorks(binding: Binding, template: Obj): Promise<void> {
    const spec = binding.spec;
    const targets = targetClusters(spec);
    const revise = needReviseReplicas(spec);
    const field = revise ? replicaField(template.apiVersion, template.kind, this.crds.list()) : undefined;
    const completions = revise ? jobCompletions(template, targets, binding.metadata.uid ?? objectKey(binding)) : new Map<string, number>();
    const clusterOverridePolicies = this.clusterOverridePolicies.list();
    const overridePolicies = template.metadata?.namespace ? this.overridePolicies.list(template.metadata.namespace) : [];
    const errors: Error[] = [];
    let changed = false;
    await forEachLimit(targets, WORK_WRITES_IN_FLIGHT, async (target) => {
      try {
        const desired = renderWork({
          binding,
          template,
          target,
          cluster: this.clusters.get(undefined, target.name) ?? target.name,
          clusterOverridePolicies,
          overridePolicies,
          replicaField: field,
          completions: completions.get(target.name),
          workID: (ns, name) => this.works.get(ns, name)?.metadata.labels?.[WORK_PERMANENT_ID_LABEL] ?? randomUUID(),
        });
        if (await this.applyWork(desired)) changed = true;
      } catch (err) {
        if (err instanceof OverridePolicyError) this.overrideEvents.record(template, 'Warning', REASON.ApplyOverridePolicyFailed, err.message);
        errors.push(err as Error);
      }
    });
    const events = this.events[binding.kind];
    if (errors.length) {
      const message = aggregateMessage(errors);
      events.record(binding, 'Warning', REASON.SyncWorkFailed, message);
      events.record(template, 'Warning', REASON.SyncWorkFailed, message);
      throw new Error(`failed to sync works of ${binding.kind} ${objectKey(binding)}: ${message}`);
    }
    if (changed) {
      const which = binding.kind === 'ResourceBinding' ? `resourceBinding(${objectKey(binding)})` : `clusterResourceBinding(${objectKey(binding)})`;
      const message = `Sync work of ${which} successful.`;
      events.record(binding, 'Normal', REASON.SyncWorkSucceed, message);
      events.record(template, 'Normal', REASON.SyncWorkSucceed, message);
    }
  }

  /** Creates desired, or brings the existing Work up to date; true when it wrote. */
  private async applyWork(desired: Work): Promise<boolean> {
    const { namespace, name } = desired.metadata;
    const signal = this.ctx.signal;
    let existing = this.works.get(namespace, name);
    // The cache may not have this controller's last write of the Work yet, and the execution and work status
    // controllers write its status meanwhile: a conflict is retried against the Work as the API has it (client-go's
    // RetryOnConflict, as Karmada's CreateOrUpdateWork does) rather than failing the whole pass and telling users so
    // in a SyncWorkFailed event.
    for (let attempt = 1; ; attempt++) {
      try {
        if (!existing) {
          await this.rest.send('POST', workPath(namespace), { body: desired, signal });
          return true;
        }
        // A cluster dropped and scheduled again: the old Work must be gone before a new one can take its name.
        if (existing.metadata.deletionTimestamp) throw new Error(`work ${namespace}/${name} is being deleted`);
        const next = updatedWork(existing, desired);
        if (!next) return false;
        await this.rest.send('PUT', workPath(namespace, name), { body: next, signal });
        return true;
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= WORK_CONFLICT_RETRIES) throw err;
        try {
          existing = (await this.rest.request('GET', workPath(namespace, name), { signal })) as Work;
        } catch (getErr) {
          if (!isStatus(getErr, 404)) throw getErr;
          existing = undefined;
        }
      }
    }
  }


  /**
   * The binding's Works as the API has them, not as the cache does: a Work created just now may not be in the cache
   * yet, and once the finalizer is gone nothing would ever delete it.
   */
  private async listWorks(kind: BindingKind, id: string): Promise<Work[]> {
    const selector = encodeURIComponent(`${PERMANENT_ID_LABEL[kind]}=${id}`);
    const list = (await this.rest.request('GET', `${WORKS}?labelSelector=${selector}`, { signal: this.ctx.signal })) as { items?: Work[] };
    return list.items ?? [];
  }

  private async deleteWorks(binding: Binding, works: Work[]): Promise<void> {
    for (const w of works) {
      if (w.metadata.deletionTimestamp) continue;
      try {
        await this.rest.send('DELETE', workPath(w.metadata.namespace, w.metadata.name), { signal: this.ctx.signal });
      } catch (err) {
        if (isStatus(err, 404)) continue;
        this.events[binding.kind].record(binding, 'Warning', REASON.CleanupWorkFailed, (err as Error).message);
        throw err;
      }
    }
  }

  /** A JSON merge patch of the binding's metadata, guarded by the resourceVersion it was computed from. */
  private async patchBinding(binding: Binding, metadata: { finalizers?: string[]; labels?: Record<string, string> }): Promise<void> {
    const { name, namespace, resourceVersion } = binding.metadata;
    const body = { metadata: { resourceVersion, ...metadata } };
    try {
      await this.rest.send('PATCH', bindingPath(binding.kind, namespace, name), { body, contentType: MERGE_PATCH, signal: this.ctx.signal });
    } catch (err) {
      // Gone: nothing left to finalize.
      if (!isStatus(err, 404)) throw err;
    }
  }
}

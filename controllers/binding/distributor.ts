// The dependencies distributor (Karmada's, for propagateDeps): keeps the attached ResourceBindings of the objects a
// binding's workload depends on in step with the binding's clusters. Level-triggered over informer caches like the
// binding controller, and restart-safe the same way: which bindings depend on what is in the API (the dependencies
// annotation of the binding, the requiredBy snapshots and depended-by labels of the attached bindings), so a binding
// deleted while the distributor was down is still found, through its attached bindings' snapshots, and let go of.
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { withSignal } from '../runtime/client.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { objectKey, splitKey, type SharedInformer } from '../runtime/informer.js';
import type { WorkQueue } from '../runtime/workqueue.js';
import { BINDING_PATHS } from './controller.js';
import {
  DEPENDED_BY_LABEL_PREFIX,
  DEPENDENCIES_ANNOTATION,
  attachedBinding,
  attachedBindingName,
  dependedByLabel,
  detachedBinding,
  getDependencies,
  recordedDependencies,
  refKey,
  type DependentRef,
} from './dependencies.js';
import { REASON, type EventRecorder } from '../runtime/events.js';
import type { Binding } from './render.js';
import { TemplateSource, type TemplateRef } from './templates.js';

/** Indexes of the bindings: by the objects (template and recorded dependencies) they concern, by depended-by label. */
const BY_OBJECT = 'object';
const BY_DEPENDED_BY_LABEL = 'depended-by';

/** How soon to look again when an informer the answer depends on has not listed yet. */
const UNSYNCED_RETRY_MS = 500;
const RB = { group: 'work.karmada.io', version: 'v1alpha2', plural: 'resourcebindings' };

export interface DependenciesDistributorOptions {
  workers?: number;
}

export function dependenciesDistributor(opts: DependenciesDistributorOptions = {}): Controller {
  return { name: 'dependencies-distributor', start: (ctx) => new DependenciesDistributor(ctx, opts).start() };
}

class DependenciesDistributor {
  private bindings!: SharedInformer<Binding>;
  private queue!: WorkQueue<string>;
  private readonly objects: TemplateSource;
  private readonly events: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: DependenciesDistributorOptions,
  ) {
    // Workload templates and their dependencies alike: a change to either can change what is attached where.
    this.objects = new TemplateSource(ctx, (ref) => this.onObject(ref));
    this.events = ctx.events.recorder('dependencies-distributor');
  }

  async start(): Promise<void> {
    const { informers, signal } = this.ctx;
    this.bindings = informers.forResource<Binding>(BINDING_PATHS.ResourceBinding);
    // A template or dependency event, and each reconcile, look up the few bindings concerned, not every binding.
    this.bindings.addIndex(BY_OBJECT, (b) => {
      const r = b.spec?.resource;
      return [...(r ? [refKey({ ...r, namespace: b.metadata.namespace })] : []), ...recordedDependencies(b).map(refKey)];
    });
    this.bindings.addIndex(BY_DEPENDED_BY_LABEL, (b) => Object.keys(b.metadata?.labels ?? {}).filter((l) => l.startsWith(DEPENDED_BY_LABEL_PREFIX)));
    const synced = await this.bindings.waitForSync(signal);
    if (signal.aborted) return;
    if (!synced) throw new Error('dependencies distributor informers stopped before syncing');
    this.queue = newControllerQueue<string>(this.ctx, 'dependencies-distributor', (key) => this.reconcile(key), { workers: this.opts.workers ?? 2 });
    const onBinding = (b: Binding) => {
      this.queue.add(objectKey(b));
      // An attached binding leads to the bindings that need it, whether or not they still exist.
      for (const s of b.spec?.requiredBy ?? []) this.queue.add(`${s.namespace}/${s.name}`);
    };
    this.bindings.addEventHandler({ add: onBinding, update: onBinding, delete: onBinding }, signal);
  }

  private onObject(ref: TemplateRef): void {
    for (const b of this.bindings.byIndex(BY_OBJECT, refKey(ref))) this.queue.add(objectKey(b));
  }

  /** Brings the attached bindings of the binding at key in line with what its workload depends on now. */
  private async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const { namespace = '', name } = splitKey(key);
    const cached = this.bindings.get(namespace, name);
    const parent: Binding | undefined = cached && { ...cached, kind: 'ResourceBinding' };
    let dependencies: DependentRef[] = [];
    if (parent && !parent.metadata.deletionTimestamp && parent.spec.propagateDeps) {
      const lookup = await this.objects.get(parent.spec.resource);
      if (lookup.state === 'unsynced') return { requeueAfterMs: UNSYNCED_RETRY_MS };
      if (lookup.state === 'unknown-kind') throw new Error(`the API serves no ${parent.spec.resource.kind} in ${parent.spec.resource.apiVersion}`);
      // A template that is gone takes its binding with it; until then, what is attached stays.
      if (lookup.state === 'absent') return;
      dependencies = getDependencies(lookup.object);
      await this.recordDependencies(parent, dependencies);
    }

    const label = dependedByLabel(namespace, name).key;
    const wanted = new Set(dependencies.map(refKey));
    for (const attached of this.bindings.byIndex(BY_DEPENDED_BY_LABEL, label)) {
      if (attached.metadata.namespace !== namespace || wanted.has(refKey(attached.spec.resource))) continue;
      const next = detachedBinding(namespace, name, { ...attached, kind: 'ResourceBinding' });
      if (next === 'delete') await this.delete(attached);
      else await this.replace(next);
    }
    if (!parent || dependencies.length === 0) return;

    let unsynced = false;
    const errors: Error[] = [];
    for (const dep of dependencies) {
      try {
        const lookup = await this.objects.get(dep);
        if (lookup.state === 'unsynced') unsynced = true;
        // A dependency that does not exist (yet) is skipped; its creation queues the binding again.
        if (lookup.state !== 'found') continue;
        const existing = this.bindings.get(namespace, attachedBindingName(lookup.object));
        const next = attachedBinding(parent, lookup.object, existing && { ...existing, kind: 'ResourceBinding' });
        if (!next) continue;
        if (existing) await this.replace(next);
        else await this.ctx.client.customObjects.createNamespacedCustomObject({ ...RB, namespace, body: next }, withSignal(this.ctx.signal));
      } catch (err) {
        errors.push(err as Error);
      }
    }
    if (errors.length) {
      const message = errors.map((e) => e.message).join('; ');
      this.events.record(parent, 'Warning', REASON.SyncScheduleResultToDependenciesFailed, message);
      throw new Error(`failed to sync dependencies of ${key}: ${message}`);
    }
    if (unsynced) return { requeueAfterMs: UNSYNCED_RETRY_MS };
  }

  /** The dependencies annotation on the binding, so that a change of a dependency finds it. */
  private async recordDependencies(parent: Binding, dependencies: DependentRef[]): Promise<void> {
    const value = JSON.stringify(dependencies);
    if (parent.metadata.annotations?.[DEPENDENCIES_ANNOTATION] === value) return;
    const body = { metadata: { resourceVersion: parent.metadata.resourceVersion, annotations: { [DEPENDENCIES_ANNOTATION]: value } } };
    const opts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch, withSignal(this.ctx.signal));
    await this.ctx.client.customObjects.patchNamespacedCustomObject({ ...RB, namespace: parent.metadata.namespace, name: parent.metadata.name, body }, opts);
  }

  private async replace(binding: Binding): Promise<void> {
    const { namespace, name } = binding.metadata;
    await this.ctx.client.customObjects.replaceNamespacedCustomObject({ ...RB, namespace, name, body: binding }, withSignal(this.ctx.signal));
  }

  private async delete(binding: Binding): Promise<void> {
    try {
      await this.ctx.client.customObjects.deleteNamespacedCustomObject(
        { ...RB, namespace: binding.metadata.namespace, name: binding.metadata.name },
        withSignal(this.ctx.signal),
      );
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404)) throw err;
    }
  }
}

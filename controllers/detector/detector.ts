// The resource detector (Karmada's pkg/detector): watches every resource template the apiserver serves, finds the
// PropagationPolicy or ClusterPropagationPolicy that propagates each one, claims the template for it and derives its
// ResourceBinding or ClusterResourceBinding.
//
// Level-triggered throughout. A template is reconciled from the current template, policies and bindings whenever any
// of them changes, so a restart (every template is reconciled again from the first list) repairs whatever a crash
// interrupted. Where Karmada keeps a "waiting list" of templates no policy matched, a new policy here scans the
// informer caches for the templates it selects; where Karmada compares a template's old and new versions to ignore
// status-only updates, a fingerprint of the last metadata seen is kept per template (see onTemplate).
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { ClusterOverridePolicy, ClusterPropagationPolicy, OverridePolicy, PropagationPolicy, ResourceSelector } from '../../openapi/karmada/types.js';
import { newControllerQueue, type Controller, type ControllerContext } from '../runtime/controller.js';
import { SharedInformer, type BackoffOptions } from '../runtime/informer.js';
import type { WorkQueue } from '../runtime/workqueue.js';
import { BINDING_API_VERSION, bindingKind, bindingPath, buildBinding, controllerUID, jsonEqual, mergeBinding, mergePatchOf, type Binding, type Template } from './binding.js';
import { apiVersionOf, collectionPath, discover, objectPath, type WatchedResource } from './discovery.js';
import { specFingerprint } from './eventfilter.js';
import {
  bindingName,
  candidateKeys,
  CLAIMED_BY_LABEL,
  claimedByID,
  claimKey,
  claimKeys,
  claimOf,
  DEFAULT_SKIPPED_NAMESPACES,
  explicitPriority,
  isDeleting,
  isSkippedNamespace,
  matchesSelectors,
  POLICY_FINALIZER,
  policyID,
  preempts,
  selectorKeys,
  selectPolicy,
  withClaim,
  metadataPatch,
  withoutClaim,
  type Claim,
  type ObjectMeta,
  type Policy,
  type PolicyKind,
  type Selected,
  type TemplateRef,
} from './matching.js';
import { interpretReplicas } from './replicas.js';
import { metadataOnly } from './rest.js';
import { isStatus, type KeepAliveKubeConfig } from '../runtime/client.js';
import { restClient, type RESTClient } from '../runtime/rest.js';
import { MERGE_PATCH } from '../execution/work.js';

/** DetectorOptions.templateWorkers unless set. */
export const DEFAULT_TEMPLATE_WORKERS = 64;

export interface DetectorOptions {
  /** Discovery runs again this often besides on every CRD change (Karmada's detector: 30s). */
  rediscoverIntervalMs?: number;
  /**
   * Templates reconciled at once (karmada-controller-manager's --concurrent-resource-template-syncs). 64, where
   * Karmada has five: a new template costs two round trips (its claim, its binding), which is waiting, not work, and
   * on a busy apiserver the templates' share of it grows with the requests they have in flight. At 32, a burst of
   * 2,000 templates left up to 974 of them queued here while the Works of the first ones took the apiserver
   * (BENCHMARKS.md, thirtieth session).
   */
  templateWorkers?: number;
  /** Namespaces never propagated besides Karmada's reserved ones (--skipped-propagating-namespaces). */
  skippedNamespaces?: readonly RegExp[];
  /** Restart backoff of the template informers. */
  informerBackoff?: BackoffOptions;
}

/** What the detector's template informers hold: PartialObjectMetadata. */
interface MetadataObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

interface Watched {
  resource: WatchedResource;
  informer: SharedInformer<MetadataObject>;
  stop: AbortController;
}

const POLICY_GROUP = '/apis/policy.karmada.io/v1alpha1';
const WORK_GROUP = `/apis/${BINDING_API_VERSION}`;
const PATHS = {
  PropagationPolicy: `${POLICY_GROUP}/propagationpolicies`,
  ClusterPropagationPolicy: `${POLICY_GROUP}/clusterpropagationpolicies`,
  OverridePolicy: `${POLICY_GROUP}/overridepolicies`,
  ClusterOverridePolicy: `${POLICY_GROUP}/clusteroverridepolicies`,
  ResourceBinding: `${WORK_GROUP}/resourcebindings`,
  ClusterResourceBinding: `${WORK_GROUP}/clusterresourcebindings`,
  CustomResourceDefinition: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
} as const;

// Indexes of the shared informers (named for this controller) and of the detector's own template informers. With a
// policy per workload, scanning every policy, binding or template of a namespace on each event made the detector
// quadratic in the namespace's size.
/** Policies by selectorKeys. */
const POLICIES_BY_SELECTOR = 'detector/selector';
/** Policies with preemption Always, by namespace ('' for cluster policies). */
const PREEMPTING_POLICIES = 'detector/preempting';
/** Bindings by claimKeys. */
const BINDINGS_BY_CLAIM = 'detector/claim';
const TEMPLATES_BY_NAME = 'detector/name';

const gvk = (apiVersion: string, kind: string) => `${apiVersion}|${kind}`;

/** A template's queue key: apiVersion|kind|namespace|name (none of them can contain '|'). */
function templateKey(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;
}

function splitTemplateKey(key: string): { apiVersion: string; kind: string; namespace?: string; name: string } {
  const [apiVersion, kind, namespace, name] = key.split('|');
  return { apiVersion, kind, namespace: namespace || undefined, name };
}

const policyKey = (kind: PolicyKind, namespace: string | undefined, name: string) => `${kind}|${namespace ?? ''}|${name}`;

/**
 * The detector as a controller of the controller-manager. Each start (each term of leadership) runs with state of
 * its own, all of it rebuilt from the apiserver.
 */
export class ResourceDetector implements Controller {
  readonly name = 'resource-detector';

  constructor(private readonly opts: DetectorOptions = {}) {}

  start(ctx: ControllerContext): Promise<void> {
    return new DetectorRun(ctx, this.opts).start();
  }
}

class DetectorRun {
  private readonly log: Logger;
  private readonly kc: KeepAliveKubeConfig;
  private readonly rest: RESTClient;
  private readonly signal: AbortSignal;
  private readonly skipped: readonly RegExp[];
  private readonly pp: SharedInformer<PropagationPolicy>;
  private readonly cpp: SharedInformer<ClusterPropagationPolicy>;
  private readonly op: SharedInformer<OverridePolicy>;
  private readonly cop: SharedInformer<ClusterOverridePolicy>;
  private readonly rb: SharedInformer<Binding>;
  private readonly crb: SharedInformer<Binding>;
  private readonly crd: SharedInformer<Record<string, any>>;
  private readonly templates: WorkQueue<string>;
  private readonly policies: WorkQueue<string>;
  private readonly discovery: WorkQueue<string>;
  /** The template informers, by apiVersion|kind. */
  private readonly watched = new Map<string, Watched>();
  /**
   * Per template of a kind whose metadata.generation the apiserver maintains: its specFingerprint as last seen. An
   * update that leaves it as it was (only status moved) is not reconciled, as Karmada's SpecificationChanged filter
   * does; otherwise every status write would move the binding's resource.resourceVersion and wake the scheduler.
   * Lost on restart, which only costs one reconcile of each template.
   */
  private readonly fingerprints = new Map<string, string>();

  constructor(
    ctx: ControllerContext,
    private readonly opts: DetectorOptions,
  ) {
    this.log = ctx.logger;
    this.kc = ctx.client.kc;
    this.rest = restClient(this.kc);
    // Every handler, queue and request in flight listens for the stop: on a signal of the run's own, without Node's
    // limit of ten listeners, so that the process's signal keeps the leak warning for real leaks.
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    if (ctx.signal.aborted) stop.abort();
    else ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
    this.signal = stop.signal;
    ctx = { ...ctx, signal: stop.signal };
    this.skipped = opts.skippedNamespaces ?? DEFAULT_SKIPPED_NAMESPACES;
    const inf = ctx.informers;
    this.pp = inf.forResource(PATHS.PropagationPolicy);
    this.cpp = inf.forResource(PATHS.ClusterPropagationPolicy);
    this.op = inf.forResource(PATHS.OverridePolicy);
    this.cop = inf.forResource(PATHS.ClusterOverridePolicy);
    this.rb = inf.forResource(PATHS.ResourceBinding);
    this.crb = inf.forResource(PATHS.ClusterResourceBinding);
    this.crd = inf.forResource(PATHS.CustomResourceDefinition);
    for (const p of [this.pp, this.cpp] as SharedInformer<Policy>[]) {
      p.addIndex(POLICIES_BY_SELECTOR, selectorKeys);
      p.addIndex(PREEMPTING_POLICIES, (o) => (o.spec?.preemption === 'Always' ? [o.metadata?.namespace ?? ''] : []));
    }
    for (const b of [this.rb, this.crb]) b.addIndex(BINDINGS_BY_CLAIM, (o) => claimKeys(o.metadata ?? {}));
    this.templates = newControllerQueue(ctx, 'resource-detector', this.untilStopped((key) => this.reconcileTemplate(key)), { workers: opts.templateWorkers ?? DEFAULT_TEMPLATE_WORKERS });
    this.policies = newControllerQueue(ctx, 'resource-detector-policies', this.untilStopped((key) => this.reconcilePolicy(key)));
    this.discovery = newControllerQueue(ctx, 'resource-detector-discovery', this.untilStopped(() => this.rediscover()));
  }

  /** reconcile, except that a request cut short by the stop is the end of the run, not a failure to retry. */
  private untilStopped<R>(reconcile: (key: string) => Promise<R>): (key: string) => Promise<R | undefined> {
    return async (key) => {
      try {
        return await reconcile(key);
      } catch (err) {
        if (this.signal.aborted) return undefined;
        throw err;
      }
    };
  }

  async start(): Promise<void> {
    const signal = this.signal;
    signal.addEventListener('abort', () => void this.stopTemplateInformers(), { once: true });
    // Nothing is reconciled before these have listed (controller-runtime's WaitForCacheSync): a template reconciled
    // while the bindings were still listing had its binding created again, refused as AlreadyExists (at a cold start
    // with 5,700 bindings, 109 to 168 times), as the CRDs' adds started discovery and the template informers early.
    // The handlers below are replayed what the caches hold.
    for (const i of [this.pp, this.cpp, this.op, this.cop, this.rb, this.crb, this.crd]) {
      if (!(await i.waitForSync(signal))) return;
    }
    this.watchPolicies('PropagationPolicy', this.pp);
    this.watchPolicies('ClusterPropagationPolicy', this.cpp);
    this.op.addEventHandler({ add: (o) => this.onOverridePolicy('PropagationPolicy', o), update: (o) => this.onOverridePolicy('PropagationPolicy', o) }, signal);
    this.cop.addEventHandler({ add: (o) => this.onOverridePolicy('ClusterPropagationPolicy', o), update: (o) => this.onOverridePolicy('ClusterPropagationPolicy', o) }, signal);
    // A binding removed while its template stays (by hand, or by a policy's cleanup elsewhere) is derived again.
    for (const b of [this.rb, this.crb]) b.addEventHandler({ delete: (o) => this.templates.add(templateKey(o.spec.resource.apiVersion, o.spec.resource.kind, o.spec.resource.namespace, o.spec.resource.name)) }, signal);
    // Resources served from a new CRD appear in discovery once it is established. The CRDs' replayed adds start the
    // first discovery, which starts the template informers; a failure is retried with backoff meanwhile.
    const rediscover = () => this.discovery.add('discover');
    this.crd.addEventHandler({ add: rediscover, update: rediscover, delete: rediscover }, signal);
    rediscover();
    await this.discovery.idle();
  }

  // --- discovery ---------------------------------------------------------------------------------------------------

  private async rediscover(): Promise<{ requeueAfterMs: number }> {
    const { resources, failedGroups } = await discover(this.kc, this.signal);
    const next = new Map(resources.map((r) => [gvk(apiVersionOf(r), r.kind), r]));
    for (const [key, w] of this.watched) {
      const r = next.get(key);
      const gone = r === undefined ? !failedGroups.has(w.resource.group) : r.resource !== w.resource.resource || r.namespaced !== w.resource.namespaced;
      if (gone) await this.unwatch(key, w);
    }
    for (const [key, r] of next) if (!this.watched.has(key) && !this.signal.aborted) this.watch(key, r);
    return { requeueAfterMs: this.opts.rediscoverIntervalMs ?? 30_000 };
  }

  private watch(key: string, resource: WatchedResource): void {
    this.log.info({ resource: collectionPath(resource) }, 'watching resource templates');
    const stop = new AbortController();
    const informer = new SharedInformer<MetadataObject>(metadataOnly(this.kc), collectionPath(resource), this.log, this.opts.informerBackoff);
    informer.addIndex(TEMPLATES_BY_NAME, (o) => [o.metadata.name!]);
    const apiVersion = apiVersionOf(resource);
    informer.addEventHandler(
      {
        add: (o) => this.onTemplate(apiVersion, resource.kind, o, false),
        update: (o) => this.onTemplate(apiVersion, resource.kind, o, true),
        delete: (o) => this.fingerprints.delete(templateKey(apiVersion, resource.kind, o.metadata.namespace, o.metadata.name!)),
      },
      stop.signal,
    );
    this.watched.set(key, { resource, informer, stop });
    informer.start();
  }

  private async unwatch(key: string, w: Watched): Promise<void> {
    this.log.info({ resource: collectionPath(w.resource) }, 'resource no longer served; stopped watching it');
    this.watched.delete(key);
    w.stop.abort();
    await w.informer.stop();
    for (const k of this.fingerprints.keys()) if (k.startsWith(`${key}|`)) this.fingerprints.delete(k);
  }

  private async stopTemplateInformers(): Promise<void> {
    await Promise.all([...this.watched.values()].map((w) => (w.stop.abort(), w.informer.stop())));
    this.watched.clear();
  }

  // --- events --------------------------------------------------------------------------------------------------------

  /** EventFilter, then the status-only filter: see fingerprints. */
  private onTemplate(apiVersion: string, kind: string, obj: MetadataObject, isUpdate: boolean): void {
    const meta = obj.metadata;
    if (isSkippedNamespace(meta.namespace ?? '', this.skipped)) return;
    const key = templateKey(apiVersion, kind, meta.namespace, meta.name!);
    const fp = specFingerprint(meta);
    if (fp !== undefined) {
      const unchanged = isUpdate && this.fingerprints.get(key) === fp;
      this.fingerprints.set(key, fp);
      if (unchanged) return;
    }
    this.templates.add(key);
  }

  private watchPolicies(kind: PolicyKind, informer: SharedInformer<Policy>): void {
    const changed = (p: Policy) => {
      this.policies.add(policyKey(kind, p.metadata?.namespace, p.metadata?.name));
      // HandleDeprioritized…PropagationPolicy: a policy whose priority dropped may now be outranked by a policy that
      // preempts; such policies run their preemption again (a no-op where they cannot preempt).
      for (const other of informer.byIndex(PREEMPTING_POLICIES, p.metadata?.namespace ?? ''))
        if (explicitPriority(other) > explicitPriority(p)) this.policies.add(policyKey(kind, other.metadata?.namespace, other.metadata?.name));
    };
    informer.addEventHandler({ add: changed, update: changed, delete: changed }, this.signal);
  }

  /** dependentOverrides name override policies: policies waiting for one retry when it appears. */
  private onOverridePolicy(kind: PolicyKind, op: OverridePolicy | ClusterOverridePolicy): void {
    for (const p of this.policiesOf(kind, op.metadata?.namespace))
      if (p.spec.dependentOverrides?.includes(op.metadata?.name)) this.policies.add(policyKey(kind, p.metadata?.namespace, p.metadata?.name));
  }

  private policiesOf(kind: PolicyKind, namespace: string | undefined): readonly Policy[] {
    return kind === 'PropagationPolicy' ? this.pp.list(namespace) : this.cpp.list();
  }

  private policy(kind: PolicyKind, namespace: string | undefined, name: string): Policy | undefined {
    return kind === 'PropagationPolicy' ? this.pp.get(namespace, name) : this.cpp.get(undefined, name);
  }

  // --- templates -----------------------------------------------------------------------------------------------------

  /** propagateResource: keep a template's claim, or find it a policy, and derive its binding. */
  private async reconcileTemplate(key: string): Promise<void> {
    const { apiVersion, kind, namespace, name } = splitTemplateKey(key);
    const w = this.watched.get(gvk(apiVersion, kind));
    const cached = w?.informer.get(namespace, name);
    // A template gone takes its binding with it: the binding's owner reference hands it to the garbage collector.
    if (!w || !cached) return;
    // Matching needs only the cached metadata: the template itself is read when there is something to do with it.
    const ref: TemplateRef = { apiVersion, kind, metadata: cached.metadata };
    if (!claimOf(ref.metadata)) {
      const selected = this.policyFor(ref);
      if (!selected) return;
      // The usual case, a new template: claimed by a patch at the resourceVersion the cache has, whose response is
      // the whole template, rather than read and then updated. A template changed meanwhile goes the long way below.
      const claimed = isDeleting(ref) || ref.metadata.labels?.[CLAIMED_BY_LABEL] ? undefined : await this.claimByPatch(w, ref, selected);
      if (claimed) return this.apply(w, claimed, selected.kind, selected.policy);
    } else if (await this.applyUnchanged(w, ref)) return;
    const template = await this.getTemplate(w, namespace, name);
    if (!template || isDeleting(template) || template.metadata.labels?.[CLAIMED_BY_LABEL]) return;
    const claim = claimOf(template.metadata);
    if (claim) {
      const policy = this.livePolicy(claim);
      if (!policy) {
        // The claiming policy is gone: unclaim; the template's update event brings it back here to match anew.
        await this.release(w, template, claim.kind, claim.id);
        return;
      }
      // A template that no longer matches keeps its claim until its policy changes (see releaseUnmatched), as in
      // Karmada: this also keeps a kind served in two groups from being claimed twice.
      if (matchesSelectors(template, policy.spec.resourceSelectors ?? [])) await this.apply(w, template, claim.kind, policy);
      return;
    }
    const selected = this.policyFor(template);
    if (selected) await this.apply(w, template, selected.kind, selected.policy);
  }

  /**
   * A claimed template whose binding was derived from this very version of it (its claim's own update, or a change of
   * its policy) is brought up to date without reading it: what the binding took from the template, its replicas, is
   * still true. False when the template has to be read: it changed since, or its claim needs a look.
   */
  private async applyUnchanged(w: Watched, ref: TemplateRef): Promise<boolean> {
    const claim = claimOf(ref.metadata)!;
    const policy = this.livePolicy(claim);
    if (!policy || isDeleting(ref) || ref.metadata.labels?.[CLAIMED_BY_LABEL] || !matchesSelectors(ref, policy.spec.resourceSelectors ?? [])) return false;
    const existing = this.binding(bindingKind(ref), ref.metadata.namespace, bindingName(ref.kind, ref.metadata.name!));
    const derivedFrom = existing?.spec?.resource;
    if (!derivedFrom || derivedFrom.uid !== ref.metadata.uid || derivedFrom.resourceVersion !== ref.metadata.resourceVersion) return false;
    const { replicas, replicaRequirements } = existing.spec;
    await this.apply(w, ref as Template, claim.kind, policy, { replicas: replicas ?? 0, replicaRequirements });
    return true;
  }

  /** selectPolicy among the policies that can match the template (see selectorKeys), which are all it may choose. */
  private policyFor(template: TemplateRef): Selected | undefined {
    const candidates = <P extends Policy>(informer: SharedInformer<P>, namespace: string) => [
      ...new Set(candidateKeys(template, namespace).flatMap((k) => informer.byIndex(POLICIES_BY_SELECTOR, k))),
    ];
    return selectPolicy(template, candidates(this.pp, template.metadata.namespace ?? ''), candidates(this.cpp, ''));
  }

  /** The policy a claim names, unless it is gone or being deleted. */
  private livePolicy(claim: Claim): Policy | undefined {
    const p = this.policy(claim.kind, claim.kind === 'PropagationPolicy' ? claim.namespace : undefined, claim.name);
    return p && !isDeleting(p) ? p : undefined;
  }

  /** ApplyPolicy/ApplyClusterPolicy: claim the template for policy, then create or update its binding. */
  private async apply(w: Watched, template: Template, kind: PolicyKind, policy: Policy, replicas = interpretReplicas(template, this.specReplicasPath(w.resource))): Promise<void> {
    this.requireDependentOverrides(kind, policy);
    const claimed = withClaim(template.metadata, kind, policy);
    if (!jsonEqual(claimed, template.metadata)) template = this.ownClaim(await this.putTemplate(w, { ...template, metadata: claimed }));

    const desired = buildBinding(template, kind, policy, replicas);
    const existing = this.binding(desired.kind, desired.metadata.namespace, desired.metadata.name!);
    if (!existing) {
      await this.rest.send('POST', bindingPath(desired.kind, desired.metadata.namespace), { body: desired, signal: this.signal });
      this.log.info({ binding: desired.metadata.name, namespace: desired.metadata.namespace, policy: policy.metadata?.name }, `created ${desired.kind}`);
      return;
    }
    // A binding left by an earlier template of the same name waits for the garbage collector (karmada#2090).
    const owner = controllerUID(existing);
    if (owner !== undefined && owner !== template.metadata.uid)
      throw new Error(`${desired.kind} ${desired.metadata.name} is controlled by another object (uid ${owner}); waiting for its garbage collection`);
    // Listed items may come without their type; the binding is written back with it.
    const current: Binding = { ...existing, apiVersion: BINDING_API_VERSION, kind: desired.kind };
    const merged = mergeBinding(current, desired, kind, policy);
    const patch = mergePatchOf(current, merged);
    if (Object.keys(patch).length === 0) return;
    // What CreateOrUpdate's update changes, as a merge patch guarded by the resourceVersion it was computed from: the
    // apiserver then neither decodes nor checks the whole binding, statuses of every cluster included (at a cold
    // start, when every binding takes its template's new resourceVersion, a third of that write's CPU).
    const body = { ...patch, metadata: { ...(patch.metadata as object), resourceVersion: current.metadata.resourceVersion } };
    await this.rest.send('PATCH', bindingPath(desired.kind, desired.metadata.namespace, desired.metadata.name), { body, contentType: MERGE_PATCH, signal: this.signal });
    this.log.info({ binding: desired.metadata.name, namespace: desired.metadata.namespace, policy: policy.metadata?.name }, `updated ${desired.kind}`);
  }

  /**
   * Removes the claim of the policy of kind with permanent id from the template's binding, then from the template
   * (handleResourceTemplateAndBindingCleanup's order: the binding is only found again through the template). Claim
   * metadata of any other policy, set meanwhile, is left alone (NeedCleanupClaimMetadata). The binding itself stays
   * until the template goes or another policy claims it.
   */
  private async release(w: Watched, template: Template, kind: PolicyKind, id: string): Promise<void> {
    await this.releaseBinding(template, kind, id);
    if (claimedByID(template.metadata, kind, id)) await this.putTemplate(w, { ...template, metadata: withoutClaim(template.metadata, kind) });
  }

  private async releaseBinding(template: TemplateRef, kind: PolicyKind, id: string): Promise<void> {
    const bkind = bindingKind(template);
    const binding = this.binding(bkind, template.metadata.namespace, bindingName(template.kind, template.metadata.name!));
    if (!binding || !claimedByID(binding.metadata, kind, id)) return;
    const released = { ...binding, apiVersion: BINDING_API_VERSION, kind: bkind, metadata: withoutClaim(binding.metadata, kind) };
    await this.rest.send('PUT', bindingPath(bkind, binding.metadata.namespace, binding.metadata.name), { body: released, signal: this.signal });
  }

  private binding(kind: Binding['kind'], namespace: string | undefined, name: string): Binding | undefined {
    return kind === 'ResourceBinding' ? this.rb.get(namespace, name) : this.crb.get(undefined, name);
  }

  /** IsDependentOverridesPresent: the names of dependentOverrides that do not exist yet. */
  private missingDependentOverrides(kind: PolicyKind, policy: Policy): string[] {
    const exists = (name: string) => (kind === 'PropagationPolicy' ? this.op.get(policy.metadata?.namespace, name) : this.cop.get(undefined, name));
    return (policy.spec.dependentOverrides ?? []).filter((n) => !exists(n));
  }

  /** The replicas path of a custom resource's scale subresource in the watched version. */
  private specReplicasPath(r: WatchedResource): string | undefined {
    const crd = this.crd.list().find((c) => c.spec?.group === r.group && c.spec?.names?.plural === r.resource);
    return crd?.spec?.versions?.find((v: any) => v.name === r.version)?.subresources?.scale?.specReplicasPath;
  }

  private async getTemplate(w: Watched, namespace: string | undefined, name: string): Promise<Template | undefined> {
    try {
      return (await this.rest.request('GET', objectPath(w.resource, namespace, name), { signal: this.signal })) as Template;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** A policy waits for the override policies it depends on before it claims anything. */
  private requireDependentOverrides(kind: PolicyKind, policy: Policy): void {
    const missing = this.missingDependentOverrides(kind, policy);
    if (missing.length) throw new Error(`waiting for dependent overrides ${missing.join(', ')} of ${kind} ${policy.metadata?.name}`);
  }

  /**
   * Takes note of the template as this claim wrote it, so that the update event of the claim itself queues nothing:
   * the reconcile that claimed it goes on to derive the binding. Only the claim changed (the write was at the version
   * read), so any other change comes as an event of its own. An event that beats this note is reconciled as before.
   */
  private ownClaim(template: Template): Template {
    const fp = specFingerprint(template.metadata);
    if (fp !== undefined) this.fingerprints.set(templateKey(template.apiVersion, template.kind, template.metadata.namespace, template.metadata.name!), fp);
    return template;
  }

  /** The template claimed for selected, or undefined when it changed (or went) since the cache saw it. */
  private async claimByPatch(w: Watched, ref: TemplateRef, selected: Selected): Promise<Template | undefined> {
    this.requireDependentOverrides(selected.kind, selected.policy);
    const meta = ref.metadata;
    const patch = metadataPatch(meta, withClaim(meta, selected.kind, selected.policy));
    try {
      return this.ownClaim((await this.rest.request('PATCH', objectPath(w.resource, meta.namespace, meta.name!), { body: patch, contentType: MERGE_PATCH, signal: this.signal })) as Template);
    } catch (err) {
      if (isStatus(err, 409) || isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** An update of the whole template at the resourceVersion it was read at: a conflict is retried with backoff. */
  private async putTemplate(w: Watched, template: Template): Promise<Template> {
    return (await this.rest.request('PUT', objectPath(w.resource, template.metadata.namespace, template.metadata.name!), { body: template, signal: this.signal })) as Template;
  }

  // --- policies ------------------------------------------------------------------------------------------------------

  /** ReconcilePropagationPolicy/ReconcileClusterPropagationPolicy. */
  private async reconcilePolicy(key: string): Promise<void> {
    const [kind, ns, name] = key.split('|') as [PolicyKind, string, string];
    const namespace = kind === 'PropagationPolicy' ? ns : undefined;
    const policy = this.policy(kind, namespace, name);
    if (!policy) {
      // Gone: the templates it claimed find out when reconciled, and match anew.
      for (const t of this.templatesWhere((ref) => sameClaimant(claimOf(ref.metadata), kind, namespace, name), (w) => w.informer.list(namespace))) this.templates.add(t.key);
      return;
    }
    if (isDeleting(policy)) return this.unbindAll(kind, policy);
    await this.releaseUnmatched(kind, policy);
    // The templates it propagates, for changes of its settings to reach their bindings; and the templates it now
    // selects, which are claimed if no other policy has them.
    for (const b of this.derivedBindings(kind, policy)) this.templates.add(templateKey(b.spec.resource.apiVersion, b.spec.resource.kind, b.spec.resource.namespace, b.spec.resource.name));
    for (const t of this.selectedTemplates(kind, policy)) this.templates.add(t.key);
    if (policy.spec.preemption === 'Always') await this.preempt(kind, policy);
  }

  /** The bindings claimed by policy (listPPDerivedRBs, listCPPDerivedRBs, listCPPDerivedCRBs). */
  private derivedBindings(kind: PolicyKind, policy: Policy): Binding[] {
    const claim = claimKey(kind, policyID(kind, policy));
    if (kind === 'ClusterPropagationPolicy') return [...this.rb.byIndex(BINDINGS_BY_CLAIM, claim), ...this.crb.byIndex(BINDINGS_BY_CLAIM, claim)];
    return this.rb.byIndex(BINDINGS_BY_CLAIM, claim).filter((b) => b.metadata.namespace === policy.metadata?.namespace);
  }

  /**
   * cleanPPUnmatchedRBs/cleanCPPUnmatchedRBs/cleanUnmatchedCRBs: templates the policy claimed that its selectors no
   * longer select are released, the template first and then the binding, so that another policy may take them.
   */
  private async releaseUnmatched(kind: PolicyKind, policy: Policy): Promise<void> {
    const id = policyID(kind, policy);
    for (const b of this.derivedBindings(kind, policy)) {
      const r = b.spec.resource;
      const w = this.watched.get(gvk(r.apiVersion, r.kind));
      const cached = w?.informer.get(r.namespace, r.name);
      if (!w || !cached) continue;
      const ref: TemplateRef = { apiVersion: r.apiVersion, kind: r.kind, metadata: cached.metadata };
      if (matchesSelectors(ref, policy.spec.resourceSelectors ?? [])) continue;
      const template = await this.getTemplate(w, r.namespace, r.name);
      if (template && claimedByID(template.metadata, kind, id)) await this.putTemplate(w, { ...template, metadata: withoutClaim(template.metadata, kind) });
      await this.releaseBinding(ref, kind, id);
    }
  }

  /**
   * A policy being deleted (it carries Karmada's finalizer) releases every template it claimed (handlePolicyDeletion),
   * then lets the deletion finish.
   */
  private async unbindAll(kind: PolicyKind, policy: Policy): Promise<void> {
    const id = policyID(kind, policy);
    const namespace = kind === 'PropagationPolicy' ? policy.metadata?.namespace : undefined;
    for (const t of this.templatesWhere((ref) => claimedByID(ref.metadata, kind, id), (w) => w.informer.list(namespace))) {
      const template = await this.getTemplate(t.w, t.ref.metadata.namespace, t.ref.metadata.name!);
      if (template) await this.release(t.w, template, kind, id);
    }
    const finalizers: string[] = policy.metadata?.finalizers ?? [];
    if (!finalizers.includes(POLICY_FINALIZER[kind])) return;
    const updated = { ...policy, apiVersion: 'policy.karmada.io/v1alpha1', kind, metadata: { ...policy.metadata, finalizers: finalizers.filter((f) => f !== POLICY_FINALIZER[kind]) } };
    await this.rest.send('PUT', `${policyCollection(kind, namespace)}/${encodeURIComponent(policy.metadata?.name)}`, { body: updated, signal: this.signal });
  }

  /**
   * handlePropagationPolicyPreemption/handleClusterPropagationPolicyPreemption: the templates the policy names that
   * another policy claims are claimed for this one where the preemption rules allow it. Only selectors with a name
   * preempt, as in Karmada.
   */
  private async preempt(kind: PolicyKind, policy: Policy): Promise<void> {
    for (const rs of policy.spec.resourceSelectors ?? []) {
      if (!rs.name) continue;
      const w = this.watched.get(gvk(rs.apiVersion, rs.kind));
      const cached = w?.informer.get(rs.namespace || undefined, rs.name);
      if (!w || !cached || isDeleting(cached)) continue;
      const claim = claimOf(cached.metadata);
      if (!claim || !preempts({ kind, policy }, claim, this.livePolicy(claim))) continue;
      const template = await this.getTemplate(w, rs.namespace || undefined, rs.name);
      if (!template || !jsonEqual(claimOf(template.metadata), claim)) continue;
      this.log.info({ template: `${rs.kind}/${rs.name}`, from: claim.name, to: policy.metadata?.name }, 'policy preempted another policy');
      await this.putTemplate(w, { ...template, metadata: withClaim(template.metadata, kind, policy) });
    }
  }

  /** The cached templates the policy's selectors select: a PropagationPolicy's in its own namespace only. */
  private selectedTemplates(kind: PolicyKind, policy: Policy): { key: string; ref: TemplateRef; w: Watched }[] {
    const selectors: ResourceSelector[] = policy.spec.resourceSelectors ?? [];
    const namespace = kind === 'PropagationPolicy' ? policy.metadata?.namespace : undefined;
    return this.templatesWhere(
      (ref) => matchesSelectors(ref, selectors),
      (w, k) => {
        const ofKind = selectors.filter((rs) => gvk(rs.apiVersion, rs.kind) === k);
        if (ofKind.length === 0) return [];
        if (ofKind.some((rs) => !rs.name)) return w.informer.list(namespace);
        // Selectors that all name their templates cost what they select, not what the kind holds in the namespace.
        const named = [...new Set(ofKind.map((rs) => rs.name!))].flatMap((n) => w.informer.byIndex(TEMPLATES_BY_NAME, n));
        return namespace === undefined ? named : named.filter((o) => o.metadata.namespace === namespace);
      },
    );
  }

  /** The cached templates (outside skipped namespaces) that satisfy pred, among the candidates of each kind. */
  private templatesWhere(
    pred: (ref: TemplateRef) => boolean,
    candidates: (w: Watched, kind: string) => readonly MetadataObject[],
  ): { key: string; ref: TemplateRef; w: Watched }[] {
    const out: { key: string; ref: TemplateRef; w: Watched }[] = [];
    for (const [k, w] of this.watched) {
      const apiVersion = apiVersionOf(w.resource);
      for (const o of candidates(w, k)) {
        const ref: TemplateRef = { apiVersion, kind: w.resource.kind, metadata: o.metadata };
        if (isSkippedNamespace(o.metadata.namespace ?? '', this.skipped) || !pred(ref)) continue;
        out.push({ key: templateKey(apiVersion, w.resource.kind, o.metadata.namespace, o.metadata.name!), ref, w });
      }
    }
    return out;
  }
}

function sameClaimant(claim: Claim | undefined, kind: PolicyKind, namespace: string | undefined, name: string): boolean {
  if (!claim || claim.kind !== kind || claim.name !== name) return false;
  return claim.kind === 'ClusterPropagationPolicy' || claim.namespace === namespace;
}

function policyCollection(kind: PolicyKind, namespace: string | undefined): string {
  return kind === 'PropagationPolicy' ? `${POLICY_GROUP}/namespaces/${encodeURIComponent(namespace!)}/propagationpolicies` : PATHS.ClusterPropagationPolicy;
}

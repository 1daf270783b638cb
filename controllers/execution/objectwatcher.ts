// Karmada's ObjectWatcher: creates, updates and deletes the objects of Works in member clusters, shared by the
// execution controller (which applies Works) and the work status controller (which undoes changes made in the
// members). An object is Karmada's when it carries the karmada.io/managed label: an object a member already has
// without it is taken over only when the manifest asks for it (conflict resolution Overwrite), and never deleted.
//
// Updates keep what the member owns (retainClusterFields) and are skipped when the member already has exactly that.
// Which member version was last written or checked is remembered per object, so that a member event that changed
// nothing of ours (a status update) costs no write; the record is a cache, and its loss after a restart costs one
// update per object, which the member's apiserver answers without change when nothing drifted.
import {
  CONFLICT_RESOLUTION_ANNOTATION,
  CRB_NAME_ANNOTATION,
  CRB_PERMANENT_ID_LABEL,
  MANAGED_ANNOTATIONS_ANNOTATION,
  MANAGED_BY_KARMADA_LABEL,
  MANAGED_LABELS_ANNOTATION,
  RB_NAME_ANNOTATION,
  RB_NAMESPACE_ANNOTATION,
  RB_PERMANENT_ID_LABEL,
  TEMPLATE_GENERATION_ANNOTATION,
  TEMPLATE_UID_ANNOTATION,
  WORK_NAME_ANNOTATION,
  WORK_NAMESPACE_ANNOTATION,
  WORK_PERMANENT_ID_LABEL,
} from '../binding/names.js';
import { removeIrrelevantFields } from '../binding/prune.js';
import { CPP_ID_LABEL, CPP_NAME_ANNOTATION, PP_ID_LABEL, PP_NAME_ANNOTATION, PP_NAMESPACE_ANNOTATION } from '../detector/matching.js';
import { jsonEqual } from '../detector/binding.js';
import { retainClusterFields, retainClusterFieldsInto, retainedLabelsAndAnnotations } from '../interpreter/retain.js';
import type { Obj } from '../overrides/jsonpatch.js';
import type { MemberClient, MemberClients } from '../runtime/memberclient.js';
import { ResourceMapper, resourcePath, type ResourceInfo } from './rest.js';
import { isStatus } from '../runtime/client.js';
import { restClient, type RESTClient } from '../runtime/rest.js';
import { cloneJSON } from '../../storage/json.js';

/** What Karmada marks the objects it propagates with (ManagedResourceLabels/Annotations and the policy claims). */
const MARK_LABELS = [RB_PERMANENT_ID_LABEL, CRB_PERMANENT_ID_LABEL, WORK_PERMANENT_ID_LABEL, MANAGED_BY_KARMADA_LABEL, PP_ID_LABEL, CPP_ID_LABEL];
const MARK_ANNOTATIONS = [
  MANAGED_ANNOTATIONS_ANNOTATION,
  MANAGED_LABELS_ANNOTATION,
  RB_NAMESPACE_ANNOTATION,
  RB_NAME_ANNOTATION,
  CRB_NAME_ANNOTATION,
  TEMPLATE_UID_ANNOTATION,
  TEMPLATE_GENERATION_ANNOTATION,
  WORK_NAME_ANNOTATION,
  WORK_NAMESPACE_ANNOTATION,
  PP_NAME_ANNOTATION,
  PP_NAMESPACE_ANNOTATION,
  CPP_NAME_ANNOTATION,
];

export type ApplyResult = 'created' | 'updated' | 'unchanged';

/** A write of an object to a member, reported to whoever counts them (Karmada's *_resource_*_cluster metrics). */
export interface MemberWrite {
  operation: 'create' | 'update' | 'delete';
  ok: boolean;
  /** For an update that succeeded: whether the member's object changed (it may already have matched). */
  changed?: boolean;
}

export type WriteObserver = (write: MemberWrite) => void;

/** Writes redone against the latest object after a conflict, before the conflict is returned. */
const CONFLICT_RETRIES = 3;

/** The Work a manifest belongs to, which it is marked with in the member. */
export interface WorkRef {
  namespace: string;
  name: string;
}

export function isManaged(obj: Obj): boolean {
  return obj.metadata?.labels?.[MANAGED_BY_KARMADA_LABEL] === 'true';
}

/**
 * The manifest as written to the member: marked as Karmada's, and with the Work it comes from (the binding
 * controller puts both in already; a Work written by hand gets them here). Only the metadata is new: the rest is the
 * manifest's own, read-only like the cached Work it comes from (every write copies what it changes, in
 * retainClusterFields). A deep copy for each look at a Work was a third of the work status controller's time.
 */
export function markedManifest(manifest: Obj, work: WorkRef): Obj {
  const meta = manifest.metadata ?? {};
  const labels = { ...meta.labels, [MANAGED_BY_KARMADA_LABEL]: 'true' };
  const annotations = { [WORK_NAMESPACE_ANNOTATION]: work.namespace, [WORK_NAME_ANNOTATION]: work.name, ...meta.annotations };
  return { ...manifest, metadata: { ...meta, labels, annotations } };
}

/** The manifest with Karmada's marks taken off (what a Work deleted with preserveResourcesOnDeletion leaves). */
export function unmarkedManifest(manifest: Obj): Obj {
  const out = cloneJSON(manifest);
  const meta = (out.metadata ??= {});
  for (const k of MARK_LABELS) delete meta.labels?.[k];
  for (const k of MARK_ANNOTATIONS) delete meta.annotations?.[k];
  return out;
}

/** Whether the manifest (or, failing that, its Work) asks to take over an object the member already has. */
export function overwrites(manifest: Obj, workAnnotations: Record<string, string> | undefined): boolean {
  return (manifest.metadata?.annotations?.[CONFLICT_RESOLUTION_ANNOTATION] ?? workAnnotations?.[CONFLICT_RESOLUTION_ANNOTATION]) === 'overwrite';
}

/**
 * Whether observed has every field desired sets, with desired's value (lists element by element). Fields desired
 * leaves out are the member's (its defaults, its controllers' additions).
 */
export function covers(observed: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) return Array.isArray(observed) && observed.length === desired.length && desired.every((d, i) => covers(observed[i], d));
  if (typeof desired === 'object' && desired !== null) {
    if (typeof observed !== 'object' || observed === null || Array.isArray(observed)) return false;
    return Object.entries(desired).every(([k, v]) => v === undefined || covers((observed as Obj)[k], v));
  }
  return observed === desired;
}

/**
 * lifted.ObjectVersion: the generation where the kind has one (a number), else the resourceVersion (a string). Both
 * are the object's own values, so a record of one per member object, 100,000 of them, allocates nothing.
 */
function versionOf(obj: Obj): number | string {
  const generation = obj.metadata?.generation;
  return typeof generation === 'number' && generation > 0 ? generation : (obj.metadata?.resourceVersion ?? '');
}

/** The message Karmada gives when it refuses to take over an object. */
export function conflictMessage(manifest: Obj, cluster: string): string {
  const { namespace = '', name } = manifest.metadata ?? {};
  return `resource(kind=${manifest.kind}, ${namespace}/${name}) already exists in the cluster ${cluster} and the ${CONFLICT_RESOLUTION_ANNOTATION} strategy value is empty, Karmada will not manage this resource`;
}

/**
 * What is kept per member client (a rebuilt client, e.g. for new credentials, starts afresh): its REST client and
 * resource mapper, and per object key the member version last written or found in sync.
 */
interface MemberAccess {
  rest: RESTClient;
  mapper: ResourceMapper;
  versions: Map<string, number | string>;
}

const access = new WeakMap<MemberClient, MemberAccess>();

const shared = new WeakMap<MemberClients, ObjectWatcher>();

export class ObjectWatcher {
  constructor(private readonly members: MemberClients) {}

  /** The ObjectWatcher of the process the member clients belong to. */
  static for(members: MemberClients): ObjectWatcher {
    let watcher = shared.get(members);
    if (!watcher) shared.set(members, (watcher = new ObjectWatcher(members)));
    return watcher;
  }

  private access(cluster: string): MemberAccess {
    const member = this.members.get(cluster);
    let a = access.get(member);
    if (!a) {
      const rest = restClient(member.kc);
      access.set(member, (a = { rest, mapper: new ResourceMapper(rest), versions: new Map() }));
    }
    return a;
  }

  /** Where manifest's kind is served in the member. */
  resource(cluster: string, manifest: Obj): Promise<ResourceInfo> {
    return this.access(cluster).mapper.resolve(manifest.apiVersion, manifest.kind);
  }

  private async path(cluster: string, manifest: Obj, named = true): Promise<string> {
    const info = await this.resource(cluster, manifest);
    return resourcePath(manifest.apiVersion, info, manifest.metadata?.namespace, named ? manifest.metadata?.name : undefined);
  }

  /** The member's object of manifest, or undefined when it has none. */
  async get(cluster: string, manifest: Obj, signal?: AbortSignal): Promise<Obj | undefined> {
    const path = await this.path(cluster, manifest);
    try {
      return await this.access(cluster).rest.request('GET', path, { signal });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /**
   * The member's object of manifest as the member informer of its kind has it (the one the work status controller
   * watches the member with), as Karmada's ObjectWatcher reads it from its informer cache: a new object then costs
   * the member one request, not two. Until that informer has listed, the member is asked. A cache behind the member
   * is safe: a create of an object that exists meets a conflict and becomes an update, and an update from an old
   * version meets a conflict and is retried from the member's.
   */
  private async cached(cluster: string, manifest: Obj, signal?: AbortSignal): Promise<Obj | undefined> {
    const seen = await this.fromCache(cluster, manifest);
    return seen === 'unsynced' ? this.get(cluster, manifest, signal) : seen;
  }

  /** The member's object of manifest in the member informer of its kind; 'unsynced' until that has listed. */
  async fromCache(cluster: string, manifest: Obj): Promise<Obj | undefined | 'unsynced'> {
    const informer = this.members.get(cluster).informers.forResource<Obj>(resourcePath(manifest.apiVersion, await this.resource(cluster, manifest), undefined));
    if (!informer.hasSynced()) return 'unsynced';
    return informer.get(manifest.metadata?.namespace || undefined, manifest.metadata?.name);
  }

  /**
   * Creates the manifest's object in the member, or brings the member's object up to date with it. Throws
   * ConflictError when the member has the object without it being Karmada's and overwrite is false. onWrite hears of
   * the create or update tried (not of a failed read before either).
   */
  async apply(cluster: string, manifest: Obj, overwrite: boolean, signal?: AbortSignal, onWrite?: WriteObserver): Promise<ApplyResult> {
    const observed = await this.cached(cluster, manifest, signal);
    if (observed) return this.update(cluster, manifest, observed, overwrite, signal, onWrite);
    let created: Obj;
    try {
      created = await this.access(cluster).rest.request('POST', await this.path(cluster, manifest, false), { body: manifest, signal });
    } catch (err) {
      // Created meanwhile (by another writer, or a retried request of ours): update it as any existing object.
      if (isStatus(err, 409)) {
        const existing = await this.get(cluster, manifest, signal);
        if (existing) return this.update(cluster, manifest, existing, overwrite, signal, onWrite);
      }
      onWrite?.({ operation: 'create', ok: false });
      throw err;
    }
    this.record(cluster, manifest, created);
    onWrite?.({ operation: 'create', ok: true });
    return 'created';
  }

  /**
   * ObjectWatcher.Update: the manifest written over observed, keeping what the member owns. When observed turns out
   * stale (the member's controllers write its status all the time), the object is read again and the write redone;
   * onWrite hears of the update once, with its final outcome.
   */
  async update(cluster: string, manifest: Obj, observed: Obj, overwrite: boolean, signal?: AbortSignal, onWrite?: WriteObserver): Promise<ApplyResult> {
    try {
      const result = await this.updateRetrying(cluster, manifest, observed, overwrite, signal);
      onWrite?.({ operation: 'update', ok: true, changed: result === 'updated' });
      return result;
    } catch (err) {
      onWrite?.({ operation: 'update', ok: false });
      throw err;
    }
  }

  private async updateRetrying(cluster: string, manifest: Obj, observed: Obj, overwrite: boolean, signal?: AbortSignal): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.updateFrom(cluster, manifest, observed, overwrite, signal);
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
        const latest = await this.get(cluster, manifest, signal);
        if (!latest) throw err;
        observed = latest;
      }
    }
  }

  private async updateFrom(cluster: string, manifest: Obj, observed: Obj, overwrite: boolean, signal?: AbortSignal): Promise<ApplyResult> {
    if (!isManaged(observed) && !overwrite) throw new ConflictError(conflictMessage(manifest, cluster));
    const desired = retainClusterFields(manifest, observed);
    // Karmada's resourceDeepEqual: the member object as it would be propagated, compared with what is to be written.
    if (jsonEqual(desired, retainClusterFieldsInto(removeIrrelevantFields({ ...observed, apiVersion: manifest.apiVersion, kind: manifest.kind }), observed))) {
      this.record(cluster, manifest, observed);
      return 'unchanged';
    }
    const updated = await this.access(cluster).rest.request('PUT', await this.path(cluster, manifest), { body: desired, signal });
    this.record(cluster, manifest, updated);
    return updated.metadata?.resourceVersion === observed.metadata?.resourceVersion ? 'unchanged' : 'updated';
  }

  /**
   * ObjectWatcher.NeedsUpdate: whether observed may have drifted from manifest — it changed since it was last written
   * or checked (a spec change moves the generation; without a generation, any change moves the resourceVersion), or
   * that is not known, or it lacks labels or annotations of the manifest (which move neither). Spec fields are not
   * compared one by one: a member normalizes some (quantities, defaults), which would read as a drift forever.
   */
  needsUpdate(cluster: string, manifest: Obj, observed: Obj): boolean {
    if (this.access(cluster).versions.get(objectKey(manifest)) !== versionOf(observed)) return true;
    return !covers(observed.metadata, retainedLabelsAndAnnotations(manifest, observed));
  }

  /**
   * Deletes the manifest's object from the member, unless it is not Karmada's (then it is left alone). onWrite hears
   * of the delete when one is sent.
   */
  async delete(cluster: string, manifest: Obj, signal?: AbortSignal, onWrite?: WriteObserver): Promise<void> {
    const observed = await this.get(cluster, manifest, signal);
    this.access(cluster).versions.delete(objectKey(manifest));
    if (!observed || !isManaged(observed)) return;
    try {
      // Background: a Job's pods go with it (the Job's own default would orphan them).
      const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: observed.metadata?.uid } };
      await this.access(cluster).rest.send('DELETE', await this.path(cluster, manifest), { body, signal });
    } catch (err) {
      // Gone already, or replaced by another object (the uid precondition): nothing of ours is left to delete.
      if (!isStatus(err, 404) && !isStatus(err, 409)) {
        onWrite?.({ operation: 'delete', ok: false });
        throw err;
      }
    }
    onWrite?.({ operation: 'delete', ok: true });
  }

  /**
   * Takes Karmada's marks off the member's object of manifest and leaves it there (a Work deleted with
   * preserveResourcesOnDeletion): the member keeps it as its own.
   */
  async release(cluster: string, manifest: Obj, signal?: AbortSignal): Promise<void> {
    const observed = await this.get(cluster, manifest, signal);
    this.access(cluster).versions.delete(objectKey(manifest));
    if (!observed || !isManaged(observed)) return;
    const body = unmarkedManifest(retainClusterFields(manifest, observed));
    await this.access(cluster).rest.send('PUT', await this.path(cluster, manifest), { body, signal });
  }

  private record(cluster: string, manifest: Obj, obj: Obj): void {
    this.access(cluster).versions.set(objectKey(manifest), versionOf(obj));
  }
}

/** Refusal to take over an object the member has that is not Karmada's (conflict resolution Abort). */
export class ConflictError extends Error {}

function objectKey(manifest: Obj): string {
  // Joined, not concatenated: a concatenation is a tree of string pieces, which the versions map would keep per object.
  return [manifest.apiVersion, manifest.kind, manifest.metadata?.namespace ?? '', manifest.metadata?.name].join('/');
}

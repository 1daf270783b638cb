// The generic registry for one resource (kube's genericregistry.Store): keys, server-owned metadata, validation,
// finalizer-aware deletion and selector-filtered list/watch, over the storage interface.
import { cloneJSON } from '../../storage/json.js';
import type { KObject, ListResult, Store, StoreEvent, Watcher } from '../../storage/store.js';
import { StorageError, writtenJSON } from '../../storage/store.js';
import {
  APIError,
  type GroupResource,
  badRequest,
  conflict,
  fromStorageError,
  invalid,
  notFound,
  tooOldResourceVersion,
} from '../errors.js';
import { converterFor, type Converter } from './conversion.js';
import { exactName, matchesFields, matchesLabels, type Selector } from './selectors.js';
import { nowTimestamp, prepareForUpdate, prepareMetaForCreate, strategyFor, type Strategy } from './strategy.js';
import type { ResourceType } from './types.js';
import { validateObjectMeta } from './validation.js';

export interface ListQuery {
  labelSelector?: Selector;
  fieldSelector?: Selector;
  limit?: number;
  continue?: string;
}

export interface ListPage<T = KObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: string;
  /** Validating admission: runs on the final object, just before it is written. */
  validate?: (obj: KObject, old?: KObject) => void | Promise<void>;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KObject;
  /** False when the object stays, waiting for finalizers. */
  deleted: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface ResourceWatchEvent {
  type: WatchEventType;
  object: KObject;
  /** object as JSON text, when it is the stored object unchanged. */
  json?: string;
  /** object's resourceVersion. */
  rv: number;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export class ResourceStore {
  readonly gr: GroupResource;
  readonly strategy: Strategy;
  private readonly keyRoot: string;
  private readonly converter?: Converter;

  constructor(
    readonly rt: ResourceType,
    private readonly store: Store,
  ) {
    this.gr = { group: rt.group, resource: rt.plural };
    this.strategy = strategyFor(rt);
    const [storageGroup] = (rt.storageVersion ?? `${rt.group}/${rt.version}`).split('/');
    this.keyRoot = `/registry/${storageGroup || 'core'}/${rt.plural}/`;
    this.converter = converterFor(rt);
  }

  /** The stored object as this resource's version serves it. */
  private served(obj: KObject): KObject {
    return this.converter ? this.converter.fromStorage(obj) : obj;
  }

  private stored(obj: KObject): KObject {
    return this.converter ? this.converter.toStorage(obj) : obj;
  }

  key(namespace: string | undefined, name: string): string {
    return this.rt.namespaced ? `${this.keyRoot}${namespace}/${name}` : `${this.keyRoot}${name}`;
  }

  prefix(namespace?: string): string {
    return this.rt.namespaced && namespace ? `${this.keyRoot}${namespace}/` : this.keyRoot;
  }

  async get(namespace: string | undefined, name: string): Promise<KObject> {
    const obj = await this.store.get(this.key(namespace, name));
    if (!obj) throw notFound(this.gr, name);
    return this.served(obj);
  }

  /** The JSON text of an object create or guaranteedUpdate returned, as storage wrote it (none after conversion). */
  writtenJSON(obj: KObject): string | undefined {
    return this.converter ? undefined : writtenJSON(obj);
  }

  /** get(), as JSON bytes: without conversion, the stored bytes, neither parsed nor re-serialised. */
  async getEncoded(namespace: string | undefined, name: string): Promise<Buffer> {
    if (this.converter) return Buffer.from(JSON.stringify(await this.get(namespace, name)));
    const json = await this.store.getEncoded(this.key(namespace, name));
    if (json === undefined) throw notFound(this.gr, name);
    return json;
  }

  async list(namespace: string | undefined, q: ListQuery): Promise<ListPage> {
    const labelSel = q.labelSelector ?? [];
    const fieldSel = q.fieldSelector ?? [];
    const filtered = labelSel.length > 0 || fieldSel.length > 0;
    const name = exactName(fieldSel);
    if (name !== undefined && !q.continue) {
      // A metadata.name field selector pins one key: read it instead of scanning the collection.
      const obj = await this.store.get(this.key(namespace, name));
      const items = obj && this.matches(obj, labelSel, fieldSel) && (namespace === undefined || obj.metadata?.namespace === namespace) ? [obj] : [];
      return { items: items.map((o) => this.served(o)), resourceVersion: String(this.store.currentResourceVersion()) };
    }
    try {
      // Only an unfiltered list reports remainingItemCount, as in kube: with selectors it would be a guess.
      if (!filtered) {
        const page = await this.store.list(this.prefix(namespace), { limit: q.limit, continue: q.continue, countRemaining: true });
        return listPage(page, this.converter ? page.items.map((o) => this.served(o)) : page.items);
      }
      // With selectors, limit counts matches (as in kube): read pages of the remaining count until it is filled, so
      // that a full page always ends on a page boundary and the store's token continues right after it.
      const items: KObject[] = [];
      let token = q.continue;
      let rv: number | undefined;
      for (;;) {
        const want = q.limit ? q.limit - items.length : 0;
        const page = await this.store.list(this.prefix(namespace), { limit: want, continue: token });
        rv ??= page.resourceVersion;
        for (const obj of page.items) if (this.matches(obj, labelSel, fieldSel)) items.push(obj);
        if (!page.continue || (q.limit && items.length >= q.limit)) return { items: this.converter ? items.map((o) => this.served(o)) : items, resourceVersion: String(rv), continue: page.continue };
        token = page.continue;
      }
    } catch (err) {
      throw fromStorageError(err, this.gr, '');
    }
  }

  /**
   * list(), with every item as JSON bytes. Without selectors and conversion the stored bytes are passed on as they
   * are, which spares parsing and re-serialising every item of a large list.
   */
  async listEncoded(namespace: string | undefined, q: ListQuery): Promise<ListPage<Buffer>> {
    if (this.converter || q.labelSelector?.length || q.fieldSelector?.length) {
      const page = await this.list(namespace, q);
      return { ...page, items: page.items.map((o) => Buffer.from(JSON.stringify(o))) };
    }
    try {
      const page = await this.store.listEncoded(this.prefix(namespace), { limit: q.limit, continue: q.continue, countRemaining: true });
      return listPage(page, page.items);
    } catch (err) {
      throw fromStorageError(err, this.gr, '');
    }
  }

  matches(obj: KObject, labelSel: Selector, fieldSel: Selector): boolean {
    if (labelSel.length && !matchesLabels(labelSel, obj.metadata?.labels)) return false;
    if (fieldSel.length && !matchesFields(fieldSel, (f) => this.fieldValue(obj, f))) return false;
    return true;
  }

  fieldValue(obj: KObject, field: string): string | undefined {
    if (field === 'metadata.name') return obj.metadata?.name;
    if (field === 'metadata.namespace') return obj.metadata?.namespace;
    return this.rt.fieldSelectors?.[field]?.(obj);
  }

  /** Throws 400 for a field kube would not accept in a field selector for this kind. */
  checkFieldSelector(sel: Selector): void {
    for (const r of sel)
      if (r.key !== 'metadata.name' && r.key !== 'metadata.namespace' && !this.rt.fieldSelectors?.[r.key])
        throw badRequest(`field label not supported: ${r.key}`);
  }

  async create(namespace: string | undefined, obj: KObject, opts: WriteOptions = {}): Promise<KObject> {
    if (obj.metadata?.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    prepareMetaForCreate(obj, this.rt, this.strategy, namespace);
    this.validate(obj);
    await opts.validate?.(obj);
    if (opts.dryRun) {
      if (await this.store.get(this.key(namespace, obj.metadata!.name))) throw fromStorageError(new StorageError('KeyExists', ''), this.gr, obj.metadata!.name);
      return obj;
    }
    try {
      return this.served(await this.store.create(this.key(namespace, obj.metadata!.name), this.stored(obj)));
    } catch (err) {
      throw fromStorageError(err, this.gr, obj.metadata!.name);
    }
  }

  /** Kind hooks (defaulting, pruning), then metadata and kind validation of the object about to be stored. */
  private validate(obj: KObject, old?: KObject): void {
    this.rt.hooks?.normalize?.(obj);
    const errs = validateObjectMeta(obj.metadata ?? {}, { namespaced: this.rt.namespaced, nameRule: this.strategy.nameRule });
    if (this.rt.hooks?.validate) errs.push(...this.rt.hooks.validate(obj, old));
    if (errs.length) throw invalid({ group: this.rt.group, kind: this.rt.kind }, obj.metadata?.name ?? '', errs);
  }

  /**
   * Replaces the object with `obj` (PUT): a resourceVersion in obj must match the stored one.
   */
  async update(namespace: string | undefined, name: string, obj: KObject, opts: WriteOptions = {}): Promise<KObject> {
    return this.guaranteedUpdate(namespace, name, (current) => {
      const rv = obj.metadata?.resourceVersion;
      if (rv && rv !== current.metadata?.resourceVersion) throw conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      return obj;
    }, opts);
  }

  /**
   * Read-modify-write with conflict retry. tryUpdate gets a private copy of the stored object and returns the desired
   * object; server-owned fields are then carried over. Removing the last finalizer of an object being deleted
   * deletes it. Writing back what is stored changes nothing (the store compares the content).
   */
  async guaranteedUpdate(namespace: string | undefined, name: string, tryUpdate: (current: KObject) => KObject | Promise<KObject>, opts: WriteOptions = {}): Promise<KObject> {
    const key = this.key(namespace, name);
    let result: KObject | undefined;
    // current stays as stored: it is the old object that server-owned fields and validation read.
    const mutate = async (current: KObject): Promise<KObject> => {
      const desired = this.stored(await tryUpdate(cloneJSON(this.served(current))));
      const next = prepareForUpdate(desired, current, this.rt, this.strategy, opts.subresource);
      next.metadata!.resourceVersion = current.metadata?.resourceVersion;
      this.validate(next, current);
      await opts.validate?.(this.served(next), this.served(current));
      result = next;
      return opts.dryRun ? current : next;
    };
    try {
      if (opts.dryRun) {
        const current = await this.store.get(key);
        if (!current) throw notFound(this.gr, name);
        return await mutate(current).then(() => this.served(result!));
      }
      const stored = await this.store.guaranteedUpdate(key, mutate);
      if (isDeletionComplete(stored)) return this.served(await this.store.delete(key, { resourceVersion: stored.metadata!.resourceVersion }));
      return this.served(stored);
    } catch (err) {
      throw fromStorageError(err, this.gr, name);
    }
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    try {
      let deleteNow = false;
      let dryRunResult: KObject | undefined;
      const pending = await this.store.guaranteedUpdate(key, (current) => {
        checkPreconditions(this.gr, name, current, opts.preconditions);
        const finalizers = new Set<string>(current.metadata?.finalizers ?? []);
        if (opts.propagationPolicy === 'Foreground') finalizers.add(FINALIZER_FOREGROUND);
        if (opts.propagationPolicy === 'Orphan') finalizers.add(FINALIZER_ORPHAN);
        if (opts.propagationPolicy === 'Background') {
          finalizers.delete(FINALIZER_ORPHAN);
          finalizers.delete(FINALIZER_FOREGROUND);
        }
        const specFinalizers: string[] = this.rt.kind === 'Namespace' && !this.rt.group ? current.spec?.finalizers ?? [] : [];
        if (finalizers.size === 0 && specFinalizers.length === 0) {
          deleteNow = true;
          return current;
        }
        deleteNow = false;
        const next = cloneJSON(current);
        next.metadata!.finalizers = [...finalizers];
        if (!next.metadata!.deletionTimestamp) {
          next.metadata!.deletionTimestamp = nowTimestamp();
          next.metadata!.deletionGracePeriodSeconds = 0;
          if (this.strategy.generation) next.metadata!.generation = (next.metadata!.generation ?? 1) + 1;
          if (this.rt.kind === 'Namespace' && !this.rt.group) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
        }
        // A dry run answers with the object as the deletion would leave it, and writes nothing.
        if (opts.dryRun) {
          dryRunResult = next;
          return current;
        }
        return next;
      });
      if (!deleteNow) return { object: this.served(dryRunResult ?? pending), deleted: false };
      if (opts.dryRun) return { object: this.served(pending), deleted: true };
      const gone = await this.store.delete(key, { uid: pending.metadata?.uid, resourceVersion: pending.metadata?.resourceVersion });
      return { object: this.served(gone), deleted: true };
    } catch (err) {
      throw fromStorageError(err, this.gr, name);
    }
  }

  watch(namespace: string | undefined, q: { resourceVersion?: number; labelSelector?: Selector; fieldSelector?: Selector }, onEvent: (e: ResourceWatchEvent) => void): Watcher {
    const labelSel = q.labelSelector ?? [];
    const fieldSel = q.fieldSelector ?? [];
    const name = exactName(fieldSel);
    const prefix = name !== undefined ? this.key(namespace, name) : this.prefix(namespace);
    const filtered = labelSel.length > 0 || fieldSel.length > 0;
    const exact = name !== undefined ? prefix : undefined;
    try {
      return this.store.watch(prefix, { resourceVersion: q.resourceVersion }, (e: StoreEvent) => {
        if (exact !== undefined && e.key !== exact) return;
        // The store's event as it is: its object is parsed only if the watch's encoding needs more than the text.
        if (!filtered && !this.converter) return onEvent(e);
        const { rv } = e;
        const object = this.served(e.object);
        const json = this.converter ? undefined : e.json;
        if (!filtered) return onEvent({ type: e.type, object, json, rv });
        // An object moving into or out of the selection is an ADDED or DELETED for this watcher, as in kube.
        const now = e.type !== 'DELETED' && this.matches(e.object, labelSel, fieldSel);
        const before = e.prevObject !== undefined && this.matches(e.prevObject, labelSel, fieldSel);
        if (e.type === 'DELETED') {
          if (before || this.matches(e.object, labelSel, fieldSel)) onEvent({ type: 'DELETED', object, json, rv });
        } else if (now && (before || e.type === 'ADDED')) onEvent({ type: e.type, object, json, rv });
        else if (now) onEvent({ type: 'ADDED', object, json, rv });
        // An object leaving the selection is reported as its last matching state, at the new resourceVersion.
        else if (before) onEvent({ type: 'DELETED', object: this.served({ ...e.prevObject!, metadata: { ...e.prevObject!.metadata, resourceVersion: String(rv) } }), rv });
      });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'Expired')
        throw tooOldResourceVersion(q.resourceVersion ?? 0, this.store.currentResourceVersion());
      throw err;
    }
  }

  currentResourceVersion(): number {
    return this.store.currentResourceVersion();
  }
}

function checkPreconditions(gr: GroupResource, name: string, current: KObject, pre?: { uid?: string; resourceVersion?: string }): void {
  if (!pre) return;
  if (pre.uid && pre.uid !== current.metadata?.uid)
    throw new APIError(409, 'Conflict', `Operation cannot be fulfilled on ${gr.group ? `${gr.resource}.${gr.group}` : gr.resource} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`, { name, group: gr.group || undefined, kind: gr.resource });
  if (pre.resourceVersion && pre.resourceVersion !== current.metadata?.resourceVersion)
    throw new APIError(409, 'Conflict', `Operation cannot be fulfilled on ${gr.group ? `${gr.resource}.${gr.group}` : gr.resource} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion ?? ''}`, { name, group: gr.group || undefined, kind: gr.resource });
}

function isDeletionComplete(obj: KObject): boolean {
  const meta = obj.metadata ?? {};
  if (!meta.deletionTimestamp || (meta.finalizers?.length ?? 0) > 0) return false;
  return !(obj.kind === 'Namespace' && (obj.spec?.finalizers?.length ?? 0) > 0);
}

function listPage<T>(page: ListResult<unknown>, items: T[]): ListPage<T> {
  return { items, resourceVersion: String(page.resourceVersion), continue: page.continue, remainingItemCount: page.remainingItemCount };
}

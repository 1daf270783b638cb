// metadata.managedFields and server-side apply, as kube-apiserver's field manager keeps them. The request handlers
// call update() on every create, update and non-apply patch, and apply() for apply patches. The steps follow kube's
// manager stack: managedFields decoded (or reset by the client), untracked objects left untracked by updates, the
// live object's fields given to "before-first-apply" on the first apply, the write recorded by structured merge,
// metadata kube never tracks stripped from the writer's entry, timestamps moved on a change, Update entries capped,
// and the last-applied annotation honoured for kubectl.
import type { KObject } from '../../storage/store.js';
import { APIError, badRequest } from '../errors.js';
import { FieldSet, fieldElement, pathString } from './fieldpath.js';
import { cloneJSON } from './json.js';
import { allowedConflicts, KUBECTL, syncLastApplied } from './lastapplied.js';
import { capUpdateManagers, decodeManagedFields, decodeOrEmpty, describeManager, encodeManagedFields, isReset, managerIdentifier } from './managed.js';
import { TypeResolver, type SchemaSource } from './schema.js';
import { validationMessage } from './typed.js';
import { ConflictsError, recordApply, recordUpdate, type Conflict, type Managers, type WriteContext } from './updater.js';
import { ZeroObjects } from './zero.js';

export interface FieldManagerOptions {
  /** The clock managedFields times are read from. */
  now?: () => Date;
  /**
   * Whether the kind behind a schema serves a status subresource, so that its main resource never owns status (kube's
   * reset fields). Defaults to whether the schema declares status, which holds for every built-in kind; custom
   * resources without the subresource should say so.
   */
  hasStatusSubresource?: (schemaName: string) => boolean;
}

/** Fields kube never tracks: type meta, object identity and server-maintained metadata (its stripMeta set). */
const UNTRACKED = FieldSet.of(
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => [fieldElement('metadata'), fieldElement(f)]),
);

const STATUS = FieldSet.of([fieldElement('status')]);
const SPEC = FieldSet.of([fieldElement('spec')]);

/** The manager key under which an update's changes are collected before they are given to the real manager. */
const CURRENT_OPERATION = 'current-operation';
/** Who is given the fields of an untracked object when it is first applied to. */
const BEFORE_FIRST_APPLY = 'before-first-apply';

/** The object without metadata.managedFields (a shallow copy). */
function withoutManagedFields(obj: KObject): KObject {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function withManagedFields(obj: KObject, managers: Managers): KObject {
  const out = withoutManagedFields(obj);
  const encoded = encodeManagedFields(managers);
  return encoded ? { ...out, metadata: { ...out.metadata, managedFields: encoded } } : out;
}

/** kube's objectGVKNN: "namespace/name; group/version, Kind=kind". */
function describeObject(obj: KObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}; ${gvkString(obj)}`;
}

function gvkString(obj: KObject): string {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const gv = slash < 0 ? `/${apiVersion}` : apiVersion;
  return `${gv}, Kind=${obj.kind ?? ''}`;
}

function conflictError(conflicts: Conflict[]): APIError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`;
  else {
    const lines: string[] = [];
    for (const manager of [...new Set(conflicts.map((c) => c.manager))].sort()) {
      lines.push(`conflicts with ${describeManager(manager)}:`);
      for (const c of conflicts) if (c.manager === manager) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new APIError(409, 'Conflict', message, { causes });
}

// Every write stamps its manager's entry with the time (0.4% of an apiserver's CPU in a burst of Work writes, formatting
// a Date each time): the text of the current second is kept.
let formatted = { second: NaN, text: '' };
const rfc3339 = (d: Date): string => {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== formatted.second) formatted = { second, text: d.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return formatted.text;
};

export class FieldManager {
  private readonly types: TypeResolver;
  private readonly zeros: ZeroObjects;
  private readonly now: () => Date;
  private readonly hasStatusSubresource: (schemaName: string) => boolean;

  constructor(private readonly schemas: SchemaSource, options: FieldManagerOptions = {}) {
    this.types = new TypeResolver(schemas);
    this.zeros = new ZeroObjects(schemas);
    this.now = options.now ?? (() => new Date());
    this.hasStatusSubresource = options.hasStatusSubresource ?? ((name) => {
      const schema = schemas.get(name) as { properties?: Record<string, unknown> } | undefined;
      return schema?.properties?.status !== undefined;
    });
  }

  /**
   * Records an Update by `manager` turning `live` (undefined on create) into `updated`; returns updated with
   * metadata.managedFields maintained. managedFields the client sent are kept (an empty list, or one empty entry,
   * clears them), except on subresources, which always start from live's.
   */
  update(live: KObject | undefined, updated: KObject, manager: string, schemaName: string | undefined, subresource?: string): KObject {
    const sent = updated.metadata?.managedFields;
    let managers: Managers;
    if (subresource) managers = decodeOrEmpty(live?.metadata?.managedFields, true);
    else if (isReset(sent)) managers = new Map();
    else {
      const own = decodeOrEmpty(sent);
      managers = own.size ? own : decodeOrEmpty(live?.metadata?.managedFields, true);
    }
    const next = withoutManagedFields(updated);
    // An existing object nobody tracks stays untracked until it is first applied to.
    if (!managers.size && live) return next;
    const ctx = this.context(schemaName, subresource);
    const from = live ? withoutManagedFields(live) : this.zeros.of(schemaName);
    const apiVersion = updated.apiVersion ?? live?.apiVersion ?? '';
    return withManagedFields(next, this.recordUpdate(ctx, from, next, apiVersion, managers, manager, subresource));
  }

  /**
   * Server-side apply of `applied` by `manager`. Returns the resulting object with managedFields; on a missing object
   * (live undefined) it is built from the configuration. Throws 409 Conflict naming each field another manager owns
   * and the apply would change, unless forced.
   */
  apply(live: KObject | undefined, applied: KObject, manager: string, force: boolean, schemaName: string | undefined, subresource?: string): KObject {
    let managers: Managers;
    try {
      managers = decodeManagedFields(live?.metadata?.managedFields, true);
    } catch (err) {
      throw new APIError(500, 'InternalError', `failed to decode managed fields: ${(err as Error).message}`);
    }
    this.checkKind(live, applied, schemaName);
    if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null)
      throw badRequest('metadata.managedFields must be nil');
    const ctx = this.context(schemaName, subresource);
    const invalid = validationMessage(ctx.type, applied);
    // kube answers this with a bare 500 (no reason) and these words.
    if (invalid) throw new APIError(500, 'InternalError', `failed to create typed patch object (${describeObject(applied)}): ${invalid}`);

    const apiVersion = applied.apiVersion ?? '';
    const from: KObject = live ? withoutManagedFields(live) : {};
    if (!managers.size)
      managers = this.recordUpdate(ctx, this.zeros.of(schemaName), from, apiVersion, managers, BEFORE_FIRST_APPLY, subresource);
    const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Apply', subresource });
    let result: { object: KObject; managers: Managers };
    try {
      result = this.applyOnce(ctx, from, applied, apiVersion, managers, id, force);
    } catch (err) {
      if (!(err instanceof ConflictsError)) throw err;
      const allowed = manager === KUBECTL ? allowedConflicts(ctx.type, live, apiVersion) : undefined;
      if (!allowed) throw conflictError(err.conflicts);
      const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length) throw conflictError(remaining);
      result = this.applyOnce(ctx, from, applied, apiVersion, managers, id, true);
    }
    if (manager === KUBECTL) syncLastApplied(result.object, applied);
    return withManagedFields(result.object, result.managers);
  }

  /** The kind's type and the fields its endpoint resets: status on the main resource, spec on status. */
  private context(schemaName: string | undefined, subresource: string | undefined): WriteContext {
    const type = this.types.root(schemaName);
    let ignored = FieldSet.EMPTY;
    if (subresource === 'status') ignored = SPEC;
    else if (subresource === undefined && schemaName !== undefined && this.hasStatusSubresource(schemaName)) ignored = STATUS;
    return { type, ignored };
  }

  // kube's versionCheckManager: an apply must be of the endpoint's kind.
  private checkKind(live: KObject | undefined, applied: KObject, schemaName: string | undefined): void {
    const schema = schemaName === undefined ? undefined : (this.schemas.get(schemaName) as Record<string, unknown> | undefined);
    const declared = Array.isArray(schema?.['x-kubernetes-group-version-kind'])
      ? (schema!['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[])
        .map((g) => ({ apiVersion: g.group ? `${g.group}/${g.version}` : g.version, kind: g.kind }))
      : live ? [{ apiVersion: live.apiVersion, kind: live.kind }] : [];
    if (declared.length && !declared.some((k) => k.apiVersion === applied.apiVersion && k.kind === applied.kind))
      throw badRequest(`invalid object type: ${gvkString(applied)}`);
  }

  private recordUpdate(ctx: WriteContext, from: unknown, to: unknown, apiVersion: string, managers: Managers, manager: string,
    subresource: string | undefined): Managers {
    const out = recordUpdate(ctx, from, to, apiVersion, managers, CURRENT_OPERATION);
    const changed = out.get(CURRENT_OPERATION);
    out.delete(CURRENT_OPERATION);
    const set = changed?.set.difference(UNTRACKED);
    // Only a write that changed something moves the manager's entry and its time.
    if (set && !set.empty) {
      const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion, subresource });
      const previous = out.get(id);
      out.set(id, { set: previous ? set.union(previous.set) : set, apiVersion, applied: false, time: rfc3339(this.now()) });
    }
    return capUpdateManagers(out);
  }

  private applyOnce(ctx: WriteContext, live: KObject, applied: KObject, apiVersion: string, managers: Managers, id: string,
    force: boolean): { object: KObject; managers: Managers } {
    const { object, managers: out } = recordApply(ctx, live, applied, apiVersion, managers, id, force);
    const own = out.get(id)!;
    const set = own.set.difference(UNTRACKED);
    if (set.empty) out.delete(id);
    // The applier's time moves only when the object changed.
    else out.set(id, { ...own, set, time: object === undefined ? own.time : rfc3339(this.now()) });
    return { object: (object as KObject | undefined) ?? cloneJSON(live), managers: out };
  }
}

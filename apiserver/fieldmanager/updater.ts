// Ownership bookkeeping for one write, as structured-merge-diff's merge.Updater keeps it: an update takes the fields
// it changed from whoever owned them; an apply merges its configuration, owns exactly what the configuration names,
// prunes what it named last time and nobody owns any more, and may not change another manager's fields unless forced.
import { deepEqual } from '../../storage/json.js';
import { FieldSet, type Path } from './fieldpath.js';
import type { TypeNode } from './schema.js';
import { compare, merge, removeFields, toFieldSet, withNamedFields, type Comparison } from './typed.js';

/** One managedFields entry, keyed by its manager identifier. */
export interface Ownership {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
  time?: string;
}

export type Managers = Map<string, Ownership>;

/** What a write is checked against: the kind's type and the fields its endpoint resets (kube's resetFields). */
export interface WriteContext {
  type: TypeNode;
  ignored: FieldSet;
}

export interface Conflict {
  manager: string;
  path: Path;
}

export class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

const withSet = (o: Ownership, set: FieldSet): Ownership => ({ ...o, set });

/**
 * Takes the changes between two objects away from every manager but `workflow`: changed fields they owned are
 * conflicts (an error unless forced, else no longer theirs), removed fields are no longer anybody's.
 */
function takeChanges(ctx: WriteContext, from: unknown, to: unknown, managers: Managers, workflow: string, force: boolean): Comparison {
  const raw = compare(ctx.type, from, to);
  const c: Comparison = {
    added: raw.added.recursiveDifference(ctx.ignored),
    modified: raw.modified.recursiveDifference(ctx.ignored),
    removed: raw.removed.recursiveDifference(ctx.ignored),
  };
  const changed = c.modified.union(c.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [manager, o] of managers) {
    if (manager === workflow) continue;
    const conflict = o.set.intersection(changed);
    if (!conflict.empty) conflicts.set(manager, conflict);
  }
  if (!force && conflicts.size) {
    const list: Conflict[] = [];
    for (const [manager, set] of conflicts) for (const path of set.paths()) list.push({ manager, path });
    throw new ConflictsError(list);
  }
  for (const [manager, o] of managers) {
    if (manager === workflow) continue;
    const kept = o.set.difference(conflicts.get(manager) ?? FieldSet.EMPTY).difference(c.removed);
    if (kept.empty) managers.delete(manager);
    else if (kept !== o.set) managers.set(manager, withSet(o, kept));
  }
  return c;
}

/** An update by `manager` from live to next: it owns what it changed, on top of what it owned. */
export function recordUpdate(ctx: WriteContext, live: unknown, next: unknown, apiVersion: string, managers: Managers, manager: string): Managers {
  const out = new Map(managers);
  const c = takeChanges(ctx, live, next, out, manager, true);
  const previous = out.get(manager);
  const set = (previous?.set ?? FieldSet.EMPTY).difference(c.removed).union(c.modified).union(c.added).recursiveDifference(ctx.ignored);
  if (set.empty) out.delete(manager);
  else out.set(manager, { set, apiVersion, applied: false, time: previous?.time });
  return out;
}

export interface ApplyResult {
  /** The resulting object, undefined when the apply changed nothing. */
  object: unknown;
  managers: Managers;
}

/** An apply of `config` by `manager` to live. Throws ConflictsError unless forced. */
export function recordApply(ctx: WriteContext, live: unknown, config: unknown, apiVersion: string, managers: Managers,
  manager: string, force: boolean): ApplyResult {
  const out = new Map(managers);
  const last = out.get(manager);
  const set = toFieldSet(ctx.type, config).recursiveDifference(ctx.ignored);
  out.set(manager, { set, apiVersion, applied: true, time: last?.time });
  const object = prune(ctx.type, merge(ctx.type, live, config), out, last?.set, set);
  const unchanged = deepEqual(live, object);
  // Only other managers can lose fields or conflict, and only through a change.
  if (out.size > 1 && !unchanged) takeChanges(ctx, live, object, out, manager, force);
  return { object: unchanged ? undefined : object, managers: out };
}

/**
 * Removes from the merged object what the applier set last time, no longer sets, and nobody else owns (kube's prune
 * with its add-back of owned and dangling items), struct fields left empty included.
 */
function prune(t: TypeNode, merged: unknown, managers: Managers, last: FieldSet | undefined, current: FieldSet): unknown {
  // A configuration that still names all it named last time leaves nothing to prune: what it names is owned, and so
  // is every struct field and item above.
  if (!last || last.difference(current).empty) return merged;
  const lastNamed = withNamedFields(last, t);
  const mergedSet = withNamedFields(toFieldSet(t, merged), t);
  let owned = FieldSet.EMPTY;
  for (const o of managers.values()) owned = owned.union(o.set);
  const firstCut = removeFields(t, merged, lastNamed);
  const unowned = mergedSet.difference(withNamedFields(toFieldSet(t, firstCut), t).union(withNamedFields(owned, t)));
  const secondCut = removeFields(t, merged, unowned);
  return removeFields(t, merged, mergedSet.difference(withNamedFields(toFieldSet(t, secondCut), t)).intersection(lastNamed));
}

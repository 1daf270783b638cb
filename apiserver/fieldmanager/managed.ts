// metadata.managedFields in and out: entries keyed by kube's manager identifier (the entry's JSON without fields and
// time, and without apiVersion for appliers, so each applier has one entry whatever version it applies), kube's
// order on the way out, and the cap on Update entries.
import { FieldSet } from './fieldpath.js';
import { goJSON, goQuote, isObject } from './json.js';
import type { Managers, Ownership } from './updater.js';

type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

interface ManagerInfo {
  manager?: string;
  operation: Operation;
  apiVersion?: string;
  subresource?: string;
}

/** The identifier, as Go marshals the entry (field order manager, operation, apiVersion, subresource). */
export function managerIdentifier(info: ManagerInfo): string {
  const fields: [string, string | undefined][] = [
    ['manager', info.manager],
    ['operation', info.operation],
    ['apiVersion', info.operation === 'Update' ? info.apiVersion : undefined],
    ['subresource', info.subresource],
  ];
  // Go writes struct fields in declaration order and leaves empty ones out.
  return '{' + fields.filter(([, v]) => v).map(([k, v]) => `"${k}":${goJSON(v)}`).join(',') + '}';
}

function parseIdentifier(id: string): ManagerInfo {
  return JSON.parse(id) as ManagerInfo;
}

/** A manager the way conflict messages name it: `"kubectl"`, `"ctrl" with subresource "status" using apps/v1`. */
export function describeManager(id: string): string {
  const info = parseIdentifier(id);
  let s = goQuote(info.manager ?? '');
  if (info.subresource) s += ` with subresource ${goQuote(info.subresource)}`;
  return info.operation === 'Update' ? `${s} using ${info.apiVersion ?? ''}` : s;
}

/**
 * The FieldsV1 a set was decoded from, for sets decoded from a stored object: this encoder wrote them, so they are
 * already what encoding the set gives. Sets are never changed once built, and a write leaves most managers' sets as
 * they were, so their entries are written back as read instead of encoded again (two in a hundred of an apiserver's
 * CPU under a burst of Work writes).
 */
const storedFields = new WeakMap<FieldSet, unknown>();

/**
 * Decodes managedFields; throws on entries kube would refuse. `stored`: they come from a stored object (not from a
 * client, whose FieldsV1 kube writes back in its own form).
 */
export function decodeManagedFields(entries: unknown, stored = false): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    const e = (isObject(raw) ? raw : {}) as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${goQuote(e.fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource });
    const set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    if (stored && e.fieldsV1 !== undefined) storedFields.set(set, e.fieldsV1);
    out.set(id, {
      set,
      apiVersion: e.apiVersion,
      applied: e.operation === 'Apply',
      time: e.time ?? undefined,
    });
  });
  return out;
}

/** Decodes managedFields, treating undecodable ones as none. */
export function decodeOrEmpty(entries: unknown, stored = false): Managers {
  try {
    return decodeManagedFields(entries, stored);
  } catch {
    return new Map();
  }
}

/** A client resets managedFields by sending an empty list or a list of one empty entry. */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObject(entries[0]) && Object.values(entries[0]).every((v) => v === undefined || v === null || v === '');
}

const seconds = (time: string | undefined): number => {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};

/** The entries as kube writes them: Apply before Update, then by time, manager, apiVersion and subresource. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] | undefined {
  if (!managers.size) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, o] of managers) {
    const info = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (info.manager) entry.manager = info.manager;
    entry.operation = o.applied ? 'Apply' : 'Update';
    entry.apiVersion = o.apiVersion;
    if (o.time) entry.time = o.time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = storedFields.get(o.set) ?? o.set.toFieldsV1();
    if (info.subresource) entry.subresource = info.subresource;
    entries.push(entry);
  }
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) ||
    cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource));
}

/** kube keeps at most this many Update entries (DefaultMaxUpdateManagers). */
const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Merges the oldest Update entries into one "ancient-changes" entry per apiVersion until at most
 * MAX_UPDATE_MANAGERS remain. As in kube, the first old entry of a version only becomes the bucket once a second one
 * of that version joins it.
 */
export function capUpdateManagers(managers: Managers): Managers {
  const updaters = [...managers].filter(([, o]) => !o.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managers;
  const out = new Map(managers);
  updaters.sort((a, b) => seconds(out.get(a)!.time) - seconds(out.get(b)!.time) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const id of updaters) {
    if (length <= MAX_UPDATE_MANAGERS) break;
    const o = out.get(id)!;
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: o.apiVersion });
    const first = firstOfVersion.get(o.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(o.apiVersion, id);
      continue;
    }
    if (!out.has(bucket)) {
      out.set(bucket, out.get(first)!);
      out.delete(first);
    }
    const merged: Ownership = { ...o, set: o.set.union(out.get(bucket)!.set), time: o.time };
    out.delete(id);
    out.set(bucket, merged);
    length--;
  }
  return out;
}

// What a write to a member cluster keeps of the object already there (Karmada's ObjectWatcher.retainClusterFields
// and native Retain): fields the member's apiserver or controllers own, which the manifest would otherwise wipe.
import { MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION } from '../binding/names.js';
import { getPath, gvk, setPath, type Obj } from './fields.js';
import { cloneJSON } from '../../storage/json.js';

/** A Deployment template with this label set to "true" leaves the replica count to each member (e.g. to its HPA). */
export const RETAIN_REPLICAS_LABEL = 'resourcetemplate.karmada.io/retain-replicas';

const managedKeySets = new Map<string, ReadonlySet<string>>();

/**
 * The keys a managed-labels or managed-annotations list names. The same lists come back on object after object, and
 * splitting one on every comparison was 3% of a controller-manager's start: each is split once (a bounded memo).
 */
function managedKeys(list: string): ReadonlySet<string> {
  let keys = managedKeySets.get(list);
  if (!keys) {
    if (managedKeySets.size >= 1_000) managedKeySets.clear();
    managedKeySets.set(list, (keys = new Set(list.split(','))));
  }
  return keys;
}

/**
 * util.RetainLabels / RetainAnnotations: desired's entries, plus the observed ones the member added (those desired
 * does not have and never propagated, as managedList says). A key in both keeps desired's value, so a change made by
 * hand is undone; a key propagated earlier that desired no longer has is dropped.
 */
function retainMap(desired: Record<string, string> | undefined, observed: Record<string, string> | undefined, managedList: string | undefined): Record<string, string> | undefined {
  const managed = managedKeys(managedList ?? '');
  const out = { ...desired };
  for (const [k, v] of Object.entries(observed ?? {})) if (!Object.hasOwn(out, k) && !managed.has(k)) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Copies observed's value at path into desired, or leaves desired alone when keep(value) is false. */
function keep(desired: Obj, observed: Obj, path: readonly string[], when: (v: unknown) => boolean = (v) => v !== undefined): void {
  const v = getPath(observed, path);
  if (when(v)) setPath(desired, path, cloneJSON(v));
}

const nonEmpty = (v: unknown) => (typeof v === 'string' ? v !== '' : Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null);

/** Pod: scheduling and volume wiring done in the member (node, service account, projected volumes and mounts). */
function retainPod(desired: Obj, observed: Obj): void {
  for (const f of ['nodeName', 'serviceAccountName', 'volumes']) {
    const v = observed.spec?.[f];
    desired.spec ??= {};
    if (v === undefined) delete desired.spec[f];
    else desired.spec[f] = cloneJSON(v);
  }
  for (const list of ['containers', 'initContainers']) {
    for (const c of observed.spec?.[list] ?? []) {
      const target = (desired.spec?.[list] ?? []).find((d: Obj) => d.name === c.name);
      if (!target) continue;
      if (c.volumeMounts === undefined) delete target.volumeMounts;
      else target.volumeMounts = cloneJSON(c.volumeMounts);
    }
  }
}

/** ServiceAccount: the secrets and image pull secrets the member's token controller added, merged by name. */
function retainServiceAccount(desired: Obj, observed: Obj): void {
  for (const f of ['secrets', 'imagePullSecrets']) {
    const merged: Obj[] = [...(Array.isArray(desired[f]) ? desired[f] : [])];
    const names = new Set(merged.map((s) => s?.name));
    for (const s of Array.isArray(observed[f]) ? observed[f] : []) {
      if (names.has(s?.name)) continue;
      names.add(s?.name);
      merged.push(cloneJSON(s));
    }
    if (merged.length > 0) desired[f] = merged;
    else delete desired[f];
  }
}

const KIND_RETAIN: Record<string, (desired: Obj, observed: Obj) => void> = {
  'v1/Pod': retainPod,
  // Allocated by the member's apiserver and immutable there.
  'v1/Service': (d, o) => {
    keep(d, o, ['spec', 'healthCheckNodePort'], (v) => typeof v === 'number' && v > 0);
    keep(d, o, ['spec', 'clusterIP'], nonEmpty);
    keep(d, o, ['spec', 'clusterIPs'], nonEmpty);
    keep(d, o, ['spec', 'ipFamilies'], nonEmpty);
  },
  'v1/ServiceAccount': retainServiceAccount,
  // Bound by the member's volume controller.
  'v1/PersistentVolumeClaim': (d, o) => keep(d, o, ['spec', 'volumeName'], nonEmpty),
  'v1/PersistentVolume': (d, o) => keep(d, o, ['spec', 'claimRef']),
  // The member's Job controller generates the selector and labels the pod template to match.
  'batch/v1/Job': (d, o) => {
    keep(d, o, ['spec', 'selector', 'matchLabels']);
    keep(d, o, ['spec', 'template', 'metadata', 'labels']);
  },
  'apps/v1/Deployment': (d, o) => {
    if (d.metadata?.labels?.[RETAIN_REPLICAS_LABEL] === 'true') keep(d, o, ['spec', 'replicas']);
  },
};

/** The labels and annotations retainClusterFields gives desired over observed (undefined where there are none). */
export function retainedLabelsAndAnnotations(desired: Obj, observed: Obj): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  const meta: Obj = desired.metadata ?? {};
  const seen: Obj = observed.metadata ?? {};
  return {
    labels: retainMap(meta.labels, seen.labels, seen.annotations?.[MANAGED_LABELS_ANNOTATION]),
    annotations: retainMap(meta.annotations, seen.annotations, seen.annotations?.[MANAGED_ANNOTATIONS_ANNOTATION]),
  };
}

/**
 * desired, as it is to be written over observed: observed's resourceVersion (the update is conditional on it), the
 * finalizers and owner references member controllers set, the labels and annotations they added, and the
 * kind's member-owned fields. Neither argument is modified.
 */
export function retainClusterFields(desired: Obj, observed: Obj): Obj {
  return retainClusterFieldsInto(cloneJSON(desired), observed);
}

/** retainClusterFields over a copy of desired the caller made and gives up: out itself is changed and returned. */
export function retainClusterFieldsInto(out: Obj, observed: Obj): Obj {
  const meta: Obj = (out.metadata ??= {});
  const seen: Obj = observed.metadata ?? {};
  for (const f of ['resourceVersion', 'finalizers', 'ownerReferences']) {
    if (seen[f] === undefined) delete meta[f];
    else meta[f] = cloneJSON(seen[f]);
  }
  const { labels, annotations } = retainedLabelsAndAnnotations(out, observed);
  if (annotations) meta.annotations = annotations;
  if (labels) meta.labels = labels;
  KIND_RETAIN[gvk(out)]?.(out, observed);
  return out;
}

// Per-kind write strategies (kube's rest.RESTCreateStrategy / RESTUpdateStrategy): which fields the server owns,
// how names are validated, when generation moves, and what a status write may touch.
import { randomUUID, randomInt } from 'node:crypto';
import type { KObject } from '../../storage/store.js';
import type { ResourceType } from './types.js';
import type { NameRule } from './validation.js';

export interface Strategy {
  nameRule: NameRule;
  /** Whether metadata.generation is maintained (kinds whose spec drives a controller). */
  generation: boolean;
  /** Kind-specific server-set fields on create (after the generic metadata handling). */
  prepareForCreate?(obj: KObject): void;
}

const GENERATION_KINDS = new Set([
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  'batch/Job',
  'batch/CronJob',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/NetworkPolicy',
  'policy/PodDisruptionBudget',
  'autoscaling/HorizontalPodAutoscaler',
  'apiextensions.k8s.io/CustomResourceDefinition',
]);

const LABEL_NAMED_KINDS = new Set(['/Namespace', '/Service']);
const PATH_SEGMENT_NAMED_GROUPS = new Set(['rbac.authorization.k8s.io']);

const KIND_PREPARE: Record<string, (obj: KObject) => void> = {
  '/Namespace': (ns) => {
    ns.spec = { ...(ns.spec ?? {}), finalizers: ns.spec?.finalizers ?? ['kubernetes'] };
    ns.status = { phase: 'Active' };
  },
  '/Service': (svc) => {
    const spec = (svc.spec ??= {});
    spec.type ??= 'ClusterIP';
    if (spec.type !== 'ExternalName' && !spec.clusterIP) {
      // Clusters allocate from the service CIDR; a random address in 10.96.0.0/12 stands in for the allocator.
      const n = randomInt(1, 1 << 20);
      spec.clusterIP = `10.${96 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
    }
    if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  },
};

export function strategyFor(rt: ResourceType): Strategy {
  const gk = `${rt.group}/${rt.kind}`;
  return {
    nameRule: LABEL_NAMED_KINDS.has(gk) ? 'label' : PATH_SEGMENT_NAMED_GROUPS.has(rt.group) ? 'path-segment' : 'subdomain',
    generation: GENERATION_KINDS.has(gk),
    prepareForCreate: KIND_PREPARE[gk],
  };
}

const GENERATE_NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_NAME_CHARS[randomInt(GENERATE_NAME_CHARS.length)];
  return s;
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Fields of metadata the server owns on create (kube's rest.BeforeCreate / FillObjectMetaSystemFields). */
export function prepareMetaForCreate(obj: KObject, rt: ResourceType, strategy: Strategy, namespace: string | undefined): void {
  const meta = (obj.metadata ??= {});
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateNameSuffix()}`;
  if (rt.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.resourceVersion;
  if (strategy.generation) meta.generation = 1;
  else delete meta.generation;
  if (rt.subresources?.status) delete obj.status;
  strategy.prepareForCreate?.(obj);
}

/**
 * Carries server-owned fields over from the stored object on update. `subresource` 'status' keeps everything but
 * status, 'finalize' (namespaces) everything but spec.finalizers; the main resource of a kind with a status
 * subresource keeps the stored status.
 */
export function prepareForUpdate(obj: KObject, old: KObject, rt: ResourceType, strategy: Strategy, subresource?: string): KObject {
  let next: KObject;
  if (subresource === 'status') {
    next = { ...old, metadata: { ...old.metadata }, status: obj.status };
  } else if (subresource === 'finalize') {
    next = { ...old, metadata: { ...old.metadata }, spec: { ...old.spec, finalizers: obj.spec?.finalizers ?? [] } };
  } else {
    next = obj;
    if (rt.subresources?.status) {
      if (old.status === undefined) delete next.status;
      else next.status = old.status;
    }
  }
  const meta = (next.metadata ??= {});
  const oldMeta = old.metadata ?? {};
  for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name'])
    if (oldMeta[f] === undefined) delete meta[f];
    else meta[f] = oldMeta[f];
  delete meta.selfLink;
  if (strategy.generation) {
    meta.generation = oldMeta.generation ?? 1;
    if (subresource === undefined && specChanged(next, old)) meta.generation++;
  } else delete meta.generation;
  return next;
}

/** Anything outside metadata and status counts as spec (kube's strategies compare spec, CRs compare all but these). */
function specChanged(a: KObject, b: KObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

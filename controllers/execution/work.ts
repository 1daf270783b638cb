// The Work API as the execution and work status controllers use it: where Works are, their conditions (written
// through the status subresource, guarded by the resourceVersion they were computed from and retried against the
// latest Work on conflict, since both controllers write them), and Karmada's condition reasons and messages.
import { findCondition, setCondition, type ObservedCondition } from '../cluster/condition.js';
import type { Cluster, ManifestStatus } from '../../openapi/karmada/types.js';
import type { Work } from '../binding/render.js';
import { isStatus } from '../runtime/client.js';
import type { RESTClient } from '../runtime/rest.js';
import { resourcePath } from './rest.js';

export type { Work };

export const WORK_API = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' } as const;
export const WORKS_PATH = `/apis/${WORK_API.group}/${WORK_API.version}/${WORK_API.plural}`;

/** The path of a Work, of its status, or (without a name) of its namespace's Works. */
export function workPath(namespace: string, name?: string, subresource?: 'status'): string {
  const path = resourcePath(`${WORK_API.group}/${WORK_API.version}`, { plural: WORK_API.plural, namespaced: true }, namespace, name);
  return subresource ? `${path}/${subresource}` : path;
}

export const MERGE_PATCH = 'application/merge-patch+json';

export const WORK_APPLIED = 'Applied';
export const WORK_DISPATCHING = 'Dispatching';
export const MANIFEST_APPLIED_MESSAGE = 'Manifest has been successfully applied';

const CONFLICT_RETRIES = 5;

export function isApplied(work: Work): boolean {
  return findCondition(work.status?.conditions, WORK_APPLIED)?.status === 'True';
}

export function isSuspended(work: Work): boolean {
  return work.spec?.suspendDispatching === true;
}

export function isClusterReady(cluster: Cluster | undefined): boolean {
  return findCondition(cluster?.status?.conditions, 'Ready')?.status === 'True';
}

/** The Work's manifests (a Work written by hand may have none). */
export function manifestsOf(work: Work): Record<string, any>[] {
  return work.spec?.workload?.manifests ?? [];
}

/**
 * Records the conditions in the Work's status, in one write, unless each is already there (same status, reason and
 * message). A Work already gone is no error. The manifest statuses given go in the same write.
 */
export async function setWorkConditions(rest: RESTClient, work: Work, conditions: ObservedCondition[], signal: AbortSignal, manifestStatuses?: ManifestStatus[]): Promise<void> {
  const { namespace, name } = work.metadata;
  let current = work;
  for (let attempt = 1; ; attempt++) {
    const missing = conditions.filter((c) => {
      const existing = findCondition(current.status?.conditions, c.type);
      return !existing || existing.status !== c.status || existing.reason !== c.reason || existing.message !== c.message;
    });
    if (missing.length === 0) return;
    const status = { conditions: missing.reduce((all, c) => setCondition(all, c), current.status?.conditions), ...(manifestStatuses ? { manifestStatuses } : {}) };
    const body = { metadata: { resourceVersion: current.metadata.resourceVersion }, status };
    try {
      return await rest.send('PATCH', workPath(namespace, name, 'status'), { body, contentType: MERGE_PATCH, signal });
    } catch (err) {
      if (isStatus(err, 404)) return;
      if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
      try {
        current = (await rest.request('GET', workPath(namespace, name), { signal })) as Work;
      } catch (getErr) {
        if (isStatus(getErr, 404)) return;
        throw getErr;
      }
    }
  }
}

/** A JSON merge patch of the Work's metadata, guarded by its resourceVersion; a Work already gone is no error. */
export async function patchWorkMetadata(rest: RESTClient, work: Work, metadata: Record<string, unknown>, signal: AbortSignal): Promise<Work | undefined> {
  const { namespace, name, resourceVersion } = work.metadata;
  try {
    return (await rest.request('PATCH', workPath(namespace, name), { body: { metadata: { resourceVersion, ...metadata } }, contentType: MERGE_PATCH, signal })) as Work;
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw err;
  }
}

/** Go's errors.NewAggregate(...).Error(). */
export function aggregateErrors(errors: readonly Error[]): string {
  return errors.length === 1 ? errors[0].message : `[${errors.map((e) => e.message).join(', ')}]`;
}

// The Work API as the execution and work status controllers use it: where Works are, their conditions (written
// through the status subresource, guarded by the resourceVersion they were computed from and retried against the
// latest Work on conflict, since both controllers write them), and Karmada's condition reasons and messages.
import { ApiException, PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { findCondition, setCondition, type ObservedCondition } from '../cluster/condition.js';
import type { Cluster } from '../../openapi/karmada/types.js';
import type { Work } from '../binding/render.js';
import { withSignal } from '../runtime/client.js';

export type { Work };

export const WORK_API = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' } as const;
export const WORKS_PATH = `/apis/${WORK_API.group}/${WORK_API.version}/${WORK_API.plural}`;

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

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

/**
 * Records the conditions in the Work's status, in one write, unless each is already there (same status, reason and
 * message); returns the Work as written (or as given, when nothing was written or the Work is gone).
 */
export async function setWorkConditions(api: CustomObjectsApi, work: Work, conditions: ObservedCondition[], signal: AbortSignal): Promise<Work> {
  const { namespace, name } = work.metadata;
  let current = work;
  for (let attempt = 1; ; attempt++) {
    const missing = conditions.filter((c) => {
      const existing = findCondition(current.status?.conditions, c.type);
      return !existing || existing.status !== c.status || existing.reason !== c.reason || existing.message !== c.message;
    });
    if (missing.length === 0) return current;
    const body = { metadata: { resourceVersion: current.metadata.resourceVersion }, status: { conditions: missing.reduce((all, c) => setCondition(all, c), current.status?.conditions) } };
    try {
      return (await api.patchNamespacedCustomObjectStatus(
        { ...WORK_API, namespace, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, withSignal(signal)),
      )) as Work;
    } catch (err) {
      if (isCode(err, 404)) return current;
      if (!isCode(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
      try {
        current = (await api.getNamespacedCustomObject({ ...WORK_API, namespace, name }, withSignal(signal))) as Work;
      } catch (getErr) {
        if (isCode(getErr, 404)) return current;
        throw getErr;
      }
    }
  }
}

/** A JSON merge patch of the Work's metadata, guarded by its resourceVersion; a Work already gone is no error. */
export async function patchWorkMetadata(api: CustomObjectsApi, work: Work, metadata: Record<string, unknown>, signal: AbortSignal): Promise<Work | undefined> {
  const { namespace, name, resourceVersion } = work.metadata;
  try {
    return (await api.patchNamespacedCustomObject(
      { ...WORK_API, namespace, name, body: { metadata: { resourceVersion, ...metadata } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch, withSignal(signal)),
    )) as Work;
  } catch (err) {
    if (isCode(err, 404)) return undefined;
    throw err;
  }
}

/** Go's errors.NewAggregate(...).Error(). */
export function aggregateErrors(errors: readonly Error[]): string {
  return errors.length === 1 ? errors[0].message : `[${errors.map((e) => e.message).join(', ')}]`;
}

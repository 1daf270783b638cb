// Status conditions as apimachinery's meta helpers handle them, for the conditions the cluster controllers own.
import type { Condition } from '../../openapi/karmada/types.js';

/** A condition as a controller observes it; lastTransitionTime is filled in when it is recorded. */
export type ObservedCondition = Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string };

/** metav1.Time's wire form: RFC 3339 in whole seconds. */
export function metaTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function findCondition<C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * meta.SetStatusCondition: conditions with next recorded. The transition time moves only when the status changes
 * (to next's, or now); reason, message and observedGeneration are replaced.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: ObservedCondition, now: () => string = metaTime): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const existing = i >= 0 ? list[i] : undefined;
  const transitioned = !existing || existing.status !== next.status;
  const recorded: Condition = {
    type: next.type,
    status: next.status,
    lastTransitionTime: transitioned ? (next.lastTransitionTime ?? now()) : existing.lastTransitionTime,
    reason: next.reason,
    message: next.message,
    ...(next.observedGeneration !== undefined ? { observedGeneration: next.observedGeneration } : {}),
  };
  if (existing) list[i] = recorded;
  else list.push(recorded);
  return list;
}

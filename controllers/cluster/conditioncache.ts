// Karmada's cluster condition cache: a member's Ready condition flips only once the new observation has persisted for
// the success threshold (after recovery) or the failure threshold (after a failure), so a blip does not taint it.
// The start of the current streak lives in memory: after a restart the first observation counts as-is, as in Karmada.
import type { Condition } from '../../openapi/karmada/types.js';
import { findCondition, type ObservedCondition } from './condition.js';

export interface ThresholdOptions {
  successThresholdMs: number;
  failureThresholdMs: number;
}

export class ClusterConditionCache {
  private readonly streaks = new Map<string, { status: Condition['status']; since: number }>();

  constructor(
    private readonly opts: ThresholdOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The Ready condition to record for cluster given what was just observed: the current one while a change of
   * readiness has not yet lasted its threshold, else the observation.
   */
  thresholdAdjusted(cluster: string, current: readonly Condition[] | undefined, observed: ObservedCondition): ObservedCondition {
    const saved = this.streaks.get(cluster);
    const now = this.now();
    if (!saved) {
      // Just joined (or this process just started): nothing to smooth against yet.
      this.streaks.set(cluster, { status: observed.status, since: now });
      return observed;
    }
    const recorded = findCondition(current, 'Ready');
    if (!recorded) return observed;
    let since = saved.since;
    if (saved.status !== observed.status) {
      this.streaks.set(cluster, { status: observed.status, since: now });
      since = now;
    }
    const threshold = observed.status === 'True' ? this.opts.successThresholdMs : this.opts.failureThresholdMs;
    // Only readiness itself is smoothed; Unknown to False passes straight through.
    const flips = (observed.status === 'True') !== (recorded.status === 'True');
    return flips && now < since + threshold ? recorded : observed;
  }

  delete(cluster: string): void {
    this.streaks.delete(cluster);
  }
}

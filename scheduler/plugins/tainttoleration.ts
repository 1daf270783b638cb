// TaintToleration: a NoSchedule or NoExecute taint the placement does not tolerate keeps new placements off a
// cluster. Clusters already in the schedule result pass: evicting from them is the taint manager's job, after its
// grace period, not the scheduler's.
import type { Taint, Toleration } from '../../openapi/karmada/types.js';
import { clusterName, targetContains } from '../api.js';
import { schedulingTaints } from '../cluster.js';
import type { FilterPlugin } from './framework.js';

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(spec, _status, cluster) {
    if (targetContains(spec, clusterName(cluster))) return undefined;
    const tolerations = spec.placement?.clusterTolerations ?? [];
    const untolerated = schedulingTaints(cluster).find(
      (taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => tolerates(t, taint)),
    );
    return untolerated && `cluster(s) had untolerated taint {${taintString(untolerated)}}`;
  },
};

/** corev1.Toleration.ToleratesTaint: an empty effect or key matches any; Exists ignores the value. */
function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** corev1.Taint.ToString: key=value:effect, dropping an empty value. */
export function taintString(taint: Taint): string {
  if (!taint.effect) return taint.value ? `${taint.key}=${taint.value}:` : taint.key;
  return taint.value ? `${taint.key}=${taint.value}:${taint.effect}` : `${taint.key}:${taint.effect}`;
}

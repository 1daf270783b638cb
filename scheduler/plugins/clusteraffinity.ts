// ClusterAffinity: the cluster must match the placement's clusterAffinity, or, with clusterAffinities, the term the
// scheduler is observing (status.schedulerObservingAffinityName).
import type { ClusterAffinity } from '../../openapi/karmada/types.js';
import { clusterMatches } from '../cluster.js';
import type { FilterPlugin } from './framework.js';

export const clusterAffinity: FilterPlugin = {
  name: 'ClusterAffinity',
  filter(spec, status, cluster) {
    const placement = spec.placement;
    const affinity: ClusterAffinity | undefined =
      placement?.clusterAffinity ?? placement?.clusterAffinities?.find((t) => t.affinityName === status.schedulerObservingAffinityName);
    if (!affinity || clusterMatches(cluster, affinity)) return undefined;
    return 'cluster(s) did not match the placement cluster affinity constraint';
  },
};

// ClusterEviction: a cluster the binding is being gracefully evicted from (spec.gracefulEvictionTasks) takes no
// placement until the eviction is over.
import { clusterName } from '../api.js';
import type { FilterPlugin } from './framework.js';

export const clusterEviction: FilterPlugin = {
  name: 'ClusterEviction',
  filter(spec, _status, cluster) {
    const name = clusterName(cluster);
    if (!(spec.gracefulEvictionTasks ?? []).some((task) => task.fromCluster === name)) return undefined;
    return 'cluster(s) is in the process of eviction';
  },
};

// ClusterLocality: prefer the clusters the binding is already scheduled to, so a reschedule moves as little as it can.
import { MAX_CLUSTER_SCORE, MIN_CLUSTER_SCORE, clusterName, targetContains } from '../api.js';
import type { ScorePlugin } from './framework.js';

export const clusterLocality: ScorePlugin = {
  name: 'ClusterLocality',
  score(spec, cluster) {
    return targetContains(spec, clusterName(cluster)) ? MAX_CLUSTER_SCORE : MIN_CLUSTER_SCORE;
  },
};

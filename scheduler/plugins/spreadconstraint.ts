// SpreadConstraint: spreading by provider, region, zone or a label needs clusters that have one; the others cannot
// be placed in any group.
import { clusterZones } from '../cluster.js';
import type { FilterPlugin } from './framework.js';

export const spreadConstraint: FilterPlugin = {
  name: 'SpreadConstraint',
  filter(spec, _status, cluster) {
    for (const c of spec.placement?.spreadConstraints ?? []) {
      if (c.spreadByField === 'provider' && !cluster.spec.provider) return "cluster(s) didn't have provider property";
      if (c.spreadByField === 'region' && !cluster.spec.region) return "cluster(s) didn't have region property";
      if (c.spreadByField === 'zone' && clusterZones(cluster).length === 0) return "cluster(s) didn't have zone property";
      if (c.spreadByLabel && cluster.metadata?.labels?.[c.spreadByLabel] === undefined) return `cluster(s) didn't have label ${c.spreadByLabel}`;
    }
    return undefined;
  },
};

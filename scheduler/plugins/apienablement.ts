// APIEnablement: new placements only go to clusters whose collected API enablements include the resource's
// apiVersion and kind. A cluster already in the schedule result always passes, so an API missing from the list (not
// collected yet, or collected incompletely) never removes a workload that is already placed.
import type { APIEnablement } from '../../openapi/karmada/types.js';
import { clusterName, targetContains } from '../api.js';
import type { FilterPlugin } from './framework.js';

export const apiEnablement: FilterPlugin = {
  name: 'APIEnablement',
  filter(spec, _status, cluster) {
    if (targetContains(spec, clusterName(cluster))) return undefined;
    if (isAPIEnabled(cluster.status?.apiEnablements, spec.resource.apiVersion, spec.resource.kind)) return undefined;
    return 'cluster(s) did not have the API resource';
  },
};

/** helper.IsAPIEnabled. */
function isAPIEnabled(enablements: APIEnablement[] | undefined, groupVersion: string, kind: string): boolean {
  return (enablements ?? []).some((e) => e.groupVersion === groupVersion && (e.resources ?? []).some((r) => r.kind === kind));
}

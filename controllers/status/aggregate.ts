// A binding's view of its Works (Karmada's assembleWorkStatus and generateFullyAppliedCondition): one item per
// member cluster with whether the Work was applied (and why not), the template's health there and its reflected
// status; and FullyApplied once every cluster the binding expects has it applied and healthy. Pure.
import type { AggregatedStatusItem, ObjectReference, ResourceBindingSpec } from '../../openapi/karmada/types.js';
import { clusterOfExecutionSpace } from '../binding/names.js';
import { expectedClusters } from '../binding/render.js';
import { findCondition, type ObservedCondition } from '../cluster/condition.js';
import { WORK_APPLIED, manifestsOf, type Work } from '../execution/work.js';

export const FULLY_APPLIED = 'FullyApplied';

/** Go's schema.ParseGroupVersion, for the identifiers of manifest statuses. */
function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The items of a binding's status.aggregatedStatus, by cluster name; Works being deleted are left out. */
export function assembleWorkStatus(works: readonly Work[], ref: ObjectReference): AggregatedStatusItem[] {
  const items: AggregatedStatusItem[] = [];
  const { group, version } = groupVersion(ref.apiVersion);
  for (const work of works) {
    if (work.metadata.deletionTimestamp) continue;
    const { namespace: wns, name: wname } = work.metadata;
    const ordinal = manifestsOf(work).findIndex(
      (m) => m.apiVersion === ref.apiVersion && m.kind === ref.kind && (m.metadata?.namespace ?? '') === (ref.namespace ?? '') && m.metadata?.name === ref.name,
    );
    if (ordinal < 0) throw new Error(`work ${wns}/${wname} has no manifest of ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
    const clusterName = clusterOfExecutionSpace(wns);
    if (!clusterName) throw new Error(`work ${wns}/${wname} is not in an execution space`);
    const applied = findCondition(work.status?.conditions, WORK_APPLIED);
    // Go leaves out `applied: false` and an empty message (omitempty).
    if (applied?.status !== 'True') {
      items.push({ clusterName, ...(applied?.message ? { appliedMessage: applied.message } : {}), health: 'Unknown' });
      continue;
    }
    const manifest = (work.status?.manifestStatuses ?? []).find(
      ({ identifier: id }) =>
        id.ordinal === ordinal && (id.group ?? '') === group && id.version === version && id.kind === ref.kind && (id.namespace ?? '') === (ref.namespace ?? '') && id.name === ref.name,
    );
    items.push({ clusterName, ...(manifest?.status ? { status: manifest.status } : {}), applied: true, health: manifest?.health ?? 'Unknown' });
  }
  return items.sort((a, b) => (a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0));
}

/** FullyApplied: applied and healthy in exactly the clusters the binding expects its Works in. */
export function fullyAppliedCondition(spec: ResourceBindingSpec, items: readonly AggregatedStatusItem[]): ObservedCondition {
  const clusters = expectedClusters(spec);
  const fully = clusters.size > 0 && clusters.size === items.length && items.every((i) => i.applied === true && i.health === 'Healthy' && clusters.has(i.clusterName));
  return fully
    ? { type: FULLY_APPLIED, status: 'True', reason: 'FullyAppliedSuccess', message: 'All works have been successfully applied' }
    : { type: FULLY_APPLIED, status: 'False', reason: 'FullyAppliedFailed', message: 'Failed to apply all works, see status.aggregatedStatus for details' };
}

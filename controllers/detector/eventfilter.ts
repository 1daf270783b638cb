// Which template updates the detector reconciles (Karmada's eventfilter.SpecificationChanged). Karmada compares an
// object's old and new versions without status; the detector's informers hold metadata only, so it compares
// metadata instead, which tells a change of spec apart from one of status wherever the apiserver maintains
// metadata.generation (workloads, custom resources): there a spec change moves the generation.
import { createHash } from 'node:crypto';
import type { ObjectMeta } from './matching.js';

/**
 * A digest of what in meta signals a change worth reconciling: everything but resourceVersion and managedFields.
 * Undefined for an object without a generation, every update of which must be reconciled.
 */
export function specFingerprint(meta: ObjectMeta): string | undefined {
  if (meta.generation === undefined) return undefined;
  const { resourceVersion: _rv, managedFields: _mf, ...rest } = meta as Record<string, unknown>;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64');
}

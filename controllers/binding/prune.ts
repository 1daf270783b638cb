// What the binding controller strips from a manifest before it goes into a Work (Karmada's
// prune.RemoveIrrelevantFields with RemoveJobTTLSeconds): fields the Karmada apiserver filled in, which a member
// cluster sets for itself or would reject.
import type { Obj } from '../overrides/jsonpatch.js';
import { cloneJSON } from '../../storage/json.js';

const SERVER_METADATA = [
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
  'resourceVersion',
  'selfLink',
  'uid',
  'ownerReferences',
  'finalizers',
];

/** The labels the Job controller puts on the selector and pod template of a Job it generates the selector for. */
const JOB_GENERATED_SELECTOR_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];
const JOB_GENERATED_TEMPLATE_LABELS = [...JOB_GENERATED_SELECTOR_LABELS, 'job-name', 'batch.kubernetes.io/job-name'];

function withoutKeys(map: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> | undefined {
  if (!map) return map;
  return Object.fromEntries(Object.entries(map).filter(([k]) => !keys.includes(k)));
}

/** obj without its server-set fields, its status and the kind-specific fields a member cluster must set itself. */
export function removeIrrelevantFields(obj: Obj): Obj {
  // The status is left out before the copy, not after: a member object's is often the larger part.
  const { status: _status, ...rest } = obj;
  const out = cloneJSON(rest);
  for (const field of SERVER_METADATA) delete out.metadata?.[field];
  switch (out.kind) {
    case 'Service':
      // A headless Service ("None") keeps it; any other cluster IP was allocated by this apiserver.
      if (out.spec?.clusterIP !== undefined && out.spec.clusterIP !== 'None') {
        delete out.spec.clusterIP;
        delete out.spec.clusterIPs;
      }
      break;
    case 'Job':
      delete out.spec?.ttlSecondsAfterFinished;
      if (out.spec && out.spec.manualSelector !== true) {
        if (out.spec.selector?.matchLabels) out.spec.selector.matchLabels = withoutKeys(out.spec.selector.matchLabels, JOB_GENERATED_SELECTOR_LABELS);
        const template = out.spec.template?.metadata;
        if (template?.labels) template.labels = withoutKeys(template.labels, JOB_GENERATED_TEMPLATE_LABELS);
      }
      break;
    case 'ServiceAccount': {
      // The token Secrets of older clusters, named NAME-token-xxxxx, belong to this control plane.
      const prefix = `${out.metadata?.name}-token-`;
      if (Array.isArray(out.secrets)) out.secrets = out.secrets.filter((s: Obj) => !String(s?.name ?? '').startsWith(prefix));
      break;
    }
  }
  return out;
}

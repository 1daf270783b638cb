// Karmada's admission webhooks (karmada-webhook) as one in-process plugin: the mutating part defaults the policies
// and clusters and gives new bindings their permanent id, the validating part rejects what Karmada rejects, as a 422
// with a cause per field.
import { randomUUID } from 'node:crypto';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission/chain.js';
import { badRequest, invalid, type FieldError } from '../errors.js';
import { defaultBinding, defaultCluster, defaultOverridePolicy, defaultPropagationPolicy, PERMANENT_ID_LABEL, POLICY_NAME_MAX_LENGTH } from './defaults.js';
import { validateCluster, validateOverrideSpec, validatePropagationSpec } from './validation.js';

type Obj = Record<string, any>;

export interface FederationAdmissionOptions {
  /** Clock for the timeAdded of cluster taints (tests pin it). */
  now?: () => Date;
  /** Source of the policies' permanent ids (tests pin it). */
  newID?: () => string;
}

const POLICY = 'policy.karmada.io';
const CLUSTER = 'cluster.karmada.io';
const WORK = 'work.karmada.io';

/** The object of a create or update of a federation kind's main resource, with its kind; else undefined. */
function target(a: AdmissionAttributes): { kind: string; obj: Obj } | undefined {
  if (!a.object || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return undefined;
  if (a.resource.group !== POLICY && a.resource.group !== CLUSTER && a.resource.group !== WORK) return undefined;
  return { kind: a.resource.kind, obj: a.object };
}

export function federationAdmission(opts: FederationAdmissionOptions = {}): AdmissionPlugin {
  const now = opts.now ?? (() => new Date());
  const newID = opts.newID ?? randomUUID;
  return {
    name: 'KarmadaWebhook',
    admit(a) {
      const t = target(a);
      if (!t) return;
      const { kind, obj } = t;
      obj.metadata ??= {};
      switch (kind) {
        case 'PropagationPolicy':
        case 'ClusterPropagationPolicy':
          if (String(obj.metadata.name ?? a.name).length > POLICY_NAME_MAX_LENGTH)
            throw badRequest(`${kind}'s name should be no more than ${POLICY_NAME_MAX_LENGTH} characters`);
          defaultPropagationPolicy(obj, kind, kind === 'PropagationPolicy' ? a.namespace : undefined, newID);
          return;
        case 'OverridePolicy':
          if (a.namespace) defaultOverridePolicy(obj, a.namespace);
          return;
        case 'Cluster':
          defaultCluster(obj, now);
          return;
        case 'ResourceBinding':
        case 'ClusterResourceBinding':
          if (a.operation === 'CREATE') defaultBinding(obj, kind, newID);
      }
    },
    validate(a) {
      const t = target(a);
      if (!t) return;
      const errs = validationErrors(t.kind, t.obj, a.operation === 'UPDATE' ? a.oldObject : undefined);
      if (errs.length) throw invalid({ group: a.resource.group, kind: t.kind }, t.obj.metadata?.name ?? a.name, errs);
    },
  };
}

function validationErrors(kind: string, obj: Obj, old: Obj | undefined): FieldError[] {
  switch (kind) {
    case 'PropagationPolicy':
    case 'ClusterPropagationPolicy':
      return [...validatePolicyUpdate(kind, obj, old), ...validatePropagationSpec(obj.spec ?? {})];
    case 'OverridePolicy':
    case 'ClusterOverridePolicy':
      return validateOverrideSpec(obj.spec ?? {});
    case 'Cluster':
      return validateCluster(obj);
    default:
      return [];
  }
}

/** The propagation policies' validateUpdate and permanent-id check, with Karmada's texts. */
function validatePolicyUpdate(kind: keyof typeof PERMANENT_ID_LABEL, obj: Obj, old: Obj | undefined): FieldError[] {
  const label = PERMANENT_ID_LABEL[kind];
  const field = `metadata.labels[${label}]`;
  const id = obj.metadata?.labels?.[label];
  if (!old)
    return id ? [] : [{ type: 'FieldValueRequired', field, detail: `label ${label} is required, it should be set by the mutating admission webhook during creation` }];
  const errs: FieldError[] = [];
  if ((obj.spec?.schedulerName ?? '') !== (old.spec?.schedulerName ?? ''))
    errs.push({ type: 'FieldValueForbidden', field: 'spec.schedulerName', detail: 'the schedulerName should not be updated' });
  if (id !== old.metadata?.labels?.[label])
    errs.push({ type: 'FieldValueForbidden', field, detail: `label ${label} is immutable, it can only be set by the system during creation` });
  return errs;
}

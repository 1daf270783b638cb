// What of a member object's status goes into its Work (Karmada's native ReflectStatus): a per-kind selection of the
// status fields, in the shape the Go status type serializes to. Deployments, StatefulSets, DaemonSets and
// ReplicaSets also carry their member generation and the resource template generation they were applied from,
// which the status aggregation needs to tell whether every member has caught up with the template. Kinds without a
// reflector have their whole status reflected.
import { TEMPLATE_GENERATION_ANNOTATION } from '../binding/names.js';
import { InterpretError, counters, gvk, isObj, type Obj } from './fields.js';

/** FederatedGeneration: the member object's generation and the template generation it was rendered from. */
function federatedGeneration(obj: Obj): Obj {
  const text = obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? '';
  if (text !== '' && !/^-?\d+$/.test(text)) throw new InterpretError(`invalid ${TEMPLATE_GENERATION_ANNOTATION} annotation "${text}"`);
  return counters({ generation: obj.metadata?.generation, resourceTemplateGeneration: text === '' ? 0 : Number(text) }, [], ['generation', 'resourceTemplateGeneration']);
}

/** A status grabbed as counters; undefined when it serializes to {} (no status collected yet). */
function grabbed(status: Obj): Obj | undefined {
  return Object.keys(status).length > 0 ? status : undefined;
}

type Reflector = (obj: Obj, status: Obj) => Obj | undefined;

const REFLECTORS: Record<string, Reflector> = {
  'apps/v1/Deployment': (obj, s) =>
    grabbed({
      ...federatedGeneration(obj),
      ...counters(s, [], ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']),
    }),
  'apps/v1/StatefulSet': (obj, s) => ({
    ...federatedGeneration(obj),
    ...counters(s, ['replicas', 'availableReplicas'], ['observedGeneration', 'readyReplicas', 'currentReplicas', 'updatedReplicas']),
  }),
  'apps/v1/DaemonSet': (obj, s) => ({
    ...federatedGeneration(obj),
    ...counters(
      s,
      ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
      ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'],
    ),
  }),
  // Not in Karmada, which reflects a ReplicaSet's whole status: the generations make its aggregation possible.
  'apps/v1/ReplicaSet': (obj, s) => ({
    ...federatedGeneration(obj),
    ...counters(s, ['replicas'], ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']),
  }),
  'batch/v1/Job': (_obj, s) => {
    const out = counters(s, [], ['active', 'succeeded', 'failed']);
    if (Array.isArray(s.conditions) && s.conditions.length > 0) out.conditions = s.conditions;
    if (s.startTime) out.startTime = s.startTime;
    if (s.completionTime) out.completionTime = s.completionTime;
    return out;
  },
  // Only a LoadBalancer Service has a status worth collecting: its ingress points.
  'v1/Service': (obj, s) => (obj.spec?.type === 'LoadBalancer' ? { loadBalancer: isObj(s.loadBalancer) ? s.loadBalancer : {} } : undefined),
  'policy/v1/PodDisruptionBudget': (_obj, s) => {
    const out = counters(s, ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']);
    if (isObj(s.disruptedPods) && Object.keys(s.disruptedPods).length > 0) out.disruptedPods = s.disruptedPods;
    return out;
  },
  'autoscaling/v2/HorizontalPodAutoscaler': (_obj, s) => ({ ...counters(s, ['desiredReplicas'], ['currentReplicas']) }),
};

/**
 * The status to record in the Work for obj as observed in its member cluster, or undefined when there is none yet.
 * Throws InterpretError when the status does not have its kind's shape.
 */
export function reflectStatus(obj: Obj): Obj | undefined {
  const status = obj.status;
  if (!isObj(status)) return undefined;
  const reflect = REFLECTORS[gvk(obj)];
  return reflect ? reflect(obj, status) : status;
}

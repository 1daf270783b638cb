// Whether a member object is healthy (Karmada's native InterpretHealth). Kinds without a rule are Healthy, as
// Karmada treats kinds it has no health hook for; an object that does not have its kind's shape is Unknown.
import { InterpretError, counters, gvk, hasCondition, int, isObj, type Obj } from './fields.js';

export type Health = 'Healthy' | 'Unhealthy' | 'Unknown';

/** A workload's controller has seen its latest spec. */
function observedLatest(obj: Obj): boolean {
  return int(obj.status?.observedGeneration, 'status.observedGeneration') === int(obj.metadata?.generation, 'metadata.generation');
}

/** spec.replicas, or undefined when unset (no bound on the updated count then, as Karmada's nil check). */
function specReplicas(obj: Obj): number | undefined {
  return obj.spec?.replicas === undefined || obj.spec?.replicas === null ? undefined : int(obj.spec.replicas, 'spec.replicas');
}

/** Any load-balancer ingress point with an address. */
function hasIngress(loadBalancer: unknown): boolean {
  const ingress = isObj(loadBalancer) && Array.isArray(loadBalancer.ingress) ? loadBalancer.ingress : [];
  return ingress.some((i: Obj) => Boolean(i?.hostname) || Boolean(i?.ip));
}

/** Deployments and StatefulSets: rolled out to every replica, and all updated replicas available. */
function rolledOut(obj: Obj): boolean {
  const s = counters(obj.status, ['updatedReplicas', 'availableReplicas']);
  const want = specReplicas(obj);
  return observedLatest(obj) && (want === undefined || s.updatedReplicas >= want) && s.availableReplicas >= s.updatedReplicas;
}

const RULES: Record<string, (obj: Obj) => boolean> = {
  'apps/v1/Deployment': rolledOut,
  'apps/v1/StatefulSet': rolledOut,
  'apps/v1/ReplicaSet': (obj) => {
    const want = specReplicas(obj);
    return observedLatest(obj) && (want === undefined || int(obj.status?.availableReplicas, 'status.availableReplicas') >= want);
  },
  'apps/v1/DaemonSet': (obj) => {
    const s = counters(obj.status, ['desiredNumberScheduled', 'updatedNumberScheduled', 'numberAvailable']);
    return observedLatest(obj) && s.updatedNumberScheduled >= s.desiredNumberScheduled && s.numberAvailable >= s.updatedNumberScheduled;
  },
  'v1/Service': (obj) => obj.spec?.type !== 'LoadBalancer' || hasIngress(obj.status?.loadBalancer),
  'networking.k8s.io/v1/Ingress': (obj) => hasIngress(obj.status?.loadBalancer),
  'v1/PersistentVolumeClaim': (obj) => obj.status?.phase === 'Bound',
  'v1/Pod': (obj) => obj.status?.phase === 'Succeeded' || (obj.status?.phase === 'Running' && hasCondition(obj.status, 'Ready')),
  'policy/v1/PodDisruptionBudget': (obj) => {
    const s = counters(obj.status, ['currentHealthy', 'desiredHealthy']);
    return s.currentHealthy >= s.desiredHealthy;
  },
};

export function interpretHealth(obj: Obj): Health {
  const rule = RULES[gvk(obj)];
  if (!rule) return 'Healthy';
  try {
    return rule(obj) ? 'Healthy' : 'Unhealthy';
  } catch (err) {
    if (err instanceof InterpretError) return 'Unknown';
    throw err;
  }
}

// A resource template's status from the statuses its member clusters report (Karmada's native AggregateStatus):
// replica counts are summed, load-balancer ingress points collected (named after their cluster when they have no
// hostname), a Job's outcome decided across members. observedGeneration follows Karmada's rule: it becomes the
// template's generation only once every member runs the latest template and its own controller has observed it;
// until then it keeps its previous value.
import type { AggregatedStatusItem } from '../../openapi/karmada/types.js';
import { metaTime } from '../cluster/condition.js';
import { counters, gvk, int, isObj, type Obj } from './fields.js';

export type { AggregatedStatusItem };

type Aggregator = (template: Obj, items: readonly AggregatedStatusItem[], now: () => string) => Obj | undefined;

/** The collected statuses (members without one yet are skipped; they still count against observedGeneration). */
function memberStatuses(items: readonly AggregatedStatusItem[]): { cluster: string; status: Obj }[] {
  return items.flatMap((i) => (isObj(i.status) ? [{ cluster: i.clusterName, status: i.status }] : []));
}

/** old with the listed fields replaced by next's (a field next leaves out is removed, as Go's omitempty drops it). */
function replaced(old: Obj | undefined, fields: readonly string[], next: Obj): Obj {
  const out: Obj = { ...old };
  for (const f of fields) delete out[f];
  return { ...out, ...next };
}

/** Workloads whose counters are summed: those always serialized, and those left out when 0. */
function replicatedWorkload(always: readonly string[], omitempty: readonly string[]): Aggregator {
  return (template, items) => {
    const generation = int(template.metadata?.generation, 'metadata.generation');
    const sums: Obj = Object.fromEntries([...always, ...omitempty].map((f) => [f, 0]));
    let caughtUp = 0;
    for (const { status } of memberStatuses(items)) {
      for (const f of Object.keys(sums)) sums[f] += int(status[f], f);
      const own = int(status.generation, 'generation') === int(status.observedGeneration, 'observedGeneration');
      if (own && int(status.resourceTemplateGeneration, 'resourceTemplateGeneration') === generation) caughtUp++;
    }
    const observedGeneration = caughtUp === items.length ? generation : int(template.status?.observedGeneration, 'status.observedGeneration');
    return replaced(template.status, [...always, ...omitempty, 'observedGeneration'], counters({ ...sums, observedGeneration }, always, [...omitempty, 'observedGeneration']));
  };
}

/** The load-balancer ingress points of every member, named after their cluster when they have no hostname. */
function ingressPoints(items: readonly AggregatedStatusItem[]): Obj {
  const ingress = memberStatuses(items).flatMap(({ cluster, status }) => {
    const points = Array.isArray(status.loadBalancer?.ingress) ? status.loadBalancer.ingress : [];
    return points.map((p: Obj) => (p.hostname ? p : { ...p, hostname: cluster }));
  });
  return { loadBalancer: ingress.length > 0 ? { ingress } : {} };
}

/** A Job's Complete or Failed condition, if it has ended. */
function jobEnd(status: Obj | undefined): 'Complete' | 'Failed' | undefined {
  const end = (Array.isArray(status?.conditions) ? status.conditions : []).find((c: Obj) => (c?.type === 'Complete' || c?.type === 'Failed') && c?.status === 'True');
  return end?.type;
}

/** The earlier (or later) of two RFC 3339 times, either possibly absent. */
function earliest(a: string | undefined, b: string | undefined): string | undefined {
  return !a || (b && Date.parse(b) < Date.parse(a)) ? b : a;
}
function latest(a: string | undefined, b: string | undefined): string | undefined {
  return !a || (b && Date.parse(b) > Date.parse(a)) ? b : a;
}

/**
 * ParsingJobStatus: counts summed, Failed when any member failed, Complete when all completed, the earliest start
 * and (once all completed) the latest completion. Either condition ends the Job, whose status is then final.
 */
const aggregateJob: Aggregator = (template, items, now) => {
  if (jobEnd(template.status)) return undefined;
  const sums = { active: 0, succeeded: 0, failed: 0 };
  const failedIn: string[] = [];
  let completed = 0;
  let withCompletionTime = 0;
  let startTime: string | undefined;
  let completionTime: string | undefined;
  for (const { cluster, status } of memberStatuses(items)) {
    for (const f of ['active', 'succeeded', 'failed'] as const) sums[f] += int(status[f], f);
    const end = jobEnd(status);
    if (end === 'Complete') completed++;
    else if (end === 'Failed') failedIn.push(cluster);
    startTime = earliest(startTime, status.startTime);
    if (status.completionTime) {
      withCompletionTime++;
      completionTime = latest(completionTime, status.completionTime);
    }
  }
  const condition = (type: string, reason: string, message: string): Obj => ({ type, status: 'True', lastProbeTime: now(), lastTransitionTime: now(), reason, message });
  const conditions: Obj[] = [];
  if (failedIn.length > 0) conditions.push(condition('Failed', 'JobFailed', `Job executed failed in member clusters ${failedIn.join(',')}`));
  // No status collected yet is not completion.
  if (completed === items.length && completed > 0) conditions.push(condition('Complete', 'Completed', 'Job completed'));
  return {
    ...counters(sums, [], ['active', 'succeeded', 'failed']),
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime && withCompletionTime === items.length ? { completionTime } : {}),
  };
};

const aggregateCronJob: Aggregator = (template, items) => {
  let lastScheduleTime: string | undefined;
  let lastSuccessfulTime: string | undefined;
  const active: Obj[] = [];
  for (const { status } of memberStatuses(items)) {
    if (Array.isArray(status.active)) active.push(...status.active);
    lastScheduleTime = latest(lastScheduleTime, status.lastScheduleTime);
    lastSuccessfulTime = latest(lastSuccessfulTime, status.lastSuccessfulTime);
  }
  return replaced(template.status, ['active', 'lastScheduleTime', 'lastSuccessfulTime'], {
    ...(active.length > 0 ? { active } : {}),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
  });
};

const aggregatePodDisruptionBudget: Aggregator = (_template, items) => {
  const sums = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  const disruptedPods: Obj = {};
  for (const { cluster, status } of memberStatuses(items)) {
    for (const f of Object.keys(sums) as (keyof typeof sums)[]) sums[f] += int(status[f], f);
    for (const [pod, time] of Object.entries(isObj(status.disruptedPods) ? status.disruptedPods : {})) disruptedPods[`${cluster}/${pod}`] = time;
  }
  return { ...sums, ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods } : {}) };
};

/** Bound while every member's claim is; Lost as soon as one is; otherwise the phase of the last one that is not Bound. */
const aggregatePersistentVolumeClaim: Aggregator = (_template, items) => {
  let phase = 'Bound';
  for (const { status } of memberStatuses(items)) {
    if (status.phase === 'Lost') {
      phase = 'Lost';
      break;
    }
    if (status.phase !== 'Bound') phase = status.phase ?? '';
  }
  return phase ? { phase } : {};
};

const AGGREGATORS: Record<string, Aggregator> = {
  'apps/v1/Deployment': replicatedWorkload([], ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']),
  'apps/v1/StatefulSet': replicatedWorkload(['replicas', 'availableReplicas'], ['readyReplicas', 'currentReplicas', 'updatedReplicas']),
  'apps/v1/DaemonSet': replicatedWorkload(
    ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'],
  ),
  // Not in Karmada; summed as the other replicated workloads.
  'apps/v1/ReplicaSet': replicatedWorkload(['replicas'], ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']),
  'batch/v1/Job': aggregateJob,
  'batch/v1/CronJob': aggregateCronJob,
  'v1/Service': (template, items) => (template.spec?.type === 'LoadBalancer' ? ingressPoints(items) : undefined),
  'networking.k8s.io/v1/Ingress': (_template, items) => ingressPoints(items),
  'policy/v1/PodDisruptionBudget': aggregatePodDisruptionBudget,
  'v1/PersistentVolumeClaim': aggregatePersistentVolumeClaim,
};

/** Whether the template's kind has a status aggregation at all. */
export function aggregatesStatus(template: { apiVersion?: string; kind?: string }): boolean {
  return gvk(template) in AGGREGATORS;
}

/**
 * The status template should have given its members' statuses, or undefined when it is to be left as it is (a kind
 * without aggregation, a Service that is not a LoadBalancer, a Job that has ended). Throws InterpretError when a
 * member status does not have its kind's shape.
 */
export function aggregateStatus(template: Obj, items: readonly AggregatedStatusItem[], now: () => string = metaTime): Obj | undefined {
  return AGGREGATORS[gvk(template)]?.(template, items, now);
}

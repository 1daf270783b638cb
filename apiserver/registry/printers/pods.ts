// printPod: READY, STATUS and RESTARTS as kubectl shows them, derived from init and app container statuses.
import type { KObject } from '../../../storage/store.js';
import { humanDuration, parseTimestamp } from '../duration.js';
import type { TableColumn } from '../types.js';
import { ageColumn, column, int, list, nameColumn, orNone, record, str } from './columns.js';

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: string;
}

const isRestartableInit = (c: any): boolean => c?.restartPolicy === 'Always';

function latest(current: number | undefined, candidate: unknown): number | undefined {
  const t = parseTimestamp(candidate);
  return t !== undefined && (current === undefined || t > current) ? t : current;
}

function terminatedReason(terminated: any, prefix: string): string {
  if (str(terminated.reason)) return prefix + terminated.reason;
  return int(terminated.signal) !== 0 ? `${prefix}Signal:${int(terminated.signal)}` : `${prefix}ExitCode:${int(terminated.exitCode)}`;
}

const conditionTrue = (conditions: unknown, type: string): boolean => list(conditions).some((c) => c?.type === type && c?.status === 'True');

// printPod: READY, STATUS and RESTARTS are one computation over init and app container statuses.
function podSummary(pod: KObject, now = Date.now()): PodSummary {
  const spec = record(pod.spec);
  const status = record(pod.status);
  const initContainers = new Map(list(spec.initContainers).map((c) => [str(c?.name), c]));
  const total = list(spec.containers).length + list(spec.initContainers).filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let restartableRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableRestart: number | undefined;
  let reason = str(status.reason) || str(status.phase);
  if (list(status.conditions).some((c) => c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = record(initStatuses[i]);
    const state = record(cs.state);
    const finishedAt = cs.lastState?.terminated?.finishedAt;
    restarts += int(cs.restartCount);
    lastRestart = latest(lastRestart, finishedAt);
    const restartable = isRestartableInit(initContainers.get(str(cs.name)));
    if (restartable) {
      restartableRestarts += int(cs.restartCount);
      lastRestartableRestart = latest(lastRestartableRestart, finishedAt);
    }
    if (state.terminated && int(state.terminated.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (state.terminated) reason = terminatedReason(state.terminated, 'Init:');
    else if (str(state.waiting?.reason) && state.waiting.reason !== 'PodInitializing') reason = `Init:${state.waiting.reason}`;
    else reason = `Init:${i}/${list(spec.initContainers).length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = record(statuses[i]);
      const state = record(cs.state);
      restarts += int(cs.restartCount);
      lastRestart = latest(lastRestart, cs.lastState?.terminated?.finishedAt);
      if (str(state.waiting?.reason)) reason = state.waiting.reason;
      else if (state.terminated) reason = terminatedReason(state.terminated, '');
      else if (cs.ready === true && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  const restartText = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready, total, reason, restarts: restartText };
}

/** The pod's first IP, as kube's printer and field selector read it (status.podIPs[0], else status.podIP). */
export const podIP = (pod: KObject): string => str(pod.status?.podIPs?.[0]?.ip) || str(pod.status?.podIP);

function readinessGates(pod: KObject): string {
  const gates = list(pod.spec?.readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = list(pod.status?.conditions);
  const passing = gates.filter((g) => conditions.find((c) => c?.type === g?.conditionType)?.status === 'True').length;
  return `${passing}/${gates.length}`;
}

export const podColumns: TableColumn[] = [
  nameColumn(),
  column('Ready', 'string', (o) => {
    const s = podSummary(o);
    return `${s.ready}/${s.total}`;
  }),
  column('Status', 'string', (o) => podSummary(o).reason),
  column('Restarts', 'string', (o) => podSummary(o).restarts),
  ageColumn,
  column('IP', 'string', (o) => orNone(podIP(o)), 1),
  column('Node', 'string', (o) => orNone(str(o.spec?.nodeName)), 1),
  column('Nominated Node', 'string', (o) => orNone(str(o.status?.nominatedNodeName)), 1),
  column('Readiness Gates', 'string', readinessGates, 1),
];

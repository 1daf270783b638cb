// What kube's workload controllers write into the status of each simulated kind, as pure functions of the object and
// of how many of its pods the member can run. Field presence follows the Go types: `omitempty` counters are left
// out when zero, the others are always written.
import type { KObject } from '../../storage/store.js';

/** Pods the workload wants, and how many of those the member's capacity lets become ready. */
export interface Progress {
  desired: number;
  ready: number;
}

export interface WorkloadKind {
  group: string;
  kind: string;
  plural: string;
  /** Pods the object asks for (on these Nodes). */
  desiredPods(obj: KObject, nodes: KObject[]): number;
  /** Pods its stored status reports ready. */
  readyPods(obj: KObject): number;
  /** The status right after a spec change is seen: the generation is observed, the counts are still the old ones. */
  rolling(obj: KObject, p: Progress, now: string): KObject['status'];
  /** The status once the change has had its time. */
  settled(obj: KObject, p: Progress, now: string): KObject['status'];
}

type Status = Record<string, any>;

function dropZero(status: Status, ...omitempty: string[]): Status {
  for (const f of omitempty) if (status[f] === 0 || status[f] === undefined) delete status[f];
  return status;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const replicas = (obj: KObject): number => (typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1);

/**
 * Conditions as written now, keeping the stored timestamps where kube would: lastTransitionTime while the status is
 * unchanged, and the other times too while reason and message are unchanged. This keeps a re-derived status equal to
 * the stored one, so that it is not rewritten.
 */
export function keepConditionTimes(next: Status[] | undefined, prev: Status[] | undefined): Status[] | undefined {
  return next?.map((c) => {
    const old = prev?.find((o) => o.type === c.type);
    if (!old || old.status !== c.status) return c;
    if (old.reason !== c.reason || old.message !== c.message) return { ...c, lastTransitionTime: old.lastTransitionTime };
    const kept = { ...c };
    for (const f of Object.keys(c)) if (f.endsWith('Time') && old[f] !== undefined) kept[f] = old[f];
    return kept;
  });
}

/**
 * JSON text with every object's keys in sorted order. Integer-like keys come first, in numeric order, as a JavaScript
 * object enumerates them (this is the text the hash has always been taken of; stored statuses name it).
 */
function sortedJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : sortedJSON(x))).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let first = 0;
  while (first < keys.length && isIndex(keys[first])) first++;
  const ordered = first ? [...keys.slice(0, first), ...keys.slice(first).sort()] : keys.sort();
  const members: string[] = [];
  for (const k of ordered) if (o[k] !== undefined) members.push(`${JSON.stringify(k)}:${sortedJSON(o[k])}`);
  return `{${members.join(',')}}`;
}

/** Whether JavaScript enumerates key as an array index: before other keys, in numeric order. */
function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The pod-template hash kube puts in ReplicaSet and ControllerRevision names: an FNV-32a of the template (here of
 * its canonical JSON, where kube hashes Go's printout) written in decimal and passed through rand.SafeEncodeString.
 */
export function templateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(sortedJSON(template) + (collisionCount ? String(collisionCount) : ''));
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return [...String(h)].map((ch) => SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

// --- Deployment (pkg/controller/deployment) ---

/** spec.strategy's maxUnavailable against `desired` pods, percentages rounded down; Recreate tolerates none. */
function maxUnavailable(obj: KObject, desired: number): number {
  if (obj.spec?.strategy?.type === 'Recreate') return 0;
  const v = obj.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  const n = typeof v === 'string' && v.endsWith('%') ? Math.floor((Number.parseInt(v, 10) * desired) / 100) : Number(v);
  return Math.min(Number.isFinite(n) ? n : 0, desired);
}

function deploymentConditions(obj: KObject, available: number, done: boolean, now: string): Status[] {
  const desired = replicas(obj);
  const rs = `${obj.metadata?.name}-${templateHash(obj.spec?.template, obj.status?.collisionCount)}`;
  const condition = (type: string, status: string, reason: string, message: string) =>
    ({ type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message });
  return [
    available >= desired - maxUnavailable(obj, desired)
      ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    done
      ? condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`)
      : condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`),
  ];
}

const COUNTERS = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'];

const deployment: WorkloadKind = {
  group: 'apps',
  kind: 'Deployment',
  plural: 'deployments',
  desiredPods: replicas,
  readyPods: (obj) => count(obj.status?.readyReplicas),
  rolling(obj, _p, now) {
    const prev: Status = obj.status ?? {};
    if (prev.observedGeneration === obj.metadata?.generation) return prev;
    const conditions = deploymentConditions(obj, count(prev.availableReplicas), false, now);
    return dropZero({ ...prev, observedGeneration: obj.metadata?.generation, conditions }, ...COUNTERS);
  },
  settled(obj, p, now) {
    const status = {
      observedGeneration: obj.metadata?.generation,
      replicas: p.desired,
      updatedReplicas: p.desired,
      readyReplicas: p.ready,
      availableReplicas: p.ready,
      unavailableReplicas: p.desired - p.ready,
      conditions: deploymentConditions(obj, p.ready, p.ready === p.desired, now),
      collisionCount: obj.status?.collisionCount,
    };
    return dropZero(status, ...COUNTERS, 'collisionCount');
  },
};

// --- ReplicaSet (pkg/controller/replicaset) ---

const replicaSet: WorkloadKind = {
  group: 'apps',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  desiredPods: replicas,
  readyPods: (obj) => count(obj.status?.readyReplicas),
  rolling(obj) {
    const prev: Status = obj.status ?? {};
    return { ...prev, replicas: count(prev.replicas), observedGeneration: obj.metadata?.generation };
  },
  settled(obj, p) {
    const status = {
      replicas: p.desired,
      fullyLabeledReplicas: p.desired,
      readyReplicas: p.ready,
      availableReplicas: p.ready,
      observedGeneration: obj.metadata?.generation,
    };
    return dropZero(status, 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas');
  },
};

// --- StatefulSet (pkg/controller/statefulset) ---

const revision = (obj: KObject): string => `${obj.metadata?.name}-${templateHash(obj.spec?.template, obj.status?.collisionCount)}`;

const statefulSet: WorkloadKind = {
  group: 'apps',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  desiredPods: replicas,
  readyPods: (obj) => count(obj.status?.readyReplicas),
  rolling(obj) {
    const prev: Status = obj.status ?? {};
    const updateRevision = revision(obj);
    return {
      ...prev,
      observedGeneration: obj.metadata?.generation,
      replicas: count(prev.replicas),
      availableReplicas: count(prev.availableReplicas),
      currentRevision: prev.currentRevision ?? updateRevision,
      updateRevision,
      collisionCount: count(prev.collisionCount),
    };
  },
  settled(obj, p) {
    // OrderedReady (the default) creates pod N+1 only once pod N is ready: at most one pod waits for room.
    const pods = obj.spec?.podManagementPolicy === 'Parallel' ? p.desired : Math.min(p.desired, p.ready + 1);
    const rev = revision(obj);
    const status = {
      observedGeneration: obj.metadata?.generation,
      replicas: pods,
      readyReplicas: p.ready,
      currentReplicas: pods,
      updatedReplicas: pods,
      availableReplicas: p.ready,
      currentRevision: rev,
      updateRevision: rev,
      collisionCount: count(obj.status?.collisionCount),
    };
    return dropZero(status, 'readyReplicas', 'currentReplicas', 'updatedReplicas');
  },
};

// --- DaemonSet (pkg/controller/daemon): one pod per Node the pod template's nodeSelector admits ---

function nodeMatches(node: KObject, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => node.metadata?.labels?.[k] === v);
}

const daemonSet: WorkloadKind = {
  group: 'apps',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  desiredPods: (obj, nodes) => nodes.filter((n) => nodeMatches(n, obj.spec?.template?.spec?.nodeSelector)).length,
  readyPods: (obj) => count(obj.status?.numberReady),
  rolling(obj) {
    const prev: Status = obj.status ?? {};
    return {
      currentNumberScheduled: 0,
      desiredNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
      ...prev,
      observedGeneration: obj.metadata?.generation,
    };
  },
  settled(obj, p) {
    const status = {
      currentNumberScheduled: p.desired,
      desiredNumberScheduled: p.desired,
      numberMisscheduled: 0,
      numberReady: p.ready,
      numberAvailable: p.ready,
      numberUnavailable: p.desired - p.ready,
      updatedNumberScheduled: p.desired,
      observedGeneration: obj.metadata?.generation,
    };
    return dropZero(status, 'numberAvailable', 'numberUnavailable', 'updatedNumberScheduled');
  },
};

// --- Job (pkg/controller/job). JobStatus has no observedGeneration; a Job runs once and its end is final. ---

const completions = (obj: KObject): number => (typeof obj.spec?.completions === 'number' ? obj.spec.completions : 1);
const finished = (obj: KObject): boolean =>
  (obj.status?.conditions ?? []).some((c: Status) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
// A suspended Job is left as it is: the simulator neither starts nor finishes it.
const untouched = (obj: KObject): boolean => obj.spec?.suspend === true || finished(obj);

const job: WorkloadKind = {
  group: 'batch',
  kind: 'Job',
  plural: 'jobs',
  desiredPods: (obj) => (untouched(obj) ? 0 : Math.min(typeof obj.spec?.parallelism === 'number' ? obj.spec.parallelism : 1, completions(obj))),
  // Running Jobs report no ready pods here, so they hold no room across a restart; they end soon anyway.
  readyPods: () => 0,
  rolling(obj, p, now) {
    if (untouched(obj) || obj.status?.startTime) return obj.status;
    // Pods waiting for room are active too (pending), as in kube.
    return { startTime: now, active: p.desired, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
  },
  settled(obj, p, now) {
    // Without room for a single pod the Job stays started, with its pods pending.
    if (untouched(obj) || p.ready === 0) return job.rolling(obj, p, now);
    const reached = (type: string) => ({
      type,
      status: 'True',
      lastProbeTime: now,
      lastTransitionTime: now,
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
    });
    return {
      conditions: [reached('SuccessCriteriaMet'), reached('Complete')],
      startTime: obj.status?.startTime ?? now,
      completionTime: now,
      succeeded: completions(obj),
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
  },
};

export const WORKLOAD_KINDS: WorkloadKind[] = [deployment, replicaSet, statefulSet, daemonSet, job];

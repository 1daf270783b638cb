// Defaulting of built-in kinds (kube's SetDefaults_* functions for the fields clients see most), as a mutating
// admission plugin. Go treats a zero value as unset, and so does this: "" or a missing field gets the default.
import type { KObject } from '../../storage/store.js';
import type { AdmissionPlugin } from './chain.js';

type Obj = Record<string, any>;

function setDefault(obj: Obj, field: string, value: unknown): void {
  if (obj[field] === undefined || obj[field] === '' || obj[field] === null) obj[field] = value;
}

function imagePullPolicy(image: unknown): string {
  const ref = typeof image === 'string' ? image : '';
  if (ref.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', imagePullPolicy(c.image));
  if (c.resources === undefined) c.resources = {};
  for (const p of c.ports ?? []) setDefault(p, 'protocol', 'TCP');
}

export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  if (spec.securityContext === undefined) spec.securityContext = {};
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) defaultContainer(c);
}

function podTemplate(obj: Obj): Obj | undefined {
  return obj.spec?.template?.spec;
}

function revisionHistory(spec: Obj): void {
  setDefault(spec, 'revisionHistoryLimit', 10);
}

const DEFAULTERS: Record<string, (obj: Obj) => void> = {
  '/Pod': (pod) => pod.spec && defaultPodSpec(pod.spec),
  '/Secret': (secret) => setDefault(secret, 'type', 'Opaque'),
  '/Service': (svc) => {
    const spec = (svc.spec ??= {});
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    if (spec.type !== 'ExternalName') {
      setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      setDefault(spec, 'ipFamilies', ['IPv4']);
    }
    for (const p of spec.ports ?? []) {
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p.port);
    }
  },
  'apps/Deployment': (d) => {
    const spec = (d.spec ??= {});
    setDefault(spec, 'replicas', 1);
    revisionHistory(spec);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    const strategy = (spec.strategy ??= {});
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = (strategy.rollingUpdate ??= {});
      setDefault(ru, 'maxUnavailable', '25%');
      setDefault(ru, 'maxSurge', '25%');
    }
    const pod = podTemplate(d);
    if (pod) defaultPodSpec(pod);
  },
  'apps/StatefulSet': (s) => {
    const spec = (s.spec ??= {});
    setDefault(spec, 'replicas', 1);
    revisionHistory(spec);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    const strategy = (spec.updateStrategy ??= {});
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') setDefault((strategy.rollingUpdate ??= {}), 'partition', 0);
    const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
    const pod = podTemplate(s);
    if (pod) defaultPodSpec(pod);
  },
  'apps/DaemonSet': (ds) => {
    const spec = (ds.spec ??= {});
    revisionHistory(spec);
    const strategy = (spec.updateStrategy ??= {});
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = (strategy.rollingUpdate ??= {});
      setDefault(ru, 'maxUnavailable', 1);
      setDefault(ru, 'maxSurge', 0);
    }
    const pod = podTemplate(ds);
    if (pod) defaultPodSpec(pod);
  },
  'apps/ReplicaSet': (rs) => {
    setDefault((rs.spec ??= {}), 'replicas', 1);
    const pod = podTemplate(rs);
    if (pod) defaultPodSpec(pod);
  },
  'batch/Job': (job) => {
    const spec = (job.spec ??= {});
    setDefault(spec, 'completions', 1);
    setDefault(spec, 'parallelism', 1);
    setDefault(spec, 'backoffLimit', 6);
    setDefault(spec, 'completionMode', 'NonIndexed');
    setDefault(spec, 'suspend', false);
    const pod = podTemplate(job);
    if (pod) defaultPodSpec(pod);
  },
  'batch/CronJob': (cj) => {
    const spec = (cj.spec ??= {});
    setDefault(spec, 'concurrencyPolicy', 'Allow');
    setDefault(spec, 'suspend', false);
    setDefault(spec, 'successfulJobsHistoryLimit', 3);
    setDefault(spec, 'failedJobsHistoryLimit', 1);
    const jobSpec = spec.jobTemplate?.spec;
    if (jobSpec) {
      setDefault(jobSpec, 'backoffLimit', 6);
      setDefault(jobSpec, 'completionMode', 'NonIndexed');
      setDefault(jobSpec, 'suspend', false);
      if (jobSpec.template?.spec) defaultPodSpec(jobSpec.template.spec);
    }
  },
};

/** The defaulting admission plugin: runs on the object of every create and update of the main resource. */
export function defaulting(): AdmissionPlugin {
  return {
    name: 'Defaulting',
    admit(a) {
      if (!a.object || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      DEFAULTERS[`${a.resource.group}/${a.resource.kind}`]?.(a.object as KObject);
    },
  };
}

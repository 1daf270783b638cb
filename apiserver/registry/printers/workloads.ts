// Printers of the apps/v1 and batch/v1 workloads.
import type { KObject } from '../../../storage/store.js';
import { humanDuration, parseTimestamp, timestampSince } from '../duration.js';
import type { TableColumn } from '../types.js';
import {
  ageColumn,
  column,
  desiredReplicas,
  formatLabelSelector,
  formatLabels,
  int,
  labelSelectorString,
  list,
  nameColumn,
  orNone,
  podTemplateColumns,
  printBool,
  selectorColumn,
  specSelectorColumn,
  str,
  templateSpec,
} from './columns.js';

export const deploymentColumns: TableColumn[] = [
  nameColumn(),
  column('Ready', 'string', (o) => `${int(o.status?.readyReplicas)}/${desiredReplicas(o)}`),
  column('Up-to-date', 'string', (o) => int(o.status?.updatedReplicas)),
  column('Available', 'string', (o) => int(o.status?.availableReplicas)),
  ageColumn,
  ...podTemplateColumns(templateSpec),
  // printDeployment prints the bare selector string, unlike the other workloads.
  selectorColumn((o) => labelSelectorString(o.spec?.selector) ?? '<invalid>'),
];

export const statefulSetColumns: TableColumn[] = [
  nameColumn(),
  column('Ready', 'string', (o) => `${int(o.status?.readyReplicas)}/${desiredReplicas(o)}`),
  ageColumn,
  ...podTemplateColumns(templateSpec),
];

export const replicaSetColumns: TableColumn[] = [
  nameColumn(),
  column('Desired', 'integer', desiredReplicas),
  column('Current', 'integer', (o) => int(o.status?.replicas)),
  column('Ready', 'integer', (o) => int(o.status?.readyReplicas)),
  ageColumn,
  ...podTemplateColumns(templateSpec),
  specSelectorColumn,
];

/** ReplicationControllers print like ReplicaSets, but their selector is a plain label map. */
export const replicationControllerColumns: TableColumn[] = [
  ...replicaSetColumns.slice(0, -1),
  column('Selector', 'string', (o) => formatLabels(o.spec?.selector), 1),
];

export const daemonSetColumns: TableColumn[] = [
  nameColumn(),
  column('Desired', 'integer', (o) => int(o.status?.desiredNumberScheduled)),
  column('Current', 'integer', (o) => int(o.status?.currentNumberScheduled)),
  column('Ready', 'integer', (o) => int(o.status?.numberReady)),
  column('Up-to-date', 'integer', (o) => int(o.status?.updatedNumberScheduled)),
  column('Available', 'integer', (o) => int(o.status?.numberAvailable)),
  column('Node Selector', 'string', (o) => formatLabels(o.spec?.template?.spec?.nodeSelector)),
  ageColumn,
  ...podTemplateColumns(templateSpec),
  specSelectorColumn,
];

const conditionStatus = (conditions: unknown, type: string): boolean => list(conditions).find((c) => c?.type === type)?.status === 'True';

function jobStatus(job: KObject): string {
  const conditions = job.status?.conditions;
  if (conditionStatus(conditions, 'Complete')) return 'Complete';
  if (conditionStatus(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionStatus(conditions, 'Suspended')) return 'Suspended';
  if (conditionStatus(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: KObject): string {
  const succeeded = int(job.status?.succeeded);
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KObject): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  return humanDuration((parseTimestamp(job.status?.completionTime) ?? Date.now()) - start);
}

export const jobColumns: TableColumn[] = [
  nameColumn(),
  column('Status', 'string', jobStatus),
  column('Completions', 'string', jobCompletions),
  column('Duration', 'string', jobDuration),
  ageColumn,
  ...podTemplateColumns(templateSpec),
  specSelectorColumn,
];

export const cronJobColumns: TableColumn[] = [
  nameColumn(),
  column('Schedule', 'string', (o) => str(o.spec?.schedule)),
  column('Timezone', 'string', (o) => orNone(str(o.spec?.timeZone))),
  column('Suspend', 'boolean', (o) => printBool(o.spec?.suspend === true)),
  column('Active', 'integer', (o) => list(o.status?.active).length),
  column('Last Schedule', 'string', (o) => (o.status?.lastScheduleTime ? timestampSince(o.status.lastScheduleTime) : '<none>')),
  ageColumn,
  ...podTemplateColumns((o) => o.spec?.jobTemplate?.spec?.template?.spec),
  selectorColumn((o) => formatLabelSelector(o.spec?.jobTemplate?.spec?.selector)),
];

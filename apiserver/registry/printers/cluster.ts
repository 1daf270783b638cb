// Printers of cluster administration kinds: RBAC bindings, disruption budgets, leases, storage and priority classes.
import type { TableColumn } from '../types.js';
import { ageColumn, column, type Cell, int, intOrString, list, nameColumn, nameOf, record, str } from './columns.js';

/** rbac.SubjectsStrings for one subject kind; service accounts print as namespace/name. */
function subjects(kind: 'User' | 'Group' | 'ServiceAccount'): Cell {
  return (o) =>
    list(o.subjects)
      .filter((s) => s?.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace)}/${str(s.name)}` : str(s.name)))
      .join(', ');
}

export const roleBindingColumns: TableColumn[] = [
  nameColumn(),
  column('Role', 'string', (o) => `${str(o.roleRef?.kind)}/${str(o.roleRef?.name)}`),
  ageColumn,
  column('Users', 'string', subjects('User'), 1),
  column('Groups', 'string', subjects('Group'), 1),
  column('ServiceAccounts', 'string', subjects('ServiceAccount'), 1),
];

export const podDisruptionBudgetColumns: TableColumn[] = [
  nameColumn(),
  column('Min Available', 'string', (o) => intOrString(o.spec?.minAvailable) ?? 'N/A'),
  column('Max Unavailable', 'string', (o) => intOrString(o.spec?.maxUnavailable) ?? 'N/A'),
  column('Allowed Disruptions', 'integer', (o) => int(o.status?.disruptionsAllowed)),
  ageColumn,
];

export const leaseColumns: TableColumn[] = [nameColumn(), column('Holder', 'string', (o) => str(o.spec?.holderIdentity)), ageColumn];

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const storageClassColumns: TableColumn[] = [
  nameColumn((o) => {
    const annotations = record(o.metadata?.annotations);
    return DEFAULT_CLASS_ANNOTATIONS.some((a) => annotations[a] === 'true') ? `${nameOf(o)} (default)` : nameOf(o);
  }),
  column('Provisioner', 'string', (o) => str(o.provisioner)),
  column('ReclaimPolicy', 'string', (o) => str(o.reclaimPolicy) || 'Delete'),
  column('VolumeBindingMode', 'string', (o) => str(o.volumeBindingMode) || 'Immediate'),
  column('AllowVolumeExpansion', 'string', (o) => o.allowVolumeExpansion === true),
  ageColumn,
];

export const priorityClassColumns: TableColumn[] = [
  nameColumn(),
  column('Value', 'integer', (o) => int(o.value)),
  column('Global-Default', 'boolean', (o) => o.globalDefault === true),
  ageColumn,
  column('PreemptionPolicy', 'string', (o) => str(o.preemptionPolicy)),
];

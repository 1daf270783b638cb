// The building blocks every printer shares: column constructors, readers of loosely typed JSON, and kube's
// formatting of labels, selectors and workload pod templates.
import type { KObject } from '../../../storage/store.js';
import { rfc3339, timestampSince } from '../duration.js';
import type { TableColumn } from '../types.js';

export type Cell = (obj: KObject) => unknown;

export function column(name: string, type: TableColumn['type'], cell: Cell, priority = 0, format?: string): TableColumn {
  return { name, type, format, priority, cell };
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const int = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const record = (v: unknown): Record<string, any> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {});
export const nameOf = (o: KObject): string => str(o.metadata?.name);

/** resource.Quantity.String() of a stored quantity; `missing` is what kube prints for an absent one. */
export function quantity(v: unknown, missing: string): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return missing;
}

/** intstr.IntOrString.String(). */
export const intOrString = (v: unknown): string | undefined => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined);

export const printBool = (v: boolean): string => (v ? 'True' : 'False');

export const joinHostPort = (host: string, port: unknown): string => `${host.includes(':') ? `[${host}]` : host}:${int(port)}`;

/** Go's sets.NewString(...).List(): unique and sorted. */
export const sortedUnique = (values: string[]): string[] => [...new Set(values)].sort();

/** "a,b,c + 4 more..." as kube lists long collections; `placeholder` when there is nothing to list. */
export function listWithMore(items: string[], max: number, total = items.length, placeholder = '<unset>'): string {
  const shown = items.slice(0, max).join(',');
  if (total > max) return `${shown} + ${total - max} more...`;
  return shown === '' ? placeholder : shown;
}

/** labels.FormatLabels: sorted k=v pairs, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const map = record(labels);
  const text = Object.keys(map)
    .sort()
    .map((k) => `${k}=${map[k]}`)
    .join(',');
  return text === '' ? '<none>' : text;
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, set values sorted; "" for a missing or
 * empty selector; undefined when the selector is invalid.
 */
export function labelSelectorString(selector: unknown): string | undefined {
  const sel = record(selector);
  const reqs: { key: string; text: string }[] = Object.entries(record(sel.matchLabels)).map(([k, v]) => ({ key: k, text: `${k}=${v}` }));
  for (const e of list(sel.matchExpressions)) {
    const key = str(e?.key);
    const values = list(e?.values).map(String).sort().join(',');
    switch (e?.operator) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

/** metav1.FormatLabelSelector: "<none>" for an empty selector, "<error>" for an invalid one. */
export function formatLabelSelector(selector: unknown): string {
  const text = labelSelectorString(selector);
  return text === undefined ? '<error>' : text === '' ? '<none>' : text;
}

export const nameColumn = (cell: Cell = nameOf, priority = 0): TableColumn => column('Name', 'string', cell, priority, 'name');
export const ageColumn: TableColumn = column('Age', 'string', (o) => timestampSince(o.metadata?.creationTimestamp));

/** kube's rest.DefaultTableConvertor, used by built-in kinds that have no printer (roles, limitranges, CRDs). */
export const defaultTableColumns: TableColumn[] = [nameColumn(), column('Created At', 'date', (o) => rfc3339(o.metadata?.creationTimestamp))];

/** The columns apiextensions serves for a custom resource without additionalPrinterColumns. */
export const customResourceDefaultColumns: TableColumn[] = [
  nameColumn(),
  column('Age', 'date', (o) => timestampSince(o.metadata?.creationTimestamp)),
];

/** The wide Containers and Images columns of a workload, read from its pod spec (layoutContainerCells). */
export function podTemplateColumns(podSpec: (o: KObject) => any): TableColumn[] {
  const containers = (o: KObject) => list(podSpec(o)?.containers);
  return [
    column('Containers', 'string', (o) => containers(o).map((c) => str(c?.name)).join(','), 1),
    column('Images', 'string', (o) => containers(o).map((c) => str(c?.image)).join(','), 1),
  ];
}

export const templateSpec = (o: KObject) => o.spec?.template?.spec;
export const selectorColumn = (cell: Cell): TableColumn => column('Selector', 'string', cell, 1);
export const specSelectorColumn = selectorColumn((o) => formatLabelSelector(o.spec?.selector));
export const desiredReplicas = (o: KObject): number => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);

export const orNone = (v: string): string => v || '<none>';

/** loadBalancerStatusStringer, unique and sorted (wide, so never truncated). */
export const loadBalancerIngress = (status: unknown): string =>
  sortedUnique(list(record(status).ingress).map((i) => str(i?.ip) || str(i?.hostname)).filter((v) => v !== '')).join(',');

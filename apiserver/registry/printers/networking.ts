// Printers of networking.k8s.io/v1 and discovery.k8s.io/v1.
import type { KObject } from '../../../storage/store.js';
import type { TableColumn } from '../types.js';
import {
  ageColumn,
  column,
  formatLabelSelector,
  list,
  listWithMore,
  loadBalancerIngress,
  nameColumn,
  str,
} from './columns.js';

// formatHosts: up to three hosts; any rule after the third host, with a host or not, makes it "+ N more..." where N
// counts rules, not hosts.
function ingressHosts(ing: KObject): string {
  const rules = list(ing.spec?.rules);
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && str(rule?.host)) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

export const ingressColumns: TableColumn[] = [
  nameColumn(),
  column('Class', 'string', (o) => (typeof o.spec?.ingressClassName === 'string' ? o.spec.ingressClassName : '<none>')),
  column('Hosts', 'string', ingressHosts),
  column('Address', 'string', (o) => loadBalancerIngress(o.status?.loadBalancer)),
  column('Ports', 'string', (o) => (list(o.spec?.tls).length ? '80, 443' : '80')),
  ageColumn,
];

function ingressClassParameters(o: KObject): string {
  const p = o.spec?.parameters;
  if (!p) return '<none>';
  return `${str(p.kind)}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${str(p.name)}`;
}

export const ingressClassColumns: TableColumn[] = [
  nameColumn(),
  column('Controller', 'string', (o) => str(o.spec?.controller)),
  column('Parameters', 'string', ingressClassParameters),
  ageColumn,
];

export const networkPolicyColumns: TableColumn[] = [
  nameColumn(),
  column('Pod-Selector', 'string', (o) => formatLabelSelector(o.spec?.podSelector)),
  ageColumn,
];

function endpointSlicePorts(o: KObject): string {
  const ports = list(o.ports).map((p) => (typeof p?.port === 'number' ? String(p.port) : typeof p?.name === 'string' ? p.name : '*'));
  return listWithMore(ports, 3);
}

function endpointSliceEndpoints(o: KObject): string {
  return listWithMore(list(o.endpoints).flatMap((e) => list(e?.addresses).map(String)), 3);
}

export const endpointSliceColumns: TableColumn[] = [
  nameColumn(),
  column('AddressType', 'string', (o) => str(o.addressType)),
  column('Ports', 'string', endpointSlicePorts),
  column('Endpoints', 'string', endpointSliceEndpoints),
  ageColumn,
];

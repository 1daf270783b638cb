// Printers of the core/v1 kinds other than pods.
import type { KObject } from '../../../storage/store.js';
import { parseTimestamp, timestampSince } from '../duration.js';
import type { TableColumn } from '../types.js';
import {
  ageColumn,
  column,
  type Cell,
  formatLabels,
  int,
  joinHostPort,
  list,
  listWithMore,
  loadBalancerIngress,
  nameColumn,
  nameOf,
  orNone,
  quantity,
  record,
  selectorColumn,
  sortedUnique,
  str,
} from './columns.js';

export const namespaceColumns: TableColumn[] = [nameColumn(), column('Status', 'string', (o) => str(o.status?.phase)), ageColumn];

export const configMapColumns: TableColumn[] = [
  nameColumn(),
  column('Data', 'string', (o) => Object.keys(record(o.data)).length + Object.keys(record(o.binaryData)).length),
  ageColumn,
];

/** A Secret's type, defaulted as kube does on create. */
export const secretType = (o: KObject): string => str(o.type) || 'Opaque';

export const secretColumns: TableColumn[] = [
  nameColumn(),
  column('Type', 'string', secretType),
  column('Data', 'string', (o) => Object.keys(record(o.data)).length),
  ageColumn,
];

export const serviceAccountColumns: TableColumn[] = [nameColumn(), column('Secrets', 'string', (o) => list(o.secrets).length), ageColumn];

/** A Service's type, defaulted as kube does on create. */
export const serviceType = (o: KObject): string => str(o.spec?.type) || 'ClusterIP';

function serviceExternalIP(svc: KObject): string {
  const externalIPs = list(svc.spec?.externalIPs).map(String);
  switch (serviceType(svc)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(svc.spec?.externalName);
  }
  return '<unknown>';
}

function servicePorts(svc: KObject): string {
  const text = list(svc.spec?.ports)
    .map((p) => {
      const protocol = str(p?.protocol) || 'TCP';
      return int(p?.nodePort) > 0 ? `${int(p.port)}:${p.nodePort}/${protocol}` : `${int(p?.port)}/${protocol}`;
    })
    .join(',');
  return orNone(text);
}

export const serviceColumns: TableColumn[] = [
  nameColumn(),
  column('Type', 'string', serviceType),
  column('Cluster-IP', 'string', (o) => orNone(str(o.spec?.clusterIPs?.[0]) || str(o.spec?.clusterIP))),
  column('External-IP', 'string', serviceExternalIP),
  column('Port(s)', 'string', servicePorts),
  ageColumn,
  selectorColumn((o) => formatLabels(o.spec?.selector)),
];

function formatEndpoints(ep: KObject): string {
  const subsets = list(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let total = 0;
  for (const ss of subsets) {
    const addresses = list(ss?.addresses).map((a) => str(a?.ip));
    // Headless services may have addresses without ports.
    const ports = list(ss?.ports);
    for (const port of ports.length ? ports : [undefined]) {
      total += addresses.length;
      for (const ip of addresses) if (shown.length < 3) shown.push(port === undefined ? ip : joinHostPort(ip, port.port));
    }
  }
  return listWithMore(shown, 3, total, '');
}

export const endpointsColumns: TableColumn[] = [nameColumn(), column('Endpoints', 'string', formatEndpoints), ageColumn];

function eventTimes(ev: KObject): { first: string; last: string; count: number } {
  const first = parseTimestamp(ev.firstTimestamp) !== undefined ? timestampSince(ev.firstTimestamp) : timestampSince(ev.eventTime);
  if (ev.series) return { first, last: timestampSince(ev.series.lastObservedTime), count: int(ev.series.count) };
  const last = parseTimestamp(ev.lastTimestamp) !== undefined ? timestampSince(ev.lastTimestamp) : first;
  // Singleton events of the events.k8s.io API carry no count.
  return { first, last, count: int(ev.count) || 1 };
}

/** The "source" field selector value and Source column's component: source.component, else reportingComponent. */
export const eventSourceComponent = (ev: KObject): string => str(ev.source?.component) || str(ev.reportingComponent);

function eventSource(ev: KObject): string {
  const instance = str(ev.source?.host) || str(ev.reportingInstance);
  return instance ? `${eventSourceComponent(ev)}, ${instance}` : eventSourceComponent(ev);
}

function eventObject(ev: KObject): string {
  const kind = str(ev.involvedObject?.kind).toLowerCase();
  const name = str(ev.involvedObject?.name);
  return name ? `${kind}/${name}` : kind;
}

export const eventColumns: TableColumn[] = [
  column('Last Seen', 'string', (o) => eventTimes(o).last),
  column('Type', 'string', (o) => str(o.type)),
  column('Reason', 'string', (o) => str(o.reason)),
  column('Object', 'string', eventObject),
  column('Subobject', 'string', (o) => str(o.involvedObject?.fieldPath), 1),
  column('Source', 'string', eventSource, 1),
  column('Message', 'string', (o) => str(o.message).trim()),
  column('First Seen', 'string', (o) => eventTimes(o).first, 1),
  column('Count', 'string', (o) => eventTimes(o).count, 1),
  nameColumn(nameOf, 1),
];

const ACCESS_MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString: fixed order, duplicates dropped. */
function accessModes(modes: unknown): string {
  const present = list(modes);
  return ACCESS_MODES.filter(([mode]) => present.includes(mode))
    .map(([, short]) => short)
    .join(',');
}

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName. */
function storageClassOf(o: KObject): string {
  const annotations = record(o.metadata?.annotations);
  if (BETA_STORAGE_CLASS_ANNOTATION in annotations) return str(annotations[BETA_STORAGE_CLASS_ANNOTATION]);
  return str(o.spec?.storageClassName);
}

const unset = (v: unknown): string => (typeof v === 'string' ? v : '<unset>');
const terminatingOr = (o: KObject, phase: unknown): string => (o.metadata?.deletionTimestamp ? 'Terminating' : str(phase));
const volumeModeColumn = column('VolumeMode', 'string', (o) => unset(o.spec?.volumeMode), 1);

export const persistentVolumeColumns: TableColumn[] = [
  nameColumn(),
  column('Capacity', 'string', (o) => quantity(o.spec?.capacity?.storage, '0')),
  column('Access Modes', 'string', (o) => accessModes(o.spec?.accessModes)),
  column('Reclaim Policy', 'string', (o) => str(o.spec?.persistentVolumeReclaimPolicy)),
  column('Status', 'string', (o) => terminatingOr(o, o.status?.phase)),
  column('Claim', 'string', (o) => (o.spec?.claimRef ? `${str(o.spec.claimRef.namespace)}/${str(o.spec.claimRef.name)}` : '')),
  column('StorageClass', 'string', storageClassOf),
  column('VolumeAttributesClass', 'string', (o) => unset(o.spec?.volumeAttributesClassName)),
  column('Reason', 'string', (o) => str(o.status?.reason)),
  ageColumn,
  volumeModeColumn,
];

// Capacity and access modes are only meaningful once the claim is bound to a volume.
const boundTo = (o: KObject): boolean => str(o.spec?.volumeName) !== '';

export const persistentVolumeClaimColumns: TableColumn[] = [
  nameColumn(),
  column('Status', 'string', (o) => terminatingOr(o, o.status?.phase)),
  column('Volume', 'string', (o) => str(o.spec?.volumeName)),
  column('Capacity', 'string', (o) => (boundTo(o) ? quantity(o.status?.capacity?.storage, '0') : '')),
  column('Access Modes', 'string', (o) => (boundTo(o) ? accessModes(o.status?.accessModes) : '')),
  column('StorageClass', 'string', storageClassOf),
  column('VolumeAttributesClass', 'string', (o) => unset(o.spec?.volumeAttributesClassName)),
  ageColumn,
  volumeModeColumn,
];

/** printResourceQuota: "resource: used/hard" pairs sorted by resource, limits.* in the Limit column. */
function quotaUsage(limits: boolean): Cell {
  return (o) => {
    const hard = record(o.status?.hard);
    const used = record(o.status?.used);
    return Object.keys(hard)
      .sort()
      .filter((r) => (r.split('.').length > 1 && r.split('.')[0] === 'limits') === limits)
      .map((r) => `${r}: ${quantity(used[r], '0')}/${quantity(hard[r], '0')}`)
      .join(', ');
  };
}

export const resourceQuotaColumns: TableColumn[] = [
  nameColumn(),
  column('Request', 'string', quotaUsage(false)),
  column('Limit', 'string', quotaUsage(true)),
  ageColumn,
];

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';

function nodeRoles(node: KObject): string {
  const roles = Object.entries(record(node.metadata?.labels)).flatMap(([k, v]) => {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length) return [k.slice(NODE_ROLE_PREFIX.length)];
    return k === 'kubernetes.io/role' && v !== '' ? [String(v)] : [];
  });
  return orNone(sortedUnique(roles).join(','));
}

function nodeStatus(node: KObject): string {
  const ready = list(node.status?.conditions).findLast((c) => c?.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodeAddress = (type: string) => (node: KObject): string =>
  orNone(str(list(node.status?.addresses).find((a) => a?.type === type)?.address));
const nodeInfo = (field: string) => (node: KObject): string => str(node.status?.nodeInfo?.[field]) || '<unknown>';

export const nodeColumns: TableColumn[] = [
  nameColumn(),
  column('Status', 'string', nodeStatus),
  column('Roles', 'string', nodeRoles),
  ageColumn,
  column('Version', 'string', (o) => str(o.status?.nodeInfo?.kubeletVersion)),
  column('Internal-IP', 'string', nodeAddress('InternalIP'), 1),
  column('External-IP', 'string', nodeAddress('ExternalIP'), 1),
  column('OS-Image', 'string', nodeInfo('osImage'), 1),
  column('Kernel-Version', 'string', nodeInfo('kernelVersion'), 1),
  column('Container-Runtime', 'string', nodeInfo('containerRuntimeVersion'), 1),
];

// The Nodes a simulated member reports, shaped as a kubelet registers and heartbeats them. Everything is derived from
// the cluster name and the node's index, so that a restarted simulator computes exactly what it stored before.
import { createHash } from 'node:crypto';
import type { KObject } from '../../storage/store.js';

export interface NodeShape {
  clusterName: string;
  capacity: Record<string, string>;
  labels: Record<string, string>;
  kubeletVersion: string;
}

/** Nodes are numbered from 1: `${clusterName}-node-1`, ... */
export function nodeName(clusterName: string, k: number): string {
  return `${clusterName}-node-${k}`;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function uuid(s: string): string {
  const h = digest(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The labels the simulator owns on a Node; others' labels are left alone. */
export function nodeLabels(shape: NodeShape, name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...shape.labels,
  };
}

/** An address per node inside 10.X.0.0/16, X picked by the cluster name so that members rarely overlap. */
function internalIP(clusterName: string, k: number): string {
  return `10.${Number.parseInt(digest(clusterName).slice(0, 2), 16)}.${(k >> 8) & 255}.${k & 255}`;
}

export function nodeObject(shape: NodeShape, k: number): KObject {
  const name = nodeName(shape.clusterName, k);
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: nodeLabels(shape, name) }, spec: {} };
}

/** The status a healthy kubelet posts; condition times are `now` (the caller keeps stored ones that still hold). */
export function nodeStatus(shape: NodeShape, k: number, now: string): KObject['status'] {
  const name = nodeName(shape.clusterName, k);
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    capacity: { ...shape.capacity },
    allocatable: { ...shape.capacity },
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: internalIP(shape.clusterName, k) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: digest(`${shape.clusterName}/${name}/machine`).slice(0, 32),
      systemUUID: uuid(`${shape.clusterName}/${name}/system`),
      bootID: uuid(`${shape.clusterName}/${name}/boot`),
      kernelVersion: '6.8.0-flotilla',
      osImage: 'Flotilla simulated node',
      containerRuntimeVersion: 'flotilla-sim://0.1.0',
      kubeletVersion: shape.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

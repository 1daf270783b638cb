// A member's capacity as Karmada's cluster status controller summarizes it from the member's Nodes and Pods:
// nodeSummary, resourceSummary {allocatable, allocating, allocated} and, when the Cluster has resource models,
// allocatableModelings (how many nodes fall into each grade), which the scheduler's estimators read.
import type { AllocatableModeling, NodeSummary, ResourceModel, ResourceSummary } from '../../openapi/karmada/types.js';
import { Quantity } from './quantity.js';

type ResourceList = Record<string, string | number>;

/** The parts of a Node the summary reads (informer objects are plain JSON). */
export interface NodeLike {
  metadata?: { name?: string };
  status?: { allocatable?: ResourceList; conditions?: { type?: string; status?: string }[] };
}

interface ContainerLike {
  resources?: { requests?: ResourceList };
}

export interface PodLike {
  spec?: { nodeName?: string; containers?: ContainerLike[]; initContainers?: ContainerLike[] };
  status?: { phase?: string };
}

/** Extended, hugepages, prefixed-native and attachable-volume resources: counted as plain integers by name. */
function isScalarResourceName(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** util.Resource: compute resources as integers (millicores, bytes, counts), for request arithmetic. */
export class Resource {
  milliCPU = 0n;
  memory = 0n;
  ephemeralStorage = 0n;
  allowedPodNumber = 0n;
  readonly scalars = new Map<string, bigint>();

  add(list: ResourceList | undefined): this {
    this.combine(list, (a, b) => a + b);
    return this;
  }

  /** Raises each resource to at least the list's value (how init containers count). */
  setMax(list: ResourceList | undefined): this {
    this.combine(list, (a, b) => (b > a ? b : a));
    return this;
  }

  /**
   * Adds a pod's effective request: its containers' sum, or its largest init container where that is higher. Karmada
   * raises its running total to the init container's request instead, which makes the result depend on pod order;
   * this takes the maximum per pod, as its own documentation describes.
   */
  addPodRequest(pod: PodLike): this {
    const request = new Resource();
    for (const c of pod.spec?.containers ?? []) request.add(c.resources?.requests);
    for (const c of pod.spec?.initContainers ?? []) request.setMax(c.resources?.requests);
    this.milliCPU += request.milliCPU;
    this.memory += request.memory;
    this.ephemeralStorage += request.ephemeralStorage;
    for (const [name, v] of request.scalars) this.scalars.set(name, (this.scalars.get(name) ?? 0n) + v);
    return this;
  }

  addPods(n: number): this {
    this.allowedPodNumber += BigInt(n);
    return this;
  }

  /** ResourceList(): cpu, memory, ephemeral-storage and pods always, then the scalar resources. */
  toList(): Record<string, Quantity> {
    const list: Record<string, Quantity> = {
      cpu: Quantity.fromMilli(this.milliCPU),
      memory: Quantity.fromInt(this.memory, 'BinarySI'),
      'ephemeral-storage': Quantity.fromInt(this.ephemeralStorage, 'BinarySI'),
      pods: Quantity.fromInt(this.allowedPodNumber),
    };
    for (const [name, v] of this.scalars) list[name] = Quantity.fromInt(v, name.startsWith('hugepages-') ? 'BinarySI' : 'DecimalSI');
    return list;
  }

  private combine(list: ResourceList | undefined, op: (current: bigint, value: bigint) => bigint): void {
    for (const [name, raw] of Object.entries(list ?? {})) {
      const q = Quantity.parse(raw);
      switch (name) {
        case 'cpu':
          this.milliCPU = op(this.milliCPU, q.milliValue());
          break;
        case 'memory':
          this.memory = op(this.memory, q.value());
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage = op(this.ephemeralStorage, q.value());
          break;
        case 'pods':
          this.allowedPodNumber = op(this.allowedPodNumber, q.value());
          break;
        default:
          if (isScalarResourceName(name)) this.scalars.set(name, op(this.scalars.get(name) ?? 0n, q.value()));
      }
    }
  }
}

function nodeReady(node: NodeLike): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods that hold resources on a node: bound, and not finished (kube-scheduler ignores Succeeded and Failed pods). */
function holdsResources(pod: PodLike): boolean {
  return !!pod.spec?.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function serialize(list: Record<string, Quantity>): Record<string, string> {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, v.toString()]));
}

export function nodeSummary(nodes: readonly NodeLike[]): NodeSummary {
  return { totalNum: nodes.length, readyNum: nodes.filter(nodeReady).length };
}

/** allocatable: the Nodes' allocatable summed; allocating: requests of unbound Pods; allocated: of bound, running ones. */
export function resourceSummary(nodes: readonly NodeLike[], pods: readonly PodLike[]): ResourceSummary {
  const allocatable: Record<string, Quantity> = {};
  for (const node of nodes) {
    for (const [name, raw] of Object.entries(node.status?.allocatable ?? {})) {
      const q = Quantity.parse(raw);
      allocatable[name] = allocatable[name] ? allocatable[name].add(q) : q;
    }
  }
  const unbound = pods.filter((p) => !p.spec?.nodeName);
  const bound = pods.filter(holdsResources);
  const allocating = unbound.reduce((r, p) => r.addPodRequest(p), new Resource()).addPods(unbound.length);
  const allocated = bound.reduce((r, p) => r.addPodRequest(p), new Resource()).addPods(bound.length);
  return { allocatable: serialize(allocatable), allocating: serialize(allocating.toList()), allocated: serialize(allocated.toList()) };
}

/** A node's allocatable less what its pods request; undefined when the node has no room for another pod. */
function nodeAvailable(node: NodeLike, used: Resource | undefined): Record<string, Quantity> | undefined {
  const available: Record<string, Quantity> = {};
  for (const [name, raw] of Object.entries(node.status?.allocatable ?? {})) available[name] = Quantity.parse(raw);
  if (!used) return available;
  const usedList = used.toList();
  if ((available.pods ?? Quantity.ZERO).value() - usedList.pods.value() <= 0n) return undefined;
  for (const [name, q] of Object.entries(usedList)) if (available[name]) available[name] = available[name].sub(q);
  return available;
}

/**
 * How many nodes fall into each grade of the Cluster's resource models: a node belongs to the highest grade whose
 * minimum it meets in every modelled resource. Grades are read in the standardized order admission leaves them in.
 */
export function allocatableModelings(models: readonly ResourceModel[] | undefined, nodes: readonly NodeLike[], pods: readonly PodLike[]): AllocatableModeling[] | undefined {
  if (!models?.length) return undefined;
  const names = models[0].ranges.map((r) => r.name);
  if (models.some((m) => m.ranges.length !== names.length)) return undefined;
  const minimums = models.map((m) => new Map(m.ranges.map((r) => [r.name, Quantity.parse(r.min)])));
  const usedByNode = new Map<string, Resource>();
  for (const pod of pods.filter(holdsResources)) {
    const node = pod.spec!.nodeName!;
    if (!usedByNode.has(node)) usedByNode.set(node, new Resource());
    usedByNode.get(node)!.addPodRequest(pod).addPods(1);
  }
  const counts = models.map(() => 0);
  for (const node of nodes) {
    const available = nodeAvailable(node, usedByNode.get(node.metadata?.name ?? ''));
    // As Karmada, the first full node ends the count.
    if (!available) break;
    let grade = models.length - 1;
    for (const name of names) {
      const have = available[name] ?? Quantity.ZERO;
      let last = -1;
      for (let i = 0; i < models.length; i++) if ((minimums[i].get(name) ?? Quantity.ZERO).cmp(have) <= 0) last = i;
      grade = Math.min(grade, last);
    }
    if (grade >= 0) counts[grade]++;
  }
  return models.map((m, i) => ({ grade: m.grade, count: counts[i] }));
}

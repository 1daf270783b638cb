// Replica interpretation: how many replicas a resource template asks for and what one replica needs, as Karmada's
// built-in interpreter reads them (pkg/resourceinterpreter/default/native/replica.go, helper.GenerateReplicaRequirements,
// util.Resource.AddPodTemplateRequest). Karmada interprets Deployment, StatefulSet, Job and Pod; ReplicaSet and custom
// resources with a scale subresource are Flotilla's additions (Karmada needs a ResourceInterpreterCustomization).
import type { NodeClaim, ReplicaRequirements } from '../../openapi/karmada/types.js';
import { formatBinarySI, formatDecimalSI, milliValue, value } from './quantity.js';

type Obj = Record<string, any>;

export interface ReplicaInterpretation {
  replicas: number;
  replicaRequirements?: ReplicaRequirements;
}

/**
 * The replicas and per-replica requirements of obj, or undefined for a kind that has none. specReplicasPath is
 * the CRD's scale subresource path (".spec.replicas") for a custom resource.
 */
export function interpretReplicas(obj: Obj, specReplicasPath?: string): ReplicaInterpretation | undefined {
  const spec = obj.spec ?? {};
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'apps/v1/Deployment':
    case 'apps/v1/StatefulSet':
    case 'apps/v1/ReplicaSet':
      return { replicas: integer(spec.replicas), replicaRequirements: podTemplateRequirements(spec.template?.spec) };
    case 'batch/v1/Job': {
      const parallelism = integer(spec.parallelism);
      // A Job never runs more pods at once than it has completions left to reach.
      const completions = spec.completions === undefined || spec.completions === null ? parallelism : integer(spec.completions);
      return { replicas: Math.min(parallelism, completions), replicaRequirements: podTemplateRequirements(spec.template?.spec) };
    }
    case 'v1/Pod':
      return { replicas: 1, replicaRequirements: podTemplateRequirements(spec) };
  }
  if (specReplicasPath === undefined) return undefined;
  return { replicas: integer(readPath(obj, specReplicasPath)) };
}

function integer(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : 0;
}

/** The value at a CRD's scale path, a JSON path of field names (".spec.replicas"). */
function readPath(obj: Obj, path: string): unknown {
  let cur: unknown = obj;
  for (const field of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[field];
  }
  return cur;
}

/** GenerateReplicaRequirements: undefined when the pod asks for no resources and constrains no nodes. */
export function podTemplateRequirements(podSpec: Obj | undefined): ReplicaRequirements | undefined {
  if (!podSpec) return undefined;
  const nodeClaim = nodeClaimOf(podSpec);
  const resourceRequest = podRequests(podSpec);
  if (!nodeClaim && !resourceRequest) return undefined;
  return { ...(nodeClaim && { nodeClaim }), ...(resourceRequest && { resourceRequest }) };
}

/** GenerateNodeClaimByPodSpec: the pod's nodeSelector, tolerations and required node affinity. */
function nodeClaimOf(podSpec: Obj): NodeClaim | undefined {
  const hardNodeAffinity = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const tolerations: unknown[] = Array.isArray(podSpec.tolerations) ? podSpec.tolerations : [];
  const nodeSelector = podSpec.nodeSelector;
  if (!nodeSelector && !hardNodeAffinity && tolerations.length === 0) return undefined;
  return {
    ...(nodeSelector && Object.keys(nodeSelector).length > 0 && { nodeSelector }),
    ...(tolerations.length > 0 && { tolerations: tolerations as NodeClaim['tolerations'] }),
    ...(hardNodeAffinity && { hardNodeAffinity }),
  };
}

/** Kinds of amount util.Resource keeps: cpu in thousandths, the rest in whole units. */
type Amounts = Map<string, bigint>;

const CPU = 'cpu';
const BINARY = new Set(['memory', 'ephemeral-storage']);

/** The resources util.Resource counts: the four native ones and the scalar (extended, hugepages, ...) ones. */
function counted(name: string): boolean {
  if (name === CPU || name === 'pods' || BINARY.has(name)) return true;
  // lifted.IsScalarResourceName: extended (domain-prefixed, not kubernetes.io), prefixed native, hugepages,
  // attachable volumes; other unprefixed names are not counted.
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || name.includes('kubernetes.io/')) return true;
  return name.includes('/') && !name.startsWith('requests.');
}

function amountsOf(list: Obj | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [name, q] of Object.entries(list ?? {})) {
    if (!counted(name)) continue;
    const v = name === CPU ? milliValue(q) : value(q);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/** A container's requests, with limits standing in for requests it leaves out (kube's defaulting). */
function containerRequests(c: Obj): Amounts {
  return amountsOf({ ...c?.resources?.limits, ...c?.resources?.requests });
}

/**
 * AddPodTemplateRequest: the app containers' requests added up, raised to the largest init container's where that
 * is larger, plus the pod overhead; undefined when nothing is requested.
 */
function podRequests(podSpec: Obj): Record<string, string> | undefined {
  const total: Amounts = new Map();
  const add = (a: Amounts) => {
    for (const [r, v] of a) total.set(r, (total.get(r) ?? 0n) + v);
  };
  for (const c of podSpec.containers ?? []) add(containerRequests(c));
  for (const c of podSpec.initContainers ?? []) for (const [r, v] of containerRequests(c)) if (v > (total.get(r) ?? 0n)) total.set(r, v);
  add(amountsOf(podSpec.overhead));
  const names = [...total.keys()].filter((r) => total.get(r)! > 0n).sort();
  if (names.length === 0) return undefined;
  // Resource.ResourceList: cpu as a milli quantity, memory, storage and hugepages in binary units, others decimal.
  const text = (r: string, v: bigint) => (r === CPU ? formatDecimalSI(v, -3) : BINARY.has(r) || r.startsWith('hugepages-') ? formatBinarySI(v) : formatDecimalSI(v, 0));
  return Object.fromEntries(names.map((r) => [r, text(r, total.get(r)!)]));
}

// Fixtures for the scheduler's tests: clusters and binding specs with only what a test cares about spelled out.
import type { AllocatableModeling, Cluster, Placement, ResourceBindingSpec, ResourceModel, Taint } from '../openapi/karmada/types.js';

export interface ClusterFixture {
  labels?: Record<string, string>;
  provider?: string;
  region?: string;
  zones?: string[];
  taints?: Taint[];
  /** The Ready condition's status; null for none reported. Default True. */
  ready?: 'True' | 'False' | 'Unknown' | null;
  /** Enabled APIs as "group/version/Kind". Default apps/v1 Deployment. */
  apis?: string[];
  /** status.resourceSummary.allocatable; no resourceSummary when absent. */
  allocatable?: Record<string, string>;
  allocated?: Record<string, string>;
  allocating?: Record<string, string>;
  /** spec.resourceModels and status.resourceSummary.allocatableModelings (with allocatable only). */
  resourceModels?: ResourceModel[];
  allocatableModelings?: AllocatableModeling[];
  deleting?: boolean;
}

export function cluster(name: string, f: ClusterFixture = {}): Cluster {
  const byGroupVersion = new Map<string, string[]>();
  for (const api of f.apis ?? ['apps/v1/Deployment']) {
    const i = api.lastIndexOf('/');
    byGroupVersion.set(api.slice(0, i), [...(byGroupVersion.get(api.slice(0, i)) ?? []), api.slice(i + 1)]);
  }
  const ready = f.ready === undefined ? 'True' : f.ready;
  return {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, labels: f.labels ?? {}, ...(f.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { syncMode: 'Push', provider: f.provider, region: f.region, zones: f.zones, taints: f.taints, ...(f.resourceModels ? { resourceModels: f.resourceModels } : {}) },
    status: {
      conditions: ready ? [{ type: 'Ready', status: ready, reason: 'ClusterReady', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] : [],
      apiEnablements: [...byGroupVersion].map(([groupVersion, kinds]) => ({ groupVersion, resources: kinds.map((kind) => ({ kind, name: `${kind.toLowerCase()}s` })) })),
      ...(f.allocatable
        ? { resourceSummary: { allocatable: f.allocatable, allocated: f.allocated, allocating: f.allocating, ...(f.allocatableModelings ? { allocatableModelings: f.allocatableModelings } : {}) } }
        : {}),
    },
  };
}

/** A Deployment's binding spec with placement. */
export function bindingSpec(placement: Placement, extra: Partial<ResourceBindingSpec> = {}): ResourceBindingSpec {
  return { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' }, placement, ...extra };
}

/** A cluster that can take n more pods of any size. */
export function roomFor(n: number): Pick<ClusterFixture, 'allocatable'> {
  return { allocatable: { pods: String(n), cpu: '1000', memory: '1000Gi' } };
}

// The built-in kinds Flotilla serves, described as kube-apiserver 1.32 does in discovery (names, short names,
// categories, subresources, verbs), in its field selectors (each registry's GetAttrs) and in server-side printing.
import type { KObject } from '../../storage/store.js';
import * as printers from './printers/index.js';
import { ALL_VERBS, type ResourceType, type ScaleSubresource } from './types.js';
import { customResourceDefinitionHooks } from '../apiextensions/crddefaults.js';

type FieldSelectors = NonNullable<ResourceType['fieldSelectors']>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const count = (v: unknown): string => String(typeof v === 'number' ? v : 0);
const flag = (v: unknown): string => String(v === true);

// Deployments, ReplicaSets and StatefulSets have no status.selector: the scale subresource renders spec.selector, a
// metav1.LabelSelector, as a string (printers.labelSelectorString).
const REPLICAS_SCALE: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.spec.selector',
};

// Legacy field kube keeps for namespaces, persistent volumes and claims ("This is a bug, but we need to support it").
const legacyName: FieldSelectors = { name: (o) => text(o.metadata?.name) };

const podFields: FieldSelectors = {
  'spec.nodeName': (o) => text(o.spec?.nodeName),
  'spec.restartPolicy': (o) => text(o.spec?.restartPolicy),
  'spec.schedulerName': (o) => text(o.spec?.schedulerName),
  'spec.serviceAccountName': (o) => text(o.spec?.serviceAccountName),
  'spec.hostNetwork': (o) => flag(o.spec?.hostNetwork),
  'status.phase': (o) => text(o.status?.phase),
  'status.podIP': printers.podIP,
  'status.nominatedNodeName': (o) => text(o.status?.nominatedNodeName),
};

const involved = (field: string) => (o: KObject) => text(o.involvedObject?.[field]);

const eventFields: FieldSelectors = {
  'involvedObject.kind': involved('kind'),
  'involvedObject.namespace': involved('namespace'),
  'involvedObject.name': involved('name'),
  'involvedObject.uid': involved('uid'),
  'involvedObject.apiVersion': involved('apiVersion'),
  'involvedObject.resourceVersion': involved('resourceVersion'),
  'involvedObject.fieldPath': involved('fieldPath'),
  reason: (o) => text(o.reason),
  reportingComponent: (o) => text(o.reportingComponent),
  source: printers.eventSourceComponent,
  type: (o) => text(o.type),
};

const core = (r: Omit<ResourceType, 'group' | 'version' | 'schemaRef'>): ResourceType => ({
  group: '',
  version: 'v1',
  schemaRef: `io.k8s.api.core.v1.${r.kind}`,
  ...r,
});

/** A resource of a k8s.io/api group; its OpenAPI name is io.k8s.api.<first label of the group>.<version>.<Kind>. */
const api = (group: string, version: string, r: Omit<ResourceType, 'group' | 'version' | 'schemaRef'>): ResourceType => ({
  group,
  version,
  schemaRef: `io.k8s.api.${group.split('.')[0]}.${version}.${r.kind}`,
  ...r,
});

const hpa = (version: string, extra: Partial<ResourceType> = {}): ResourceType =>
  api('autoscaling', version, {
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    shortNames: ['hpa'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.horizontalPodAutoscalerColumns,
    ...extra,
  });

export const BUILTIN_RESOURCES: ResourceType[] = [
  core({
    kind: 'Namespace',
    plural: 'namespaces',
    singular: 'namespace',
    shortNames: ['ns'],
    namespaced: false,
    subresources: { status: true },
    // Namespaces are deleted one at a time, through finalization.
    verbs: ALL_VERBS.filter((v) => v !== 'deletecollection'),
    columns: printers.namespaceColumns,
    fieldSelectors: { 'status.phase': (o) => text(o.status?.phase), ...legacyName },
  }),
  core({ kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], namespaced: true, columns: printers.configMapColumns }),
  core({
    kind: 'Secret',
    plural: 'secrets',
    singular: 'secret',
    namespaced: true,
    columns: printers.secretColumns,
    fieldSelectors: { type: printers.secretType },
  }),
  core({
    kind: 'Service',
    plural: 'services',
    singular: 'service',
    shortNames: ['svc'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.serviceColumns,
    fieldSelectors: { 'spec.clusterIP': (o) => text(o.spec?.clusterIP), 'spec.type': printers.serviceType },
  }),
  core({
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    shortNames: ['sa'],
    namespaced: true,
    columns: printers.serviceAccountColumns,
  }),
  core({
    kind: 'Endpoints',
    plural: 'endpoints',
    singular: 'endpoints',
    shortNames: ['ep'],
    namespaced: true,
    columns: printers.endpointsColumns,
  }),
  core({
    kind: 'Event',
    plural: 'events',
    singular: 'event',
    shortNames: ['ev'],
    namespaced: true,
    columns: printers.eventColumns,
    fieldSelectors: eventFields,
  }),
  core({
    kind: 'Pod',
    plural: 'pods',
    singular: 'pod',
    shortNames: ['po'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.podColumns,
    fieldSelectors: podFields,
  }),
  core({
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    shortNames: ['pvc'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.persistentVolumeClaimColumns,
    fieldSelectors: legacyName,
  }),
  core({
    kind: 'PersistentVolume',
    plural: 'persistentvolumes',
    singular: 'persistentvolume',
    shortNames: ['pv'],
    namespaced: false,
    subresources: { status: true },
    columns: printers.persistentVolumeColumns,
    fieldSelectors: legacyName,
  }),
  core({
    kind: 'LimitRange',
    plural: 'limitranges',
    singular: 'limitrange',
    shortNames: ['limits'],
    namespaced: true,
    columns: printers.defaultTableColumns,
  }),
  core({
    kind: 'ResourceQuota',
    plural: 'resourcequotas',
    singular: 'resourcequota',
    shortNames: ['quota'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.resourceQuotaColumns,
  }),
  core({
    kind: 'Node',
    plural: 'nodes',
    singular: 'node',
    shortNames: ['no'],
    namespaced: false,
    subresources: { status: true },
    columns: printers.nodeColumns,
    fieldSelectors: { 'spec.unschedulable': (o) => flag(o.spec?.unschedulable) },
  }),

  api('apps', 'v1', {
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true, scale: REPLICAS_SCALE },
    columns: printers.deploymentColumns,
  }),
  api('apps', 'v1', {
    kind: 'StatefulSet',
    plural: 'statefulsets',
    singular: 'statefulset',
    shortNames: ['sts'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true, scale: REPLICAS_SCALE },
    columns: printers.statefulSetColumns,
  }),
  api('apps', 'v1', {
    kind: 'DaemonSet',
    plural: 'daemonsets',
    singular: 'daemonset',
    shortNames: ['ds'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.daemonSetColumns,
  }),
  core({
    kind: 'ReplicationController',
    plural: 'replicationcontrollers',
    singular: 'replicationcontroller',
    shortNames: ['rc'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    columns: printers.replicationControllerColumns,
    fieldSelectors: { 'status.replicas': (o) => count(o.status?.replicas) },
  }),
  api('apps', 'v1', {
    kind: 'ReplicaSet',
    plural: 'replicasets',
    singular: 'replicaset',
    shortNames: ['rs'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true, scale: REPLICAS_SCALE },
    columns: printers.replicaSetColumns,
    fieldSelectors: { 'status.replicas': (o) => count(o.status?.replicas) },
  }),

  api('batch', 'v1', {
    kind: 'Job',
    plural: 'jobs',
    singular: 'job',
    categories: ['all'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.jobColumns,
    fieldSelectors: { 'status.successful': (o) => count(o.status?.succeeded) },
  }),
  api('batch', 'v1', {
    kind: 'CronJob',
    plural: 'cronjobs',
    singular: 'cronjob',
    shortNames: ['cj'],
    categories: ['all'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.cronJobColumns,
  }),

  api('networking.k8s.io', 'v1', {
    kind: 'Ingress',
    plural: 'ingresses',
    singular: 'ingress',
    shortNames: ['ing'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.ingressColumns,
  }),
  api('networking.k8s.io', 'v1', {
    kind: 'IngressClass',
    plural: 'ingressclasses',
    singular: 'ingressclass',
    namespaced: false,
    columns: printers.ingressClassColumns,
  }),
  // NetworkPolicy status was withdrawn in 1.27 along with its subresource.
  api('networking.k8s.io', 'v1', {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    shortNames: ['netpol'],
    namespaced: true,
    columns: printers.networkPolicyColumns,
  }),

  // Roles have no printer in kube: they get the default Name / Created At table.
  api('rbac.authorization.k8s.io', 'v1', { kind: 'Role', plural: 'roles', singular: 'role', namespaced: true, columns: printers.defaultTableColumns }),
  api('rbac.authorization.k8s.io', 'v1', {
    kind: 'RoleBinding',
    plural: 'rolebindings',
    singular: 'rolebinding',
    namespaced: true,
    columns: printers.roleBindingColumns,
  }),
  api('rbac.authorization.k8s.io', 'v1', {
    kind: 'ClusterRole',
    plural: 'clusterroles',
    singular: 'clusterrole',
    namespaced: false,
    columns: printers.defaultTableColumns,
  }),
  api('rbac.authorization.k8s.io', 'v1', {
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    namespaced: false,
    columns: printers.roleBindingColumns,
  }),

  api('policy', 'v1', {
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    shortNames: ['pdb'],
    namespaced: true,
    subresources: { status: true },
    columns: printers.podDisruptionBudgetColumns,
  }),

  hpa('v2'),
  hpa('v1', { storageVersion: 'autoscaling/v2' }),

  api('coordination.k8s.io', 'v1', { kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true, columns: printers.leaseColumns }),
  api('discovery.k8s.io', 'v1', {
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
    columns: printers.endpointSliceColumns,
  }),
  api('storage.k8s.io', 'v1', {
    kind: 'StorageClass',
    plural: 'storageclasses',
    singular: 'storageclass',
    shortNames: ['sc'],
    namespaced: false,
    columns: printers.storageClassColumns,
  }),
  api('scheduling.k8s.io', 'v1', {
    kind: 'PriorityClass',
    plural: 'priorityclasses',
    singular: 'priorityclass',
    shortNames: ['pc'],
    namespaced: false,
    columns: printers.priorityClassColumns,
  }),

  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    namespaced: false,
    subresources: { status: true },
    columns: printers.defaultTableColumns,
    schemaRef: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    hooks: customResourceDefinitionHooks,
  },
];

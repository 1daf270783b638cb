// The controller-manager: runs the registered controllers while it holds the controller-manager Lease.
import { ClusterController, DEFAULT_CLUSTER_CONTROLLER_OPTIONS, type ClusterControllerOptions } from './cluster/controller.js';
import { ClusterStatusController, DEFAULT_CLUSTER_STATUS_OPTIONS, type ClusterStatusOptions } from './cluster/status.js';
import { DEFAULT_NAMESPACE_SYNC_OPTIONS, NamespaceSyncController, type NamespaceSyncOptions } from './namespacesync/controller.js';
import { bindingController, DEFAULT_BINDING_WORKERS, type BindingControllerOptions } from './binding/controller.js';
import { dependenciesDistributor } from './binding/distributor.js';
import { DEFAULT_TEMPLATE_WORKERS, ResourceDetector } from './detector/detector.js';
import { DEFAULT_EXECUTION_OPTIONS, executionController, type ExecutionControllerOptions } from './execution/controller.js';
import { bindingStatusController } from './status/bindingstatus.js';
import { workStatusController } from './status/workstatus.js';
import { selectControllers, type Controller } from './runtime/controller.js';
import { parseDuration } from './runtime/flags.js';
import { runComponent, type ComponentConfig } from './runtime/process.js';

/** karmada-controller-manager's flags for the controllers here (node:util parseArgs options); durations as 10s, 500ms. */
export const CONTROLLER_MANAGER_FLAGS = {
  'cluster-status-update-frequency': { type: 'string' },
  'cluster-success-threshold': { type: 'string' },
  'cluster-failure-threshold': { type: 'string' },
  'cluster-cache-sync-timeout': { type: 'string' },
  'cluster-monitor-period': { type: 'string' },
  'cluster-monitor-grace-period': { type: 'string' },
  'cluster-startup-grace-period': { type: 'string' },
  'concurrent-cluster-syncs': { type: 'string' },
  'concurrent-namespace-syncs': { type: 'string' },
  'concurrent-resource-template-syncs': { type: 'string' },
  'concurrent-resourcebinding-syncs': { type: 'string' },
  'concurrent-clusterresourcebinding-syncs': { type: 'string' },
  'concurrent-work-syncs': { type: 'string' },
  'skipped-propagating-namespaces': { type: 'string' },
} as const;

export type ControllerManagerFlagValues = { [K in keyof typeof CONTROLLER_MANAGER_FLAGS]?: string };

export interface ControllerManagerOptions {
  cluster: ClusterControllerOptions;
  clusterStatus: ClusterStatusOptions;
  namespaceSync: NamespaceSyncOptions;
  templateWorkers: number;
  binding: BindingControllerOptions;
  execution: ExecutionControllerOptions;
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`invalid --${flag} "${value}" (a positive integer)`);
  return n;
}

/**
 * The options the flags select, defaults as karmada-controller-manager's, except the concurrency of the detector and
 * the execution controller (see their options).
 */
export function controllerManagerOptions(values: ControllerManagerFlagValues = {}): ControllerManagerOptions {
  const duration = (flag: keyof ControllerManagerFlagValues, fallback: number) => (values[flag] === undefined ? fallback : parseDuration(values[flag]!));
  const skipped = values['skipped-propagating-namespaces'];
  return {
    cluster: {
      monitorPeriodMs: duration('cluster-monitor-period', DEFAULT_CLUSTER_CONTROLLER_OPTIONS.monitorPeriodMs),
      monitorGracePeriodMs: duration('cluster-monitor-grace-period', DEFAULT_CLUSTER_CONTROLLER_OPTIONS.monitorGracePeriodMs),
      startupGracePeriodMs: duration('cluster-startup-grace-period', DEFAULT_CLUSTER_CONTROLLER_OPTIONS.startupGracePeriodMs),
    },
    clusterStatus: {
      statusUpdateFrequencyMs: duration('cluster-status-update-frequency', DEFAULT_CLUSTER_STATUS_OPTIONS.statusUpdateFrequencyMs),
      successThresholdMs: duration('cluster-success-threshold', DEFAULT_CLUSTER_STATUS_OPTIONS.successThresholdMs),
      failureThresholdMs: duration('cluster-failure-threshold', DEFAULT_CLUSTER_STATUS_OPTIONS.failureThresholdMs),
      cacheSyncTimeoutMs: duration('cluster-cache-sync-timeout', DEFAULT_CLUSTER_STATUS_OPTIONS.cacheSyncTimeoutMs),
      concurrentSyncs: positiveInt('concurrent-cluster-syncs', values['concurrent-cluster-syncs'], DEFAULT_CLUSTER_STATUS_OPTIONS.concurrentSyncs),
    },
    namespaceSync: {
      ...DEFAULT_NAMESPACE_SYNC_OPTIONS,
      // Karmada matches each expression against the whole name.
      skippedPropagatingNamespaces:
        skipped === undefined
          ? DEFAULT_NAMESPACE_SYNC_OPTIONS.skippedPropagatingNamespaces
          : skipped.split(',').map((s) => s.trim()).filter(Boolean).map((re) => new RegExp(`^(?:${re})$`)),
      concurrentSyncs: positiveInt('concurrent-namespace-syncs', values['concurrent-namespace-syncs'], DEFAULT_NAMESPACE_SYNC_OPTIONS.concurrentSyncs),
    },
    templateWorkers: positiveInt('concurrent-resource-template-syncs', values['concurrent-resource-template-syncs'], DEFAULT_TEMPLATE_WORKERS),
    binding: {
      workers: {
        ResourceBinding: positiveInt('concurrent-resourcebinding-syncs', values['concurrent-resourcebinding-syncs'], DEFAULT_BINDING_WORKERS),
        ClusterResourceBinding: positiveInt('concurrent-clusterresourcebinding-syncs', values['concurrent-clusterresourcebinding-syncs'], DEFAULT_BINDING_WORKERS),
      },
    },
    execution: { workers: positiveInt('concurrent-work-syncs', values['concurrent-work-syncs'], DEFAULT_EXECUTION_OPTIONS.workers) },
  };
}

/**
 * Every controller the controller-manager can run, by its --controllers name (Karmada's), built from the options;
 * issues that add a controller append it here.
 */
export const CONTROLLERS: ((o: ControllerManagerOptions) => Controller)[] = [
  (o) => new ClusterController(o.cluster),
  (o) => new ClusterStatusController(o.clusterStatus),
  (o) => new NamespaceSyncController(o.namespaceSync),
  (o) => new ResourceDetector({ skippedNamespaces: o.namespaceSync.skippedPropagatingNamespaces, templateWorkers: o.templateWorkers }),
  (o) => bindingController(o.binding),
  () => dependenciesDistributor(),
  (o) => executionController(o.execution),
  () => workStatusController(),
  () => bindingStatusController(),
];

/** Runs the controllers selected by controllersSpec (a --controllers value); see runComponent for the result. */
export function runControllerManagerProcess(config: ComponentConfig, controllersSpec: string, shutdown: AbortSignal, flags: ControllerManagerFlagValues = {}): Promise<number> {
  const options = controllerManagerOptions(flags);
  return runComponent(config, selectControllers(CONTROLLERS.map((make) => make(options)), controllersSpec), shutdown);
}

// Server-side printing of the built-in kinds (kube's pkg/printers/internalversion). Column names are kube's wire names
// ("Up-to-date"; kubectl upper-cases them) and cell types are kube's (counts are integers even under a "string"
// column). kube-apiserver always prints wide, so every column, priority 1 included, gets a cell; kubectl hides
// priority-1 columns unless -o wide.
//
// Objects served by kube-apiserver are always defaulted; where a field kube defaults is missing, the cell shows what
// kube would print for the defaulted object (e.g. spec.replicas 1, Service type ClusterIP, protocol TCP).
export {
  ageColumn,
  customResourceDefaultColumns,
  defaultTableColumns,
  formatLabels,
  formatLabelSelector,
  labelSelectorString,
  nameColumn,
} from './columns.js';
export * from './pods.js';
export * from './core.js';
export * from './workloads.js';
export * from './networking.js';
export * from './autoscaling.js';
export * from './cluster.js';

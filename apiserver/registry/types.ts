// The resource table: one ResourceType entry per served kind. Everything the apiserver needs to know about a kind is
// data in its entry; adding a kind means adding an entry.
import type { KObject } from '../../storage/store.js';
import type { FieldError } from '../errors.js';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0 = shown by default; >0 = shown with -o wide. */
  priority: number;
}

/** One printed column: its definition plus how to compute the cell from an object (the cell may be null). */
export interface TableColumn extends TableColumnDefinition {
  cell: (obj: KObject) => unknown;
}

export interface ScaleSubresource {
  /** JSON paths (dot form, e.g. ".spec.replicas"); labelSelectorPath may point at a label-selector object. */
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceType {
  group: string; // '' for core
  version: string;
  kind: string;
  listKind?: string; // defaults to kind + 'List'
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  subresources?: {
    status?: boolean;
    scale?: ScaleSubresource;
  };
  /** Verbs served; defaults to every verb. */
  verbs?: string[];
  /** Printer columns, Name first as kube lists it; without columns a kind prints Name and Age. */
  columns?: TableColumn[];
  /**
   * Extra fieldSelector fields beyond metadata.name and metadata.namespace, each mapped to the value to compare.
   */
  fieldSelectors?: Record<string, (obj: KObject) => string | undefined>;
  /**
   * Another group/version this resource is stored under (same objects, converted on the way in and out), e.g.
   * autoscaling/v1 horizontalpodautoscalers stored as autoscaling/v2.
   */
  storageVersion?: string;
  /** Name of the OpenAPI component schema for the kind, e.g. "io.k8s.api.apps.v1.Deployment". */
  schemaRef?: string;
  /** Served from a CustomResourceDefinition (custom-resource strategy: generation always tracked, no SMP). */
  custom?: boolean;
  hooks?: ObjectHooks;
}

/** Kind-specific object handling beyond the built-in strategies (custom resources provide these from their CRD). */
export interface ObjectHooks {
  /** Makes an incoming object canonical before validation: defaulting and pruning of unknown fields. */
  normalize?(obj: KObject): void;
  /** Kind-specific validation of the object about to be stored (old is set on update). */
  validate?(obj: KObject, old?: KObject): FieldError[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

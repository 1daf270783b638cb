// Server-side printing: the meta.k8s.io/v1 Table kube-apiserver returns for `Accept: application/json;as=Table;...`,
// which is what kubectl get renders.
import type { KObject } from '../storage/store.js';
import { badRequest } from './errors.js';
import { customResourceDefaultColumns } from './registry/printers/columns.js';
import type { ResourceType, TableColumn } from './registry/types.js';

export type IncludeObjectPolicy = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** What each row carries in `object`; kube's default is Metadata. */
  includeObject?: IncludeObjectPolicy;
  /** Leave out columnDefinitions (kube sends them only with the first Table of a watch). */
  noHeaders?: boolean;
  /** The negotiated meta.k8s.io version, which also versions each row's PartialObjectMetadata; default v1. */
  version?: 'v1' | 'v1beta1';
}

/** The includeObject query parameter; absent or empty means Metadata, anything unknown is a 400 as in kube. */
export function parseIncludeObject(value: string | undefined): IncludeObjectPolicy {
  if (value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`unrecognized includeObject value: ${JSON.stringify(value)}`);
}

/** The metadata of the list the rows come from. */
export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The printer columns of a resource; kinds that declare none get apiextensions' Name and Age. */
export function tableColumnsFor(rt: ResourceType): TableColumn[] {
  return rt.columns ?? customResourceDefaultColumns;
}

/**
 * The Table of a list's items (pass the list's metadata) or of a single object, such as a GET or a watch event's
 * object (omit listMeta: the Table then carries the object's resourceVersion, as kube's does).
 */
export function buildTable(rt: ResourceType, objects: KObject[], opts: TableOptions = {}, listMeta?: TableListMeta): object {
  const columns = tableColumnsFor(rt);
  const apiVersion = `meta.k8s.io/${opts.version ?? 'v1'}`;
  return {
    kind: 'Table',
    apiVersion,
    metadata: tableListMeta(listMeta ?? { resourceVersion: objects[0]?.metadata?.resourceVersion }),
    // Go serializes the nil definitions of a headerless table as null rather than omitting them.
    columnDefinitions: opts.noHeaders
      ? null
      : columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority })),
    rows: objects.map((obj) => ({ cells: columns.map((c) => c.cell(obj) ?? null), object: rowObject(obj, opts.includeObject ?? 'Metadata', apiVersion) })),
  };
}

function tableListMeta(meta: TableListMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (meta.resourceVersion) out.resourceVersion = meta.resourceVersion;
  if (meta.continue) out.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) out.remainingItemCount = meta.remainingItemCount;
  return out;
}

// includeObject=None leaves an empty RawExtension, which kube serializes as null.
function rowObject(obj: KObject, policy: IncludeObjectPolicy, apiVersion: string): object | null {
  switch (policy) {
    case 'Object':
      return obj;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata ?? {} };
    case 'None':
      return null;
  }
}

// What serving a CRD means for the resource table: one ResourceType per served version (named by the accepted names,
// sharing the storage version's objects), with its printer columns, selectable fields, schema-driven hooks and
// OpenAPI component schemas.
import type { Schema } from '../../openapi/facts.js';
import type { KObject } from '../../storage/store.js';
import { APIError } from '../errors.js';
import type { ObjectHooks, ResourceType, ScaleSubresource } from '../registry/types.js';
import { printerColumns } from './columns.js';
import { normalizer } from './defaulting.js';
import { versionSchemas } from './openapi.js';
import { isObject } from './structural.js';
import type { CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionVersion, JSONSchemaProps } from './types.js';
import { validator } from './validation.js';

/** Shared with the hooks of every version: set once the CRD is being deleted. */
export interface ServingState {
  terminating: boolean;
}

export interface Registration {
  resources: ResourceType[];
  schemas: Record<string, Schema>;
}

/** The storage version: the one marked `storage` (a valid CRD has exactly one). */
export function storageVersion(crd: CustomResourceDefinition): CustomResourceDefinitionVersion | undefined {
  return crd.spec.versions?.find((v) => v.storage);
}

export function registrationFor(crd: CustomResourceDefinition, names: CustomResourceDefinitionNames, state: ServingState): Registration {
  const group = crd.spec.group;
  const storage = storageVersion(crd)!.name;
  const listKind = names.listKind ?? `${names.kind}List`;
  const resources: ResourceType[] = [];
  const schemas: Record<string, Schema> = {};
  for (const v of crd.spec.versions.filter((v) => v.served)) {
    const schema = v.schema?.openAPIV3Schema;
    const published = versionSchemas(group, v.name, names.kind, listKind, schema);
    Object.assign(schemas, published.schemas);
    const scale = v.subresources?.scale;
    const rt: ResourceType = {
      group,
      version: v.name,
      kind: names.kind,
      listKind,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: crd.spec.scope === 'Namespaced',
      columns: printerColumns(v.additionalPrinterColumns),
      schemaRef: published.kindName,
      custom: true,
      hooks: hooksFor(schema, scale, state, { group, resource: names.plural }),
    };
    if (names.shortNames?.length) rt.shortNames = names.shortNames;
    if (names.categories?.length) rt.categories = names.categories;
    if (v.subresources?.status || scale) {
      rt.subresources = {};
      if (v.subresources?.status) rt.subresources.status = true;
      if (scale) rt.subresources.scale = { ...scale };
    }
    if (v.selectableFields?.length) rt.fieldSelectors = selectableFields(v.selectableFields);
    // Other versions read and write the storage version's objects (conversion strategy None: only apiVersion differs).
    if (v.name !== storage) rt.storageVersion = `${group}/${storage}`;
    resources.push(rt);
  }
  return { resources, schemas };
}

function hooksFor(schema: JSONSchemaProps | undefined, scale: ScaleSubresource | undefined, state: ServingState,
  gr: { group: string; resource: string }): ObjectHooks {
  const normalize = schema ? normalizer(schema) : undefined;
  const validate = schema ? validator(schema, scale) : undefined;
  return {
    normalize,
    validate(obj, old) {
      // kube refuses new objects once the CRD is being deleted, with a 405 rather than a validation error.
      if (!old && state.terminating)
        throw new APIError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', { group: gr.group, kind: gr.resource });
      return validate ? validate(obj, old) : [];
    },
  };
}

/** selectableFields: each JSON path becomes a field selector key (`.spec.color` → `spec.color`). */
function selectableFields(fields: { jsonPath: string }[]): NonNullable<ResourceType['fieldSelectors']> {
  const out: NonNullable<ResourceType['fieldSelectors']> = {};
  for (const { jsonPath } of fields) {
    const path = jsonPath.replace(/^\./, '').split('.');
    out[path.join('.')] = (obj: KObject) => {
      let cur: unknown = obj;
      for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
      if (typeof cur === 'string') return cur;
      if (typeof cur === 'boolean' || (typeof cur === 'number' && Number.isInteger(cur))) return String(cur);
      return undefined;
    };
  }
  return out;
}

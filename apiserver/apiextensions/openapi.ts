// The OpenAPI component schemas of a served CRD version, as kube's CRD OpenAPI builder publishes them: the CRD's
// schema with ObjectMeta, apiVersion and kind filled in (also in embedded resources), int-or-string unfolded, and a
// <Kind>List schema, both tagged with their group/version/kind so that the document builder and kubectl find them.
import type { Schema } from '../../openapi/facts.js';
import { V3_REF } from '../../openapi/facts.js';
import { isObject } from './structural.js';
import type { JSONSchemaProps } from './types.js';

const OBJECT_META = `${V3_REF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
const LIST_META = `${V3_REF}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta`;

/** kube's definition name of a custom kind: the group reversed, then version and kind (com.example.stable.v1.CronTab). */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export interface VersionSchemas {
  kindName: string;
  listName: string;
  schemas: Record<string, Schema>;
}

export function versionSchemas(group: string, version: string, kind: string, listKind: string, schema: JSONSchemaProps | undefined): VersionSchemas {
  const kindName = definitionName(group, version, kind);
  const listName = definitionName(group, version, listKind);
  const root: Schema = schema ? publish(structuredClone(schema)) : { type: 'object' };
  if (schema) {
    const props = (root.properties ??= {}) as Record<string, Schema>;
    Object.assign(props, typeMeta(), { metadata: { $ref: OBJECT_META } });
  }
  root['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
  const list: Schema = {
    required: ['items'],
    properties: { ...typeMeta(), items: { type: 'array', items: { $ref: V3_REF + kindName } }, metadata: { $ref: LIST_META } },
    'x-kubernetes-group-version-kind': [{ group, kind: listKind, version }],
  };
  return { kindName, listName, schemas: { [kindName]: root, [listName]: list } };
}

function typeMeta(): Record<string, Schema> {
  return { apiVersion: { type: 'string' }, kind: { type: 'string' } };
}

const INT_OR_STRING: Schema[] = [{ type: 'integer' }, { type: 'string' }];

/** Unfolds x-kubernetes-int-or-string into its anyOf and completes embedded resources, throughout the schema. */
function publish(s: Schema): Schema {
  for (const p of Object.values((s.properties ?? {}) as Record<string, Schema>)) publish(p);
  if (isObject(s.additionalProperties)) publish(s.additionalProperties as Schema);
  if (isObject(s.items)) publish(s.items as Schema);
  if (s['x-kubernetes-int-or-string'] === true && JSON.stringify(s.anyOf) !== JSON.stringify(INT_OR_STRING)) {
    if (s.anyOf === undefined) s.anyOf = structuredClone(INT_OR_STRING);
    else s.allOf = [{ anyOf: structuredClone(INT_OR_STRING) }, ...((s.allOf as Schema[] | undefined) ?? [])];
  }
  if (s['x-kubernetes-embedded-resource'] === true) {
    Object.assign((s.properties ??= {}) as Record<string, Schema>, typeMeta(), { metadata: { $ref: OBJECT_META } });
    const required = new Set((s.required as string[] | undefined) ?? []);
    s.required = [...required, ...['kind', 'apiVersion'].filter((f) => !required.has(f))];
  }
  return s;
}

// Reduces a published CustomResourceDefinition to its facts: what the apiserver needs to serve, validate, default,
// prune and print the kind. Prose (descriptions, titles, examples) stays upstream; everything that changes behaviour
// is kept, and an unknown schema keyword fails the generator instead of disappearing silently.
import type { KObject } from '../../storage/store.js';

type Node = Record<string, unknown>;

/** JSON-schema keywords whose value is data, kept as is. */
const VALUE_KEYWORDS = new Set([
  'type',
  'format',
  'required',
  'enum',
  'pattern',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
]);

/** Keywords that hold one sub-schema, or a list of them. */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not']);
const SCHEMA_LIST_KEYWORDS = new Set(['anyOf', 'oneOf', 'allOf']);

/** Documentation only: dropped. */
const PROSE_KEYWORDS = new Set(['description', 'title', 'example', 'externalDocs']);

/** One openAPIV3Schema node with its prose removed, recursively. */
export function schemaFacts(node: Node, path = '<root>'): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    if (PROSE_KEYWORDS.has(key)) continue;
    if (VALUE_KEYWORDS.has(key) || key.startsWith('x-kubernetes-')) out[key] = value;
    else if (key === 'properties')
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Node>).map(([name, sub]) => [name, schemaFacts(sub, `${path}.${name}`)]),
      );
    else if (SCHEMA_KEYWORDS.has(key)) out[key] = typeof value === 'boolean' ? value : schemaFacts(value as Node, `${path}.${key}`);
    else if (SCHEMA_LIST_KEYWORDS.has(key)) out[key] = (value as Node[]).map((sub, i) => schemaFacts(sub, `${path}.${key}[${i}]`));
    else throw new Error(`unknown schema keyword ${JSON.stringify(key)} at ${path}`);
  }
  return out;
}

interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  jsonPath: string;
}

/** The served facts of one published CRD: names, scope, and per version its schema, subresources and columns. */
export function crdFacts(crd: KObject): KObject {
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1' || crd.kind !== 'CustomResourceDefinition')
    throw new Error(`not an apiextensions.k8s.io/v1 CustomResourceDefinition: ${crd.apiVersion} ${crd.kind}`);
  const spec = crd.spec as Node;
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name: crd.metadata?.name },
    spec: {
      group: spec.group,
      names: spec.names,
      scope: spec.scope,
      ...(spec.conversion ? { conversion: spec.conversion } : {}),
      versions: (spec.versions as Node[]).map((v) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        ...(v.deprecated !== undefined ? { deprecated: v.deprecated, deprecationWarning: v.deprecationWarning } : {}),
        ...(v.subresources ? { subresources: v.subresources } : {}),
        ...(v.additionalPrinterColumns
          ? { additionalPrinterColumns: (v.additionalPrinterColumns as (PrinterColumn & { description?: string })[]).map(columnFacts) }
          : {}),
        schema: { openAPIV3Schema: schemaFacts((v.schema as { openAPIV3Schema: Node }).openAPIV3Schema, `${crd.metadata?.name}/${v.name}`) },
      })),
    },
  };
}

function columnFacts({ description: _prose, ...column }: PrinterColumn & { description?: string }): PrinterColumn {
  return column;
}


// Renders types.ts, TypeScript interfaces of the federation kinds, from the generated CRDs, so that the schema is the
// one source of truth. `node dist/openapi/karmada/generate-types.js` re-renders it from generated/crds.json (the
// facts generator, generate.ts, renders it too whenever it rewrites the CRDs).
//
// Nested objects become named interfaces: Karmada's Go type name where the property name says it (NAMES below),
// else the property name. Structurally identical objects share one interface, so PropagationPolicy and
// ClusterPropagationPolicy both have a PropagationSpec, as in Go.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KObject } from '../../storage/store.js';
import { stableStringify } from '../facts.js';
import { federationCRDs } from './crds.js';

export const TYPES_FILE = new URL('../../../openapi/karmada/types.ts', import.meta.url);

type Schema = Record<string, any>;

/** Go type names of the specs and statuses that are not `${kind}Spec` and `${kind}Status`. */
const TOP_NAMES: Record<string, { spec: string; status?: string }> = {
  PropagationPolicy: { spec: 'PropagationSpec' },
  ClusterPropagationPolicy: { spec: 'PropagationSpec' },
  OverridePolicy: { spec: 'OverrideSpec' },
  ClusterOverridePolicy: { spec: 'OverrideSpec' },
  ClusterResourceBinding: { spec: 'ResourceBindingSpec', status: 'ResourceBindingStatus' },
};

/** Go type names of objects, by the property holding them (for arrays: holding a list of them). */
const NAMES: Record<string, string> = {
  aggregatedStatus: 'AggregatedStatusItem',
  allocatableModelings: 'AllocatableModeling',
  annotationsOverrider: 'LabelAnnotationOverrider',
  apiEnablements: 'APIEnablement',
  application: 'ApplicationFailoverBehavior',
  argsOverrider: 'CommandArgsOverrider',
  clusterAffinities: 'ClusterAffinityTerm',
  clusterAffinity: 'ClusterAffinity',
  clusterTolerations: 'Toleration',
  clusters: 'TargetCluster',
  commandOverrider: 'CommandArgsOverrider',
  conditions: 'Condition',
  dispatchingOnClusters: 'SuspendClusters',
  failover: 'FailoverBehavior',
  fieldOverrider: 'FieldOverrider',
  gracefulEvictionTasks: 'GracefulEvictionTask',
  hardNodeAffinity: 'NodeSelector',
  identifier: 'ResourceIdentifier',
  imageOverrider: 'ImageOverrider',
  impersonatorSecretRef: 'LocalSecretReference',
  json: 'JSONPatchOperation',
  labelsOverrider: 'LabelAnnotationOverrider',
  manifestStatuses: 'ManifestStatus',
  matchExpressions: 'SelectorRequirement',
  matchFields: 'SelectorRequirement',
  nodeSelectorTerms: 'NodeSelectorTerm',
  overrideRules: 'RuleWithCluster',
  plaintext: 'PlaintextOverrider',
  predicate: 'ImagePredicate',
  ranges: 'ResourceModelRange',
  replicaRequirements: 'ReplicaRequirements',
  replicaScheduling: 'ReplicaSchedulingStrategy',
  requiredBy: 'BindingSnapshot',
  resource: 'ObjectReference',
  resourceModels: 'ResourceModel',
  resourceSelectors: 'ResourceSelector',
  resources: 'APIResource',
  rules: 'StatePreservationRule',
  secretRef: 'LocalSecretReference',
  spreadConstraints: 'SpreadConstraint',
  staticWeightList: 'StaticClusterWeight',
  targetCluster: 'ClusterAffinity',
  taints: 'Taint',
  tolerations: 'Toleration',
  weightPreference: 'ClusterPreferences',
  workload: 'WorkloadTemplate',
  yaml: 'YAMLPatchOperation',
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A TypeScript literal type for an enum value, quoted as the code base quotes strings. */
const literal = (v: unknown) => (typeof v === 'string' ? `'${v.replace(/['\\]/g, '\\$&')}'` : JSON.stringify(v));

class Renderer {
  /** Interface name by canonical schema text. */
  private readonly byShape = new Map<string, string>();
  private readonly taken = new Set<string>();
  /** The rendered interfaces: of the kinds, and of the objects nested in them. */
  private readonly kinds: string[] = [];
  private readonly nested: string[] = [];

  kind(crd: KObject): void {
    const version = (crd.spec.versions as Schema[]).find((v) => v.storage)!;
    const kind: string = crd.spec.names.kind;
    const root = version.schema.openAPIV3Schema as Schema;
    const { spec, status } = root.properties;
    const names = TOP_NAMES[kind] ?? { spec: `${kind}Spec` };
    const lines = [
      `/** ${crd.spec.group}/${version.name} ${kind} (${crd.spec.scope === 'Cluster' ? 'cluster-scoped' : 'namespaced'}). */`,
      `export interface ${kind} {`,
      '  apiVersion?: string;',
      '  kind?: string;',
      '  metadata?: Record<string, any>;',
      `  spec${root.required?.includes('spec') ? '' : '?'}: ${this.object(spec, names.spec)};`,
      ...(status ? [`  status?: ${this.object(status, names.status ?? `${kind}Status`)};`] : []),
      '}',
    ];
    this.kinds.push(lines.join('\n'));
  }

  /** The interface name for an object schema with properties, rendering it on first sight. */
  private object(schema: Schema, wanted: string, parent = ''): string {
    const shape = stableStringify(schema);
    const known = this.byShape.get(shape);
    if (known) return known;
    let name = this.taken.has(wanted) ? `${parent}${wanted}` : wanted;
    for (let n = 2; this.taken.has(name); n++) name = `${parent}${wanted}${n}`;
    this.taken.add(name);
    this.byShape.set(shape, name);
    const required = new Set<string>(schema.required ?? []);
    const fields = Object.keys(schema.properties)
      .sort()
      .map((p) => `  ${p}${required.has(p) ? '' : '?'}: ${this.type(schema.properties[p], p, name)};`);
    this.nested.push([`export interface ${name} {`, ...fields, '}'].join('\n'));
    return name;
  }

  private type(schema: Schema, property: string, parent: string): string {
    if (schema['x-kubernetes-int-or-string']) return 'number | string';
    if (schema.enum) return (schema.enum as unknown[]).map(literal).join(' | ');
    switch (schema.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        const item = this.itemType(schema.items, property, parent);
        return item.includes('|') ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
        if (schema.properties) return this.object(schema, NAMES[property] ?? pascal(property), parent);
        if (typeof schema.additionalProperties === 'object') return `Record<string, ${this.type(schema.additionalProperties, property, parent)}>`;
        return 'Record<string, unknown>';
      default:
        // Untyped with x-kubernetes-preserve-unknown-fields: any JSON value.
        return 'unknown';
    }
  }

  private itemType(items: Schema, property: string, parent: string): string {
    if (items.type === 'object' && items.properties) return this.object(items, NAMES[property] ?? `${pascal(property)}Item`, parent);
    return this.type(items, property, parent);
  }

  text(): string {
    return [
      '// Generated by openapi/karmada/generate-types.ts from openapi/karmada/generated/crds.json. Do not edit.',
      '',
      // Kind interfaces first, then the nested ones in the order they were met.
      [...this.kinds, ...this.nested].join('\n\n'),
      '',
    ].join('\n');
  }
}

/** types.ts for the given CRDs (each kind at its storage version). */
export function renderTypes(crds: KObject[]): string {
  const r = new Renderer();
  for (const crd of crds) r.kind(crd);
  return r.text();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(fileURLToPath(TYPES_FILE), renderTypes(federationCRDs()));
  console.log(`wrote ${fileURLToPath(TYPES_FILE)}`);
}

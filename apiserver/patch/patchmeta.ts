// The patch facts of each field, which kube's apiserver reads from the Go struct tags (patchStrategy,
// patchMergeKey) of built-in types; here from the OpenAPI extensions generated from those same tags.
import { V3_REF } from '../../openapi/facts.js';

export interface SchemaSource {
  get(name: string): object | undefined;
}

type Node = Record<string, unknown>;

export interface PatchMeta {
  /** x-kubernetes-patch-strategy split at commas, e.g. ["merge", "retainKeys"]; empty when absent. */
  strategies: string[];
  /** x-kubernetes-patch-merge-key, or '' when absent. */
  mergeKey: string;
}

const NO_META: PatchMeta = { strategies: [], mergeKey: '' };

/** A position in the schema tree; an unknown position (no schema) has no patch facts anywhere below it. */
export class PatchSchema {
  private constructor(
    private readonly source: SchemaSource,
    private readonly node: Node | undefined,
  ) {}

  static named(source: SchemaSource, name: string): PatchSchema {
    return new PatchSchema(source, source.get(name) as Node | undefined);
  }

  /** Field `key` of this object, or any key when this is a map (additionalProperties). */
  field(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const prop = this.node && findProperty(this.source, this.node, key);
    return prop ? { schema: new PatchSchema(this.source, prop), meta: metaOf(prop) } : { schema: this.at(undefined), meta: NO_META };
  }

  /** List field `key`: the schema of its elements and the field's patch facts. */
  listField(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const { schema, meta } = this.field(key);
    return { schema: this.at(schema.node && firstOf(this.source, schema.node, 'items')), meta };
  }

  /** The Go kind of the type here, as kube's PatchMetaFromStruct.Name() reports it in errors. */
  kindName(): string {
    const n = this.node;
    if (!n) return 'interface';
    if (n.$ref || n.allOf || n.properties) return 'struct';
    switch (n.type) {
      case 'string': return 'string';
      case 'integer': return n.format === 'int32' ? 'int32' : 'int64';
      case 'number': return 'float64';
      case 'boolean': return 'bool';
      case 'object': return n.additionalProperties ? 'map' : 'struct';
    }
    return 'interface';
  }

  private at(node: Node | undefined): PatchSchema {
    return new PatchSchema(this.source, node);
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The schema itself ($ref followed) and, in turn, the members of its allOf. */
function* layers(source: SchemaSource, node: Node): Generator<Node> {
  let n: Node | undefined = node;
  while (n && typeof n.$ref === 'string' && n.$ref.startsWith(V3_REF)) n = source.get(n.$ref.slice(V3_REF.length)) as Node | undefined;
  if (!n) return;
  yield n;
  if (Array.isArray(n.allOf)) for (const member of n.allOf) if (isNode(member)) yield* layers(source, member);
}

function firstOf(source: SchemaSource, node: Node, key: 'items' | 'additionalProperties'): Node | undefined {
  for (const layer of layers(source, node)) if (isNode(layer[key])) return layer[key];
  return undefined;
}

function findProperty(source: SchemaSource, node: Node, key: string): Node | undefined {
  for (const layer of layers(source, node)) {
    const props = layer.properties;
    if (isNode(props) && Object.hasOwn(props, key) && isNode(props[key])) return props[key];
  }
  return firstOf(source, node, 'additionalProperties');
}

function metaOf(prop: Node): PatchMeta {
  const strategy = prop['x-kubernetes-patch-strategy'];
  const mergeKey = prop['x-kubernetes-patch-merge-key'];
  return {
    strategies: typeof strategy === 'string' ? strategy.split(',') : [],
    mergeKey: typeof mergeKey === 'string' ? mergeKey : '',
  };
}

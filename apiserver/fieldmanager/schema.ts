// The shape structured-merge-diff needs from an OpenAPI schema: scalars, maps (structs with declared fields and/or
// free-form entries; granular or atomic) and lists (atomic, sets, or maps keyed by some fields), plus the "deduced"
// type kube gives untyped data, which takes the shape of the value it meets (maps granular, lists atomic).
// Derivation follows kube-openapi's schemaconv: x-kubernetes-list-type wins; without it a merge patch strategy makes a
// list a map keyed by the merge key (a set when there is none); anything else is atomic.
import { isObject } from './json.js';

export interface SchemaSource {
  get(name: string): object | undefined;
}

type Facts = { [key: string]: unknown };

export type ScalarKind = 'string' | 'numeric' | 'boolean' | 'untyped';

export interface ScalarType {
  kind: 'scalar';
  scalar: ScalarKind;
}

export interface MapType {
  kind: 'map';
  atomic: boolean;
  /** The type of a declared field, undefined when the field is not declared. */
  field(name: string): TypeNode | undefined;
  /** The type of entries that are not declared fields (additionalProperties, unknown fields kept), if any. */
  elem: TypeNode | undefined;
}

export interface ListType {
  kind: 'list';
  atomic: boolean;
  /** For associative lists: the key fields (map lists) or [] (sets). */
  keys: readonly string[];
  elem: TypeNode;
  /** The schema default of a key field, used when an item omits it. */
  keyDefault(name: string): unknown;
}

export interface DeducedType {
  kind: 'deduced';
}

export type TypeNode = ScalarType | MapType | ListType | DeducedType;

export const DEDUCED: DeducedType = { kind: 'deduced' };
const UNTYPED: ScalarType = { kind: 'scalar', scalar: 'untyped' };
const SCALARS: Record<string, ScalarType> = {
  string: { kind: 'scalar', scalar: 'string' },
  integer: { kind: 'scalar', scalar: 'numeric' },
  number: { kind: 'scalar', scalar: 'numeric' },
  boolean: { kind: 'scalar', scalar: 'boolean' },
};

/** What a deduced type is for a map value: granular, every entry deduced. */
export const DEDUCED_MAP: MapType = { kind: 'map', atomic: false, field: () => undefined, elem: DEDUCED };
/** What a deduced type is for a list value: atomic. */
export const DEDUCED_LIST: ListType = { kind: 'list', atomic: true, keys: [], elem: DEDUCED, keyDefault: () => undefined };

const REF_PREFIX = '#/components/schemas/';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

// kube's schemas declare these list-map key defaults (`+default="TCP"`); the committed facts predate them, and without
// a default every port item that leaves protocol out would be unkeyable.
const KEY_DEFAULTS: Record<string, Record<string, unknown>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
};

const refName = (ref: unknown): string | undefined =>
  typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;

/**
 * Types by schema object. A schema's references are resolved once, when its type is first built: the registry
 * replaces a kind's components all together (a custom resource's re-registration brings new objects), so a type
 * built from the objects the registry hands out now stays right for them.
 */
export class TypeResolver {
  private readonly cache = new WeakMap<object, TypeNode>();
  private readonly roots = new WeakMap<object, TypeNode>();

  constructor(private readonly schemas: SchemaSource) {}

  /**
   * The type of a kind's component schema; deduced when there is none. A kind's metadata is always ObjectMeta (custom
   * resource schemas declare it as a bare object).
   */
  root(schemaName: string | undefined): TypeNode {
    const schema = schemaName === undefined ? undefined : this.schemas.get(schemaName);
    if (!schema) return DEDUCED;
    let root = this.roots.get(schema);
    if (!root) {
      const node = this.resolve(schema);
      const meta = this.schemas.get(OBJECT_META) ? this.named(OBJECT_META) : undefined;
      root = node.kind === 'map' && meta ? { ...node, field: (name) => (name === 'metadata' ? meta : node.field(name)) } : node;
      this.roots.set(schema, root);
    }
    return root;
  }

  named(name: string): TypeNode {
    const schema = this.schemas.get(name);
    return schema ? this.resolve(schema) : DEDUCED;
  }

  resolve(schema: object): TypeNode {
    let node = this.cache.get(schema);
    if (!node) {
      const s = schema as Facts;
      const ref = refName(s.$ref);
      node = ref !== undefined && Object.keys(s).length === 1 ? this.named(ref) : this.build(this.flatten(s).facts);
      this.cache.set(schema, node);
    }
    return node;
  }

  // A schema's facts with its $ref and allOf parts folded in (its own keys win), and the component its properties
  // come from (which names the key defaults of list items).
  private flatten(s: Facts): { facts: Facts; owner: string | undefined } {
    const parts: Facts[] = [];
    let owner: string | undefined;
    const ref = refName(s.$ref);
    if (ref !== undefined) {
      owner = ref;
      parts.push(this.schemas.get(ref) as Facts ?? {});
    }
    for (const sub of Array.isArray(s.allOf) ? s.allOf : []) {
      if (!isObject(sub)) continue;
      const inner = this.flatten(sub);
      owner ??= inner.owner;
      parts.push(inner.facts);
    }
    if (!parts.length) return { facts: s, owner };
    const facts: Facts = Object.assign({}, ...parts, s);
    delete facts.$ref;
    delete facts.allOf;
    return { facts, owner };
  }

  private build(f: Facts): TypeNode {
    if (f['x-kubernetes-int-or-string'] === true || f.format === 'int-or-string') return UNTYPED;
    const type = f.type;
    if (type === 'array' || f.items !== undefined) return this.list(f);
    const properties = isObject(f.properties) ? f.properties : undefined;
    const extra = f.additionalProperties;
    const embedded = f['x-kubernetes-embedded-resource'] === true;
    if (properties || isObject(extra) || extra === true || embedded) return this.map(f, properties ?? {}, embedded);
    if (typeof type === 'string' && SCALARS[type]) return SCALARS[type];
    const alternatives = [f.oneOf, f.anyOf].filter(Array.isArray).flat() as unknown[];
    if (alternatives.length && alternatives.every((a) => isObject(a) && typeof a.type === 'string' && SCALARS[a.type]))
      return UNTYPED;
    return DEDUCED;
  }

  private map(f: Facts, properties: Facts, embedded: boolean): MapType {
    const extra = f.additionalProperties;
    const elem = isObject(extra) ? this.resolve(extra)
      : extra === true || f['x-kubernetes-preserve-unknown-fields'] === true ? DEDUCED : undefined;
    // Only declared names are remembered: free-form maps are asked about every key their values hold.
    const fields = new Map<string, TypeNode>();
    const field = (name: string): TypeNode | undefined => {
      const known = fields.get(name);
      if (known) return known;
      const p = Object.prototype.hasOwnProperty.call(properties, name) ? properties[name] : undefined;
      if (isObject(p)) {
        const node = this.resolve(p);
        fields.set(name, node);
        return node;
      }
      if (!embedded) return undefined;
      // An embedded resource always carries its type and object metadata.
      if (name === 'apiVersion' || name === 'kind') return SCALARS.string;
      if (name === 'metadata') return this.named(OBJECT_META);
      return undefined;
    };
    return { kind: 'map', atomic: f['x-kubernetes-map-type'] === 'atomic', field, elem };
  }

  private list(f: Facts): ListType {
    const items = isObject(f.items) ? f.items : undefined;
    const elem = items ? this.resolve(items) : DEDUCED;
    const itemFacts = items ? this.flatten(items) : undefined;
    const keyDefault = (name: string): unknown => {
      const props = itemFacts && isObject(itemFacts.facts.properties) ? itemFacts.facts.properties : {};
      const declared = isObject(props[name]) ? (props[name] as Facts).default : undefined;
      return declared ?? (itemFacts?.owner ? KEY_DEFAULTS[itemFacts.owner]?.[name] : undefined);
    };
    const listType = f['x-kubernetes-list-type'];
    const associative = (keys: readonly string[]): ListType => ({ kind: 'list', atomic: false, keys, elem, keyDefault });
    if (listType === 'map') {
      const keys = f['x-kubernetes-list-map-keys'];
      return associative(Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : []);
    }
    if (listType === 'set') return associative([]);
    if (listType === undefined) {
      const strategy = typeof f['x-kubernetes-patch-strategy'] === 'string' ? f['x-kubernetes-patch-strategy'] : '';
      if (strategy.split(',').includes('merge')) {
        const mergeKey = f['x-kubernetes-patch-merge-key'];
        return associative(typeof mergeKey === 'string' ? [mergeKey] : []);
      }
    }
    return { kind: 'list', atomic: true, keys: [], elem, keyDefault };
  }
}

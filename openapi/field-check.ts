// Server-side field validation: what kube's strict JSON decoder (sigs.k8s.io/json) notices while decoding a body into
// a typed object — unknown fields, duplicate fields, values of the wrong JSON type — found by walking the value along
// its OpenAPI schema. Schemas are compiled once into a node graph; a check is one walk.
//
// Order matters to clients: kube reports problems in the order its decoder meets them. With the raw JSON text that is
// document order; without it (YAML bodies, patched objects) kube re-encodes maps with sorted keys, so we sort too.
import type { Schema } from './facts.js';
import { V3_REF } from './facts.js';
import { duplicateFieldError, goUnmarshalTypeError, jsonPatchStrictError, QUANTITY_FORMAT_ERROR, schemaTypeError, unknownFieldError } from './messages.js';
import { NumberLiteral, OrderedObject, parseOrdered } from './ordered-json.js';

export interface FieldTypeError {
  /** kube field path, e.g. `spec.template.spec.containers[0].ports[0].containerPort`. */
  path: string;
  /** Expected JSON type (`integer`, `string`, …). */
  expected: string;
  /** The JSON type found. */
  actual: string;
  /**
   * kube's text: for built-in kinds Go's decode error (`json: cannot unmarshal string into Go struct field
   * DeploymentSpec.spec.replicas of type int32`), for added (custom resource) schemas the schema validation detail
   * (`spec.replicas in body must be of type integer: "string"`).
   */
  message: string;
}

export interface FieldCheckResult {
  unknownFields: string[];
  duplicateFields: string[];
  /** Built-in kinds: at most one, the first the decoder meets (Go keeps only that). Added schemas: all. */
  typeErrors: FieldTypeError[];
  /** `unknown field "…"` / `duplicate field "…"` in kube's order, deduplicated, at most 100 (as kube). */
  strictErrors: string[];
}

const STRING = 1, INTEGER = 2, NUMBER = 4, BOOLEAN = 8, ARRAY = 16, OBJECT = 32;
const MAX_STRICT_ERRORS = 100;

/** A compiled schema node. `accept` 0 means any JSON type. */
interface Node {
  accept: number;
  /** Go type named in decode errors. */
  goType: string;
  /** JSON type named in schema-validation errors. */
  jsonType: string;
  /** Go struct name, for struct nodes. */
  goStruct?: string;
  props?: Map<string, Node>;
  values?: Node;
  items?: Node;
  intRange?: [bigint, bigint];
  quantity?: boolean;
  /** Unknown members are kept, not reported (x-kubernetes-preserve-unknown-fields). */
  preserveUnknown?: boolean;
  /** Decoded by a custom unmarshaler from raw bytes: nothing below is checked (RawExtension, FieldsV1). */
  opaque?: boolean;
}

const OPAQUE: Node = { accept: 0, goType: 'interface {}', jsonType: 'object', opaque: true };
/** Untyped JSON (under preserve-unknown-fields, or unknown members of custom resources): only duplicates count. */
const UNTYPED: Node = { accept: 0, goType: 'interface {}', jsonType: 'object', preserveUnknown: true };
UNTYPED.items = UNTYPED;

const INT32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const INT64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export class FieldChecker {
  private readonly nodes = new Map<string, Node>();
  private readonly roots = new Map<string, Node>();

  /**
   * `resolve` finds a component schema by name; `isBuiltin` tells kube's Go types (decode-error messages, opaque
   * raw fields) from schemas added at runtime (custom resources: schema-validation messages, everything untyped).
   */
  constructor(private readonly resolve: (name: string) => Schema | undefined, private readonly isBuiltin: (name: string) => boolean) {}

  /** Forget compiled nodes (after schemas changed). */
  invalidate(): void {
    this.nodes.clear();
    this.roots.clear();
  }

  check(schemaName: string, obj: unknown, rawJson?: string): FieldCheckResult {
    let value = obj;
    if (rawJson !== undefined) {
      try {
        value = parseOrdered(rawJson);
      } catch {
        // Not the text of obj after all: check obj, without duplicates.
      }
    }
    const walk = new Walk(this.isBuiltin(schemaName));
    walk.value(this.root(schemaName), value, '', '', '');
    return walk.result;
  }

  /** A top-level object always has apiVersion, kind and metadata, whether the schema says so or not. */
  private root(name: string): Node {
    let root = this.roots.get(name);
    if (!root) {
      const node = this.named(name);
      root = node.props && !(node.props.has('apiVersion') && node.props.has('kind') && node.props.has('metadata'))
        ? { ...node, props: this.withTypeMeta(node.props) } : node;
      this.roots.set(name, root);
    }
    return root;
  }

  private withTypeMeta(props: Map<string, Node>): Map<string, Node> {
    const out = new Map(props);
    if (!out.has('apiVersion')) out.set('apiVersion', scalar(STRING, 'string', 'string'));
    if (!out.has('kind')) out.set('kind', scalar(STRING, 'string', 'string'));
    if (!out.has('metadata')) out.set('metadata', this.resolve(OBJECT_META) ? this.named(OBJECT_META) : OPAQUE);
    return out;
  }

  private named(name: string): Node {
    let node = this.nodes.get(name);
    if (node) return node;
    const schema = this.resolve(name);
    if (!schema) return OPAQUE;
    node = { accept: 0, goType: '', jsonType: '' };
    this.nodes.set(name, node); // before filling: schemas may refer to themselves
    this.fill(node, schema, name);
    return node;
  }

  private compile(schema: Schema | undefined): Node {
    if (!schema) return UNTYPED;
    const ref = refName(schema);
    if (ref) return this.named(ref);
    const node: Node = { accept: 0, goType: '', jsonType: '' };
    this.fill(node, schema);
    return node;
  }

  private fill(node: Node, s: Schema, name?: string): void {
    node.goType = goTypeOf(s, this.resolve, name);
    const types = typesOf(s);
    node.jsonType = types.join(' or ') || 'object';
    for (const t of types) node.accept |= TYPE_BITS[t] ?? 0;
    if (s['x-kubernetes-int-or-string'] === true) {
      node.accept = STRING | INTEGER;
      node.jsonType = 'integer or string';
    }
    const int32 = s.format === 'int32' || s.format === 'int-or-string' || s['x-kubernetes-int-or-string'] === true;
    if (node.accept & INTEGER && !(node.accept & NUMBER)) node.intRange = int32 ? INT32 : INT64;
    if (name === QUANTITY) node.quantity = true;
    node.preserveUnknown = s['x-kubernetes-preserve-unknown-fields'] === true;

    const props = s.properties as Record<string, Schema> | undefined;
    const additional = s.additionalProperties;
    if (props) {
      node.goStruct = name ? shortName(name) : 'Object';
      node.props = new Map(Object.entries(props).map(([k, sub]) => [k, this.compile(sub)]));
      if (s['x-kubernetes-embedded-resource'] === true) node.props = this.withTypeMeta(node.props);
    } else if (additional !== undefined && additional !== false) {
      node.values = additional === true ? UNTYPED : this.compile(additional as Schema);
    } else if (types.includes('object') || (types.length === 0 && !s.oneOf)) {
      // An object (or any value) the schema says nothing more about.
      if (name && this.isBuiltin(name)) node.opaque = true; // Go decodes it from raw bytes: RawExtension, FieldsV1, JSON
      else if (s['x-kubernetes-embedded-resource'] === true) {
        node.goStruct = 'Object';
        node.props = this.withTypeMeta(new Map());
      } else if (node.preserveUnknown || !types.length) node.preserveUnknown = true;
      else {
        // A custom resource's object without fields: everything in it is pruned, so unknown.
        node.goStruct = 'Object';
        node.props = new Map();
      }
    }
    if (types.includes('array')) node.items = this.compile(s.items as Schema | undefined);
  }
}

const TYPE_BITS: Record<string, number> = {
  string: STRING, integer: INTEGER, number: NUMBER | INTEGER, boolean: BOOLEAN, array: ARRAY, object: OBJECT,
};

function scalar(accept: number, goType: string, jsonType: string): Node {
  return { accept, goType, jsonType };
}

/** The JSON types a schema admits: its `type`, or the types of a oneOf union (IntOrString, Quantity). */
function typesOf(s: Schema): string[] {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.oneOf)) return (s.oneOf as Schema[]).map((o) => o.type).filter((t): t is string => typeof t === 'string');
  if (s.properties || s.additionalProperties) return ['object'];
  return [];
}

function refName(s: Schema): string | undefined {
  const ref = s.$ref ?? (Array.isArray(s.allOf) && s.allOf.length === 1 ? (s.allOf[0] as Schema).$ref : undefined);
  return typeof ref === 'string' && ref.startsWith(V3_REF) ? ref.slice(V3_REF.length) : undefined;
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** The Go type kube's decoder would name for a value of this schema (e.g. `[]v1.Container`, `map[string]string`). */
function goTypeOf(s: Schema, resolve: (name: string) => Schema | undefined, name?: string): string {
  const ref = name ? undefined : refName(s);
  if (name || ref) {
    const target = name ? s : resolve(ref!);
    return target ? namedGoType(name ?? ref!, target, resolve) : 'interface {}';
  }
  switch (s.type) {
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return s.format === 'float' ? 'float32' : 'float64';
    case 'boolean': return 'bool';
    case 'array': return '[]' + goTypeOf((s.items as Schema) ?? {}, resolve);
    case 'object':
      return typeof s.additionalProperties === 'object'
        ? 'map[string]' + goTypeOf(s.additionalProperties as Schema, resolve) : 'map[string]interface {}';
  }
  return 'interface {}';
}

function namedGoType(name: string, s: Schema, resolve: (name: string) => Schema | undefined): string {
  // IntOrString's unmarshaler decodes a non-string into its int32; Time and friends decode their underlying string.
  if (s.format === 'int-or-string') return 'int32';
  if (!s.properties && s.type !== 'object' && name !== QUANTITY) return goTypeOf(s, resolve);
  const parts = name.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

type Kind = 'null' | 'boolean' | 'string' | 'number' | 'array' | 'object';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof NumberLiteral) return 'number';
  const t = typeof v;
  return t === 'boolean' || t === 'string' || t === 'number' ? t : 'object';
}

function numberText(v: unknown): string {
  return v instanceof NumberLiteral ? v.text : String(v);
}

function isIntegerLiteral(v: unknown): boolean {
  return /^-?\d+$/.test(numberText(v));
}

function* members(obj: unknown): Generator<[string, unknown]> {
  if (obj instanceof OrderedObject) {
    for (let i = 0; i < obj.keys.length; i++) yield [obj.keys[i], obj.values[i]];
    return;
  }
  const rec = obj as Record<string, unknown>;
  for (const key of Object.keys(rec).sort()) yield [key, rec[key]];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** One check: the walk state and what it found. */
class Walk {
  readonly result: FieldCheckResult = { unknownFields: [], duplicateFields: [], typeErrors: [], strictErrors: [] };
  private readonly seen = new Set<string>();

  /** `typed`: decoding into kube's Go types (built-in kinds) rather than validating an unstructured object. */
  constructor(private readonly typed: boolean) {}

  /** `goStruct`/`goField`: the decoder's error context — innermost struct and the dotted field path (no indices). */
  value(node: Node, v: unknown, path: string, goStruct: string, goField: string): void {
    if (node.opaque) return;
    const kind = kindOf(v);
    if (kind === 'null') return;
    if (node.accept && !this.admits(node, v, kind)) {
      this.typeError(node, v, kind, path, goStruct, goField);
      return;
    }
    if (kind === 'array') {
      const items = node.items ?? (node.accept ? OPAQUE : UNTYPED);
      (v as unknown[]).forEach((item, i) => this.value(items, item, `${path}[${i}]`, goStruct, goField));
    } else if (kind === 'object') {
      if (node.props) this.struct(node, v, path, goField);
      else if (node.values) this.map(node.values, v, path, goStruct, goField);
      else if (node.preserveUnknown || !node.accept) this.map(UNTYPED, v, path, goStruct, goField);
    }
  }

  private struct(node: Node, obj: unknown, path: string, goField: string): void {
    const seen = new Set<string>();
    for (const [key, v] of members(obj)) {
      const childPath = join(path, key);
      const prop = node.props!.get(key);
      if (prop) {
        if (seen.has(key)) this.strict('duplicate', childPath);
        seen.add(key);
        this.value(prop, v, childPath, node.goStruct!, join(goField, key));
      } else if (node.preserveUnknown) {
        if (seen.has(key)) this.strict('duplicate', childPath);
        seen.add(key);
        this.value(UNTYPED, v, childPath, node.goStruct!, join(goField, key));
      } else {
        this.strict('unknown', childPath);
        // Go skips an unknown member's value; an unstructured decode still sees duplicates inside it.
        if (!this.typed) this.value(UNTYPED, v, childPath, node.goStruct!, join(goField, key));
      }
    }
  }

  private map(values: Node, obj: unknown, path: string, goStruct: string, goField: string): void {
    const seen = new Set<string>();
    for (const [key, v] of members(obj)) {
      const childPath = join(path, key);
      if (seen.has(key)) this.strict('duplicate', childPath);
      seen.add(key);
      this.value(values, v, childPath, goStruct, goField);
    }
  }

  private admits(node: Node, v: unknown, kind: Kind): boolean {
    switch (kind) {
      case 'string': return (node.accept & STRING) !== 0;
      case 'boolean': return (node.accept & BOOLEAN) !== 0;
      case 'array': return (node.accept & ARRAY) !== 0;
      case 'object': return (node.accept & OBJECT) !== 0;
      case 'number':
        if (node.accept & NUMBER) return true;
        if (!(node.accept & INTEGER) || !isIntegerLiteral(v)) return false;
        if (!node.intRange) return true;
        const n = BigInt(numberText(v));
        return n >= node.intRange[0] && n <= node.intRange[1];
    }
    return true;
  }

  private typeError(node: Node, v: unknown, kind: Kind, path: string, goStruct: string, goField: string): void {
    if (this.typed && this.result.typeErrors.length) return;
    const actual = kind === 'number' ? (isIntegerLiteral(v) ? 'integer' : 'number') : kind;
    let message: string;
    if (!this.typed) message = schemaTypeError(path, node.jsonType, actual);
    else if (node.quantity) message = QUANTITY_FORMAT_ERROR;
    else {
      const goValue = kind === 'boolean' ? 'bool'
        : kind === 'number' && node.accept & (INTEGER | NUMBER) ? `number ${numberText(v)}` : kind;
      message = goUnmarshalTypeError(goValue, node.goType, goStruct, goField);
    }
    this.result.typeErrors.push({ path, expected: node.jsonType, actual, message });
  }

  private strict(what: 'unknown' | 'duplicate', path: string): void {
    const message = what === 'unknown' ? unknownFieldError(path) : duplicateFieldError(path);
    if (this.seen.has(message) || this.result.strictErrors.length >= MAX_STRICT_ERRORS) return;
    this.seen.add(message);
    this.result.strictErrors.push(message);
    (what === 'unknown' ? this.result.unknownFields : this.result.duplicateFields).push(path);
  }
}

/** Duplicate members anywhere in a JSON text (merge and strategic-merge patch bodies), as kube's messages. */
export function duplicateFieldErrors(rawJson: string): string[] {
  const walk = new Walk(false);
  walk.value(UNTYPED, parseOrdered(rawJson), '', '', '');
  return walk.result.strictErrors;
}

/** json-patch operations are decoded into {op, path, from, value}: their own unknown/duplicate members. */
const JSON_PATCH_STRING = scalar(STRING, 'string', 'string');
const JSON_PATCH_OP: Node = {
  accept: OBJECT, goType: 'handlers.jsonPatchOp', jsonType: 'object', goStruct: 'jsonPatchOp',
  props: new Map([['op', JSON_PATCH_STRING], ['path', JSON_PATCH_STRING], ['from', JSON_PATCH_STRING], ['value', UNTYPED]]),
};
const JSON_PATCH: Node = { accept: ARRAY, goType: '[]handlers.jsonPatchOp', jsonType: 'array', items: JSON_PATCH_OP };

export function jsonPatchStrictErrors(rawJson: string): string[] {
  const walk = new Walk(true);
  walk.value(JSON_PATCH, parseOrdered(rawJson), '', '', '');
  return walk.result.strictErrors.map(jsonPatchStrictError);
}

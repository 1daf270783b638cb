// A small controller-gen: turns the Go API types of one package (its types.go) into a structural openAPIV3Schema the
// way `controller-gen crd` does. Karmada serves Cluster from its aggregated apiserver and publishes no CRD for it,
// so its schema comes from pkg/apis/cluster/v1alpha1/types.go. Only the Go forms such files use are understood;
// anything else fails loudly rather than producing a schema that silently differs from controller-gen's.
type Schema = Record<string, unknown>;

interface GoField {
  /** The Go field name, or '' for an embedded (inline) type. */
  name: string;
  type: string;
  json: string;
  omitempty: boolean;
  markers: string[];
}

interface GoType {
  markers: string[];
  /** Underlying type for `type X string`, or the fields of `type X struct {}`. */
  underlying?: string;
  fields?: GoField[];
}

const QUANTITY: Schema = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  'x-kubernetes-int-or-string': true,
};

/** Types from k8s.io packages, as controller-gen renders them (their markers included). */
const EXTERNAL: Record<string, Schema> = {
  'resource.Quantity': QUANTITY,
  'corev1.ResourceList': { type: 'object', additionalProperties: QUANTITY },
  'metav1.Time': { type: 'string', format: 'date-time' },
  'corev1.Taint': {
    type: 'object',
    properties: {
      effect: { type: 'string' },
      key: { type: 'string' },
      timeAdded: { type: 'string', format: 'date-time' },
      value: { type: 'string' },
    },
    required: ['effect', 'key'],
  },
  'metav1.Condition': {
    type: 'object',
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time' },
      message: { type: 'string', maxLength: 32768 },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      type: {
        type: 'string',
        maxLength: 316,
        pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      },
    },
    required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
  },
};

const BUILTIN: Record<string, Schema> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  int: { type: 'integer' },
  uint: { type: 'integer' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
};

/**
 * controller-gen's validation markers this translator does not implement. They make it fail; markers outside
 * controller-gen's registry (Karmada's misspelt `Maxlength`, say) are ignored, as controller-gen ignores them.
 */
const UNSUPPORTED_VALIDATION = new Set([
  'MaxLength', 'MinLength', 'Pattern', 'Minimum', 'Maximum', 'ExclusiveMinimum', 'ExclusiveMaximum', 'MultipleOf',
  'MinItems', 'MaxItems', 'UniqueItems', 'MinProperties', 'MaxProperties', 'Format', 'Type', 'XValidation',
  'XEmbeddedResource', 'XIntOrString', 'Schemaless', 'Nullable',
]);

/** Reads the type declarations of a Go source file: `type X struct {...}` and `type X <underlying>`. */
export function parseGoTypes(source: string): Map<string, GoType> {
  const types = new Map<string, GoType>();
  const lines = source.split('\n');
  // Markers of the comment groups above a declaration; a line of code ends them.
  let pending: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('//')) {
      const marker = /^\/\/\s*\+(\S.*)$/.exec(line);
      if (marker) pending.push(marker[1]);
      continue;
    }
    if (line === '') continue;
    const struct = /^type (\w+) struct \{$/.exec(line);
    const alias = /^type (\w+) (\S+)$/.exec(line);
    if (struct) {
      const fields: GoField[] = [];
      let fieldMarkers: string[] = [];
      for (i++; lines[i].trim() !== '}'; i++) {
        const l = lines[i].trim();
        const marker = /^\/\/\s*\+(\S.*)$/.exec(l);
        if (marker) fieldMarkers.push(marker[1]);
        else if (l === '') fieldMarkers = [];
        else if (!l.startsWith('//')) {
          fields.push(parseField(l, fieldMarkers, struct[1]));
          fieldMarkers = [];
        }
      }
      types.set(struct[1], { markers: pending, fields });
    } else if (alias) {
      types.set(alias[1], { markers: pending, underlying: alias[2] });
    }
    pending = [];
  }
  return types;
}

function parseField(line: string, markers: string[], owner: string): GoField {
  const m = /^(?:(\w+)\s+)?([\w.*[\]]+)\s+`([^`]*)`$/.exec(line);
  const tag = m && /json:"([^"]*)"/.exec(m[3]);
  if (!m || !tag) throw new Error(`${owner}: cannot read field ${JSON.stringify(line)}`);
  const [json, ...options] = tag[1].split(',');
  return { name: m[1] ?? '', type: m[2], json, omitempty: options.includes('omitempty'), markers };
}

/** The openAPIV3Schema of `root` (e.g. "Cluster"), as controller-gen would generate it. */
export function goTypeSchema(types: Map<string, GoType>, root: string): Schema {
  return typeSchema(types, root, []);
}

function typeSchema(types: Map<string, GoType>, type: string, markers: string[]): Schema {
  if (type.startsWith('*')) return typeSchema(types, type.slice(1), markers);
  if (type.startsWith('[]')) return withMarkers({ type: 'array', items: typeSchema(types, type.slice(2), []) }, markers);
  const map = /^map\[string\](.+)$/.exec(type);
  if (map) return withMarkers({ type: 'object', additionalProperties: typeSchema(types, map[1], []) }, markers);
  const known = BUILTIN[type] ?? EXTERNAL[type];
  if (known) return withMarkers(structuredClone(known), markers);
  const decl = types.get(type);
  if (!decl) throw new Error(`unknown Go type ${type}`);
  if (decl.underlying) return typeSchema(types, decl.underlying, [...decl.markers, ...markers]);
  return withMarkers(structSchema(types, decl.fields!), markers);
}

function structSchema(types: Map<string, GoType>, fields: GoField[]): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const f of fields) {
    if (f.json === '-') continue;
    if (f.type === 'metav1.TypeMeta') {
      properties.apiVersion = { type: 'string' };
      properties.kind = { type: 'string' };
      continue;
    }
    if (f.type === 'metav1.ObjectMeta') {
      properties.metadata = { type: 'object' };
      continue;
    }
    if (!f.name || !f.json) throw new Error(`embedded field ${f.type} is not supported`);
    properties[f.json] = typeSchema(types, f.type, f.markers);
    const optional = f.omitempty || f.markers.includes('optional');
    if (f.markers.includes('required') || f.markers.includes('kubebuilder:validation:Required') || !optional) required.push(f.json);
  }
  return { type: 'object', properties, ...(required.length ? { required: required.sort() } : {}) };
}

function withMarkers(schema: Schema, markers: string[]): Schema {
  for (const marker of markers) {
    const validation = /^kubebuilder:validation:(\w+)(?:=(.*))?$/.exec(marker);
    if (!validation) continue;
    const [, name, arg] = validation;
    if (name === 'Enum') schema.enum = arg.split(';');
    else if (UNSUPPORTED_VALIDATION.has(name)) throw new Error(`marker +${marker} is not supported by this translator`);
  }
  return schema;
}

/** Type-level kubebuilder markers of `type`: its scope and whether it has a status subresource. */
export function resourceMarkers(types: Map<string, GoType>, type: string): { scope: 'Namespaced' | 'Cluster'; status: boolean } {
  const markers = types.get(type)?.markers ?? [];
  const scope = markers.map((m) => /^kubebuilder:resource:.*scope="?(\w+)"?/.exec(m)?.[1]).find(Boolean);
  return { scope: scope === 'Cluster' ? 'Cluster' : 'Namespaced', status: markers.includes('kubebuilder:subresource:status') };
}

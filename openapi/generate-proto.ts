// `node dist/openapi/generate-proto.js DIR`: regenerates openapi/generated/proto-messages.json from the upstream
// generated.proto files under DIR (kubernetes/api, apimachinery, apiextensions-apiserver; kept outside the repository).
// Only facts leave: field numbers, types and JSON names of the messages the served kinds reach — never the comments.
//
// The .proto files do not say two things the decoder needs, so they are read off the committed OpenAPI facts: which
// message a group/version/kind is, and the JSON name of a field where Go's differs from the proto one (`$ref`,
// `x-kubernetes-…`, and structs Go embeds inline, whose fields appear in the parent object).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DELETE_OPTIONS_MESSAGE, PROTO_MESSAGES_FILE, SCALAR_TYPES, UNKNOWN_MESSAGE, type FieldFact, type MessageFact, type ProtoFacts,
} from '../apiserver/protobuf/facts.js';
import { gvkList, stableStringify, type Schema } from './facts.js';
import { loadBuiltinSchemas } from './schemas.js';

/** A field as written in the .proto file; `type` and `key` are still unresolved names. */
export interface ProtoField {
  name: string;
  number: number;
  type: string;
  repeated: boolean;
  key?: string;
}

export interface ProtoFile {
  package: string;
  messages: Map<string, ProtoField[]>;
}

/** Kinds every group registers (DeleteOptions, WatchEvent, …) live here; the decoder knows DeleteOptions itself. */
const META_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1.';

const TOKEN = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\/\/[^\n]*|\/\*[\s\S]*?\*\/|[A-Za-z0-9_.]+|\S/g;

/** Parses the proto2 subset go-to-protobuf writes: top-level messages of scalar, message and map fields. */
export function parseProto(text: string): ProtoFile {
  const tokens = (text.match(TOKEN) ?? []).filter((t) => !t.startsWith('//') && !t.startsWith('/*'));
  let i = 0;
  const next = (): string => {
    if (i >= tokens.length) throw new Error('unexpected end of .proto file');
    return tokens[i++];
  };
  const expect = (want: string): void => {
    const got = next();
    if (got !== want) throw new Error(`expected "${want}" in .proto file, got "${got}" (token ${i})`);
  };
  const skipStatement = (): void => {
    while (next() !== ';');
  };
  const fieldNumber = (): number => {
    const n = Number(next());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`bad field number at token ${i}`);
    return n;
  };
  const fieldEnd = (): void => {
    let t = next();
    if (t === '[') {
      while (next() !== ']');
      t = next();
    }
    if (t !== ';') throw new Error(`expected ";" after field, got "${t}" (token ${i})`);
  };

  const file: ProtoFile = { package: '', messages: new Map() };
  while (i < tokens.length) {
    const t = next();
    if (t === 'package') {
      file.package = next();
      expect(';');
    } else if (t === 'syntax' || t === 'import' || t === 'option') {
      skipStatement();
    } else if (t === 'message') {
      const name = next();
      expect('{');
      const fields: ProtoField[] = [];
      for (let f = next(); f !== '}'; f = next()) {
        if (f === 'optional' || f === 'repeated' || f === 'required') {
          const type = next();
          const fieldName = next();
          expect('=');
          fields.push({ name: fieldName, number: fieldNumber(), type, repeated: f === 'repeated' });
          fieldEnd();
        } else if (f === 'map') {
          expect('<');
          const key = next();
          expect(',');
          const type = next();
          expect('>');
          const fieldName = next();
          expect('=');
          fields.push({ name: fieldName, number: fieldNumber(), type, repeated: false, key });
          fieldEnd();
        } else if (f === 'option' || f === 'reserved') {
          skipStatement();
        } else if (f !== ';') {
          throw new Error(`unsupported "${f}" in message ${name} (nested messages, enums and oneofs are not expected)`);
        }
      }
      file.messages.set(`${file.package}.${name}`, fields);
    } else if (t !== ';') {
      throw new Error(`unsupported top-level "${t}" in .proto file`);
    }
  }
  return file;
}

/** proto `k8s.io.apiextensions_apiserver.pkg…` ↔ OpenAPI `io.k8s.apiextensions-apiserver.pkg…` (the Go import path). */
export function openApiName(message: string): string {
  return message.replace(/^k8s\.io\./, 'io.k8s.').replace(/_/g, '-');
}

function protoName(definition: string): string {
  return definition.replace(/^io\.k8s\./, 'k8s.io.').replace(/-/g, '_');
}

/** Resolves a type name as protoc does: absolute with a leading dot, else from the innermost enclosing package out. */
function resolveType(type: string, pkg: string, known: ReadonlyMap<string, unknown>): string {
  if (SCALAR_TYPES.has(type)) return type;
  if (type.startsWith('.')) {
    if (known.has(type.slice(1))) return type.slice(1);
  } else {
    for (let scope = pkg; ; scope = scope.slice(0, Math.max(scope.lastIndexOf('.'), 0))) {
      const candidate = scope ? `${scope}.${type}` : type;
      if (known.has(candidate)) return candidate;
      if (!scope) break;
    }
  }
  throw new Error(`unresolved type "${type}" in package ${pkg}`);
}

const normalized = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The facts for every message the OpenAPI kinds, the envelope and DeleteOptions reach. `problems` collects fields
 * that exist on one side only, which is how .proto files and OpenAPI document from different releases show.
 */
export function buildProtoFacts(files: readonly ProtoFile[], schemas: Record<string, Schema>, problems: string[] = []): ProtoFacts {
  const raw = new Map<string, { pkg: string; fields: ProtoField[] }>();
  for (const file of files)
    for (const [name, fields] of file.messages) {
      if (raw.has(name)) throw new Error(`message ${name} defined twice`);
      raw.set(name, { pkg: file.package, fields });
    }

  const kinds: ProtoFacts['kinds'] = {};
  for (const [definition, schema] of Object.entries(schemas)) {
    const message = protoName(definition);
    if (!raw.has(message) || message.startsWith(META_PACKAGE)) continue;
    for (const gvk of gvkList(schema)) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      (kinds[apiVersion] ??= {})[gvk.kind] = message;
    }
  }

  const messages: Record<string, MessageFact> = {};
  const pending = [UNKNOWN_MESSAGE, DELETE_OPTIONS_MESSAGE, ...Object.values(kinds).flatMap((byKind) => Object.values(byKind))];
  while (pending.length) {
    const name = pending.pop()!;
    if (name in messages) continue;
    const entry = raw.get(name);
    if (!entry) throw new Error(`no message ${name} in the .proto files`);
    const fields: Record<string, FieldFact> = {};
    for (const f of entry.fields) {
      const fact: FieldFact = { name: f.name, type: resolveType(f.type, entry.pkg, raw) };
      if (f.repeated) fact.repeated = true;
      if (f.key !== undefined) fact.key = resolveType(f.key, entry.pkg, raw);
      if (!SCALAR_TYPES.has(fact.type)) pending.push(fact.type);
      fields[f.number] = fact;
    }
    messages[name] = { fields };
  }

  for (const [name, message] of Object.entries(messages)) nameJsonFields(name, message, messages, schemas, problems);
  return { kinds, messages };
}

/** Sets `json`/`inline` where Go's JSON shape differs from the proto field names, judged by the OpenAPI properties. */
function nameJsonFields(name: string, message: MessageFact, messages: Record<string, MessageFact>,
  schemas: Record<string, Schema>, problems: string[]): void {
  const properties = schemas[openApiName(name)]?.properties as Record<string, Schema> | undefined;
  if (!properties) return;
  const props = Object.keys(properties);
  const covered = new Set<string>();
  for (const field of Object.values(message.fields)) {
    if (field.name in properties) {
      covered.add(field.name);
      continue;
    }
    const renamed = props.filter((p) => normalized(p) === normalized(field.name));
    const embedded = messages[field.type];
    if (renamed.length === 1) {
      field.json = renamed[0];
      covered.add(renamed[0]);
    } else if (embedded && !field.repeated && field.key === undefined
      && Object.values(embedded.fields).some((f) => f.name in properties)) {
      field.inline = true;
      for (const f of Object.values(embedded.fields)) {
        if (f.name in properties) covered.add(f.name);
        else problems.push(`${name}: inlined ${field.name}.${f.name} has no OpenAPI property`);
      }
    } else {
      problems.push(`${name}: field ${field.name} has no OpenAPI property`);
    }
  }
  for (const p of props)
    if (!covered.has(p) && p !== 'apiVersion' && p !== 'kind') problems.push(`${name}: OpenAPI property ${p} has no proto field`);
}

function protoFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.proto'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node dist/openapi/generate-proto.js DIR-WITH-GENERATED-PROTOS');
  const files = protoFiles(resolve(dir)).map((path) => parseProto(readFileSync(path, 'utf8')));
  const problems: string[] = [];
  const facts = buildProtoFacts(files, loadBuiltinSchemas().schemas, problems);
  const output = fileURLToPath(PROTO_MESSAGES_FILE);
  writeFileSync(output, stableStringify(facts, 1) + '\n');
  for (const p of problems.sort()) console.warn(`note: ${p}`);
  console.log(`wrote ${Object.keys(facts.messages).length} messages for ${Object.values(facts.kinds)
    .reduce((n, k) => n + Object.keys(k).length, 0)} kinds from ${files.length} .proto files to ${output}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

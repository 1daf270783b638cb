// The component schemas the apiserver knows — the generated built-in facts plus whatever is added at runtime (custom
// resources, federation types) — and what is served from them: the /openapi/v3 index and per-group-version documents
// (serialized once per change, hashed as kube does) and field validation of request bodies.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ResourceType } from '../apiserver/registry/types.js';
import { buildDocument, groupVersionPath, type SchemaSource } from './document.js';
import { gvkKey, gvkList, stableStringify, type GroupVersionKind, type Schema } from './facts.js';
import { FieldChecker, type FieldCheckResult } from './field-check.js';

/** Where the generator writes and the registry reads the built-in facts (from dist/openapi/ back to the source tree). */
export const BUILTIN_SCHEMAS_FILE = new URL('../../openapi/generated/builtin-schemas.json', import.meta.url);

export interface BuiltinSchemas {
  version: string;
  schemas: Record<string, Schema>;
}

export function loadBuiltinSchemas(file: URL = BUILTIN_SCHEMAS_FILE): BuiltinSchemas {
  return JSON.parse(readFileSync(file, 'utf8')) as BuiltinSchemas;
}

/** A serialized document as served: body, kube's hash of it (uppercase hex SHA-512) and the ETag header value. */
export interface ServedDocument {
  body: string;
  hash: string;
  etag: string;
}

/** kube's content hash for /openapi/v3 documents. */
export function openApiHash(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

function served(value: unknown): ServedDocument {
  const body = stableStringify(value);
  const hash = openApiHash(body);
  return { body, hash, etag: `"${hash}"` };
}

export class SchemaRegistry implements SchemaSource {
  private readonly schemas = new Map<string, Schema>();
  private readonly builtin = new Set<string>();
  private readonly byGvk = new Map<string, string>();
  private readonly version: string;
  private readonly checker = new FieldChecker((name) => this.schemas.get(name), (name) => this.builtin.has(name));
  /** Bumped on every schema change; cached documents of older generations are rebuilt. */
  private generation = 0;
  private readonly documents = new Map<string, { generation: number; fingerprint: string; doc: ServedDocument }>();

  constructor(builtins: BuiltinSchemas = loadBuiltinSchemas()) {
    this.version = builtins.version;
    for (const [name, schema] of Object.entries(builtins.schemas)) {
      this.schemas.set(name, schema);
      this.builtin.add(name);
    }
    this.reindex();
  }

  get(name: string): Schema | undefined {
    return this.schemas.get(name);
  }

  has(name: string): boolean {
    return this.schemas.has(name);
  }

  isBuiltin(name: string): boolean {
    return this.builtin.has(name);
  }

  /** The component schema carrying this group/version/kind in its x-kubernetes-group-version-kind. */
  schemaForKind(gvk: GroupVersionKind): string | undefined {
    return this.byGvk.get(gvkKey(gvk));
  }

  /** Adds or replaces component schemas ($refs as `#/components/schemas/NAME`). */
  addSchemas(record: Record<string, Schema>): void {
    for (const [name, schema] of Object.entries(record)) {
      this.schemas.set(name, schema);
      this.builtin.delete(name);
    }
    this.changed();
  }

  removeSchemas(names: Iterable<string>): void {
    for (const name of names) {
      this.schemas.delete(name);
      this.builtin.delete(name);
    }
    this.changed();
  }

  private changed(): void {
    this.generation++;
    this.checker.invalidate();
    this.reindex();
  }

  private reindex(): void {
    this.byGvk.clear();
    for (const [name, schema] of this.schemas)
      for (const gvk of gvkList(schema)) if (!this.byGvk.has(gvkKey(gvk))) this.byGvk.set(gvkKey(gvk), name);
  }

  /** Unknown, duplicate and mistyped fields of `obj` against a component schema (see FieldChecker). */
  checkObject(schemaName: string, obj: unknown, rawJson?: string): FieldCheckResult {
    return this.checker.check(schemaName, obj, rawJson);
  }

  /** The /openapi/v3 index: one entry per served group/version, its URL carrying the document's hash. */
  openApiV3Paths(resources: readonly ResourceType[]): { paths: Record<string, { serverRelativeURL: string }> } {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gvPath of new Set(resources.map((rt) => groupVersionPath(rt.group, rt.version))).values())
      paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${this.document(gvPath, resources)!.hash}` };
    return { paths };
  }

  /** The OpenAPI v3 document of one group/version (`api/v1`, `apis/apps/v1`), or undefined if nothing is served there. */
  openApiV3Document(gvPath: string, resources: readonly ResourceType[]): Record<string, unknown> | undefined {
    const doc = this.document(gvPath, resources);
    return doc && (JSON.parse(doc.body) as Record<string, unknown>);
  }

  /** The serialized /openapi/v3 index. */
  index(resources: readonly ResourceType[]): ServedDocument {
    return served(this.openApiV3Paths(resources));
  }

  /** The serialized document of one group/version, cached until the schemas or its resources change. */
  document(gvPath: string, resources: readonly ResourceType[]): ServedDocument | undefined {
    const own = resources.filter((rt) => groupVersionPath(rt.group, rt.version) === gvPath);
    if (!own.length) return undefined;
    const fingerprint = JSON.stringify(own.map((rt) => [rt.kind, rt.listKind, rt.plural, rt.namespaced, rt.verbs, rt.schemaRef,
      rt.subresources?.status, rt.subresources?.scale !== undefined]));
    const cached = this.documents.get(gvPath);
    if (cached && cached.generation === this.generation && cached.fingerprint === fingerprint) return cached.doc;
    const doc = served(buildDocument(own, this, this.version));
    this.documents.set(gvPath, { generation: this.generation, fingerprint, doc });
    return doc;
  }
}

/**
 * The response headers kube's OpenAPI v3 handler sets for a group/version document. A request naming the current hash
 * may be cached forever; a stale hash is redirected (301) to the current URL.
 */
export function openApiV3ResponseHeaders(gvPath: string, doc: ServedDocument, requestedHash: string | undefined,
  now = new Date()): { status: 200 | 301; headers: Record<string, string> } {
  if (requestedHash !== undefined && requestedHash !== '' && requestedHash !== doc.hash)
    return { status: 301, headers: { location: `/openapi/v3/${gvPath}?hash=${doc.hash}` } };
  const headers: Record<string, string> = { 'content-type': 'application/json', etag: doc.etag, vary: 'Accept' };
  if (requestedHash) {
    headers['cache-control'] = 'public, immutable';
    headers.expires = new Date(now.getTime() + 365 * 24 * 3600 * 1000).toUTCString();
  } else headers['cache-control'] = 'no-cache, private';
  return { status: 200, headers };
}

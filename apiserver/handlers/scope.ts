// What a request handler knows about the request it serves, independent of the HTTP framework.
import type { KObject } from '../../storage/store.js';
import type { FieldCheckResult } from '../../openapi/field-check.js';
import type { AdmissionChain } from '../admission/chain.js';
import type { FieldManager } from '../fieldmanager/index.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/resourcestore.js';
import type { ResourceType } from '../registry/types.js';

/** Schema-driven checks of decoded objects (implemented over the OpenAPI facts). */
export interface FieldChecker {
  checkObject(schemaName: string, obj: unknown, rawJson?: string): FieldCheckResult;
  /** The OpenAPI component schema of that name (for patch metadata). */
  get(name: string): object | undefined;
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export interface ServerContext {
  registry: Registry;
  admission: AdmissionChain;
  fields: FieldChecker;
  /** Keeps metadata.managedFields and performs server-side apply. */
  fieldManager: FieldManager;
  /** Interval between BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
}

export interface RequestScope {
  server: ServerContext;
  rt: ResourceType;
  store: ResourceStore;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: Record<string, string | undefined>;
  user?: UserInfo;
  userAgent?: string;
  body?: Buffer;
  contentType?: string;
  /** Warning texts to return as `Warning: 299 - "…"` headers. */
  warnings: string[];
}

export interface ObjectResult {
  code: number;
  /** For a list, everything but its items. */
  object: KObject;
  /** The object as JSON, when storage handed it over as such: a JSON response sends it unchanged. */
  json?: Buffer | string;
  /**
   * A list's metadata and items. The items are JSON bytes, so that a JSON response splices in what storage holds;
   * the other renderings parse them.
   */
  list?: { items: Buffer[]; metadata: Record<string, unknown> };
}

/** The result for an object at hand only as JSON bytes, parsed only for a response that needs more than them. */
export function encodedResult(code: number, json: Buffer): ObjectResult {
  let object: KObject | undefined;
  return {
    code,
    json,
    get object() {
      return (object ??= JSON.parse(json.toString()) as KObject);
    },
  };
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject;
  /** object as JSON text, when storage handed it over as such. */
  json?: string;
  /** object's resourceVersion, when storage handed it over. */
  rv?: number;
}

export interface WatchStream {
  /**
   * Starts delivery; returns a function that stops it. `end` is called when the server ends the watch. `backfill`
   * marks the events that catch the watcher up (the initial state, the replay of history): they are all sent at once,
   * ahead of every live event, so they do not show how fast the client keeps up.
   */
  start(send: (e: WatchEvent, backfill: boolean) => void, end: () => void): () => void;
}

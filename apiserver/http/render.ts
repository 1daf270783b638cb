// Encodes handler results in the negotiated representation: JSON, YAML, meta.k8s.io Table or PartialObjectMetadata.
import YAML from 'yaml';
import type { KObject } from '../../storage/store.js';
import type { ObjectResult, WatchEvent } from '../handlers/scope.js';
import type { ResourceType } from '../registry/types.js';
import { buildTable, parseIncludeObject } from '../tables.js';
import type { Representation } from './negotiation.js';

export interface Encoded {
  contentType: string;
  body: string;
}

function partial(obj: KObject, version: string): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function encodeResult(result: ObjectResult, rep: Representation, rt: ResourceType, query: Record<string, string | undefined>): Encoded {
  const isStatus = result.object.kind === 'Status';
  if (rep.kind === 'table' && !isStatus) {
    const items = result.list ? result.list.items : [result.object];
    return json(buildTable(rt, items, { includeObject: parseIncludeObject(query.includeObject), version: rep.version }, result.list?.metadata as never));
  }
  if (rep.kind === 'partial' && !isStatus) {
    if (result.list)
      return json({ kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${rep.version}`, metadata: result.list.metadata, items: result.list.items.map((i) => partial(i, rep.version)) });
    return json(partial(result.object, rep.version));
  }
  if (rep.kind === 'object' && rep.format === 'yaml') return { contentType: 'application/yaml', body: YAML.stringify(result.object) };
  return json(result.object);
}

function json(value: unknown): Encoded {
  return { contentType: 'application/json', body: JSON.stringify(value) };
}

// Watch events share their object between every watcher of a resource; serialise each object once.
const serialized = new WeakMap<KObject, string>();

function objectJSON(obj: KObject): string {
  let s = serialized.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    serialized.set(obj, s);
  }
  return s;
}

/** Returns a per-watch encoder of events into newline-terminated JSON WatchEvent frames. */
export function watchEncoder(rep: Representation, rt: ResourceType, query: Record<string, string | undefined>): (e: WatchEvent) => string {
  if (rep.kind === 'table') {
    let first = true;
    const include = parseIncludeObject(query.includeObject);
    return (e) => {
      if (e.type === 'BOOKMARK' || e.type === 'ERROR') return `{"type":"${e.type}","object":${JSON.stringify(e.object)}}\n`;
      const table = buildTable(rt, [e.object], { includeObject: include, noHeaders: !first, version: rep.version });
      first = false;
      return `{"type":"${e.type}","object":${JSON.stringify(table)}}\n`;
    };
  }
  if (rep.kind === 'partial')
    return (e) => `{"type":"${e.type}","object":${JSON.stringify(e.type === 'ERROR' ? e.object : partial(e.object, rep.version))}}\n`;
  return (e) => `{"type":"${e.type}","object":${objectJSON(e.object)}}\n`;
}

// Encodes handler results in the negotiated representation: JSON, YAML, meta.k8s.io Table or PartialObjectMetadata.
import YAML from 'yaml';
import type { KObject } from '../../storage/store.js';
import type { ObjectResult, WatchEvent } from '../handlers/scope.js';
import type { ResourceType } from '../registry/types.js';
import { buildTable, parseIncludeObject } from '../tables.js';
import type { Representation } from './negotiation.js';

export interface Encoded {
  contentType: string;
  body: string | Buffer;
}

function partial(obj: KObject, version: string): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function encodeResult(result: ObjectResult, rep: Representation, rt: ResourceType, query: Record<string, string | undefined>): Encoded {
  if (result.json !== undefined && rep.kind === 'object' && rep.format === 'json') return { contentType: 'application/json', body: result.json };
  const isStatus = result.object.kind === 'Status';
  const list = result.list;
  const items = () => list!.items.map((i) => JSON.parse(i.toString()) as KObject);
  if (rep.kind === 'table' && !isStatus) {
    return json(buildTable(rt, list ? items() : [result.object], { includeObject: parseIncludeObject(query.includeObject), version: rep.version }, list?.metadata as never));
  }
  if (rep.kind === 'partial' && !isStatus) {
    if (list)
      return json({ kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${rep.version}`, metadata: list.metadata, items: items().map((i) => partial(i, rep.version)) });
    return json(partial(result.object, rep.version));
  }
  if (rep.kind === 'object' && rep.format === 'yaml') return { contentType: 'application/yaml', body: YAML.stringify(list ? { ...result.object, items: items() } : result.object) };
  if (list) return { contentType: 'application/json', body: splicedList(result.object, list.items) };
  return json(result.object);
}

const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']}');

/** The list as JSON.stringify would write it, with the items' bytes spliced in after the other members. */
function splicedList(head: KObject, items: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(head).slice(0, -1)},"items":[`)];
  for (const item of items) {
    if (parts.length > 1) parts.push(COMMA);
    parts.push(item);
  }
  parts.push(CLOSE_LIST);
  return Buffer.concat(parts);
}

function json(value: unknown): Encoded {
  return { contentType: 'application/json', body: JSON.stringify(value) };
}

// Watch events share their object between every watcher of a resource; serialise each object (that storage did not
// hand over as text) once.
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
  return (e) => `{"type":"${e.type}","object":${e.json ?? objectJSON(e.object)}}\n`;
}

// The protobuf facts the decoder runs on: what `openapi/generate-proto.ts` extracts from the upstream generated.proto
// files into openapi/generated/proto-messages.json.
import { readFileSync } from 'node:fs';

/**
 * One field of a message. `type` is a protobuf scalar name (`string`, `int64`, …) or the fully qualified name of a
 * message; `key` marks a map (`type` is then the value type). `json` is set when the JSON name differs from the proto
 * name; `inline` when Go embeds the struct, so its fields appear directly in the parent object.
 */
export interface FieldFact {
  name: string;
  type: string;
  json?: string;
  inline?: true;
  repeated?: true;
  key?: string;
}

export interface MessageFact {
  /** By field number. */
  fields: Record<string, FieldFact>;
}

export interface ProtoFacts {
  /** apiVersion → kind → fully qualified message name. */
  kinds: Record<string, Record<string, string>>;
  messages: Record<string, MessageFact>;
}

/** The envelope every protobuf body comes in, and the body DELETE takes in any group (kube registers it in each). */
export const UNKNOWN_MESSAGE = 'k8s.io.apimachinery.pkg.runtime.Unknown';
export const DELETE_OPTIONS_MESSAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';

export const PROTO_MESSAGES_FILE = new URL('../../../openapi/generated/proto-messages.json', import.meta.url);

export function loadProtoFacts(file: URL = PROTO_MESSAGES_FILE): ProtoFacts {
  return JSON.parse(readFileSync(file, 'utf8')) as ProtoFacts;
}

export const SCALAR_TYPES: ReadonlySet<string> = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

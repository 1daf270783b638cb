// Decodes `application/vnd.kubernetes.protobuf` request bodies (kubectl 1.32+ sends them for built-in kinds) into the
// JSON object Go's encoding/json would print for the same value, driven by the facts in proto-messages.json.
//
// Go's marshaller writes every non-pointer field, so zero strings, numbers and empty structs arrive on the wire and are
// kept: kube-apiserver cannot tell them from absent fields either, and dropping them would also drop pointer fields
// set to zero (replicas: 0, automountServiceAccountToken: false), which the .proto files cannot tell apart.
// int64 values beyond ±2^53 become decimal strings rather than lose digits.
import { DELETE_OPTIONS_MESSAGE, loadProtoFacts, UNKNOWN_MESSAGE, type ProtoFacts } from './facts.js';

export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** "k8s\0": what kube's protobuf serializer puts before the runtime.Unknown envelope. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const enum Kind { Double, Float, Int32, Int64, Uint32, Uint64, Bool, String, Bytes, Fixed32, Fixed64, Sfixed32, Sfixed64, Message, JsonBytes }

const SCALAR_KINDS: Record<string, Kind> = {
  double: Kind.Double, float: Kind.Float, int32: Kind.Int32, int64: Kind.Int64, uint32: Kind.Uint32, uint64: Kind.Uint64,
  bool: Kind.Bool, string: Kind.String, bytes: Kind.Bytes, fixed32: Kind.Fixed32, fixed64: Kind.Fixed64,
  sfixed32: Kind.Sfixed32, sfixed64: Kind.Sfixed64,
};

/** The wire type each kind is written with when not packed. */
const WIRE: Record<Kind, number> = {
  [Kind.Double]: 1, [Kind.Float]: 5, [Kind.Int32]: 0, [Kind.Int64]: 0, [Kind.Uint32]: 0, [Kind.Uint64]: 0,
  [Kind.Bool]: 0, [Kind.String]: 2, [Kind.Bytes]: 2, [Kind.Fixed32]: 5, [Kind.Fixed64]: 1, [Kind.Sfixed32]: 5,
  [Kind.Sfixed64]: 1, [Kind.Message]: 2, [Kind.JsonBytes]: 2,
};

type Fields = Record<string, unknown>;

interface Field {
  name: string;
  key: string;
  kind: Kind;
  message?: Message;
  repeated: boolean;
  inline: boolean;
  /** For maps: how the key (1) and value (2) of each entry decode. */
  entry?: { key: Field; value: Field };
}

interface Message {
  name: string;
  byNumber: (Field | undefined)[];
  /** Turns the decoded fields of a type with a custom JSON form (Time, IntOrString, …) into that form. */
  convert?: (fields: Fields) => unknown;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const CRD = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.';

/**
 * Types whose Go MarshalJSON replaces the struct shape. `jsonBytes` names the bytes field that carries raw JSON.
 * Keys are the JSON names the generator gives their fields (the proto names: OpenAPI has no properties for them).
 */
const SPECIAL: Record<string, { convert: (f: Fields) => unknown; jsonBytes?: string }> = {
  [`${META}Time`]: { convert: (f) => formatTime(f, false) },
  [`${META}MicroTime`]: { convert: (f) => formatTime(f, true) },
  [`${META}Duration`]: { convert: (f) => formatDuration(f.duration) },
  [`${META}FieldsV1`]: { convert: (f) => f.Raw ?? null, jsonBytes: 'Raw' },
  [`${META}Verbs`]: { convert: (f) => f.items ?? [] },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': { convert: (f) => f.raw ?? null, jsonBytes: 'raw' },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': { convert: (f) => (f.type === 1 ? f.strVal ?? '' : f.intVal ?? 0) },
  'k8s.io.apimachinery.pkg.api.resource.Quantity': { convert: (f) => f.string ?? '0' },
  [`${CRD}JSON`]: { convert: (f) => f.raw ?? null, jsonBytes: 'raw' },
  [`${CRD}JSONSchemaPropsOrArray`]: { convert: (f) => ((f.jSONSchemas as unknown[] | undefined)?.length ? f.jSONSchemas : f.schema ?? null) },
  [`${CRD}JSONSchemaPropsOrBool`]: { convert: (f) => f.schema ?? f.allows === true },
  [`${CRD}JSONSchemaPropsOrStringArray`]: { convert: (f) => ((f.property as unknown[] | undefined)?.length ? f.property : f.schema ?? null) },
};

/** A decoder over a set of facts; `decodeKubernetesProtobuf` is the one over the committed facts. */
export function createProtobufDecoder(facts: ProtoFacts): (body: Buffer) => DecodedObject {
  const messages = compile(facts);
  const envelope = messages.get(UNKNOWN_MESSAGE);
  const typeMeta = envelope?.byNumber[1]?.message;
  if (!envelope || !typeMeta) throw new Error(`the protobuf facts lack ${UNKNOWN_MESSAGE}`);

  return (body) => {
    if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC))
      throw new ProtobufDecodeError('not a Kubernetes protobuf body: missing the "k8s\\x00" prefix');
    const r = new Reader(body, PROTOBUF_MAGIC.length);
    let meta: Fields = {};
    let raw: [number, number] = [r.pos, r.pos];
    let encoding = '';
    let contentType = '';
    while (r.pos < body.length) {
      const [no, wire] = r.tag();
      if (no === 1 && wire === 2) meta = r.message(typeMeta);
      else if (no === 2 && wire === 2) raw = r.span();
      else if (no === 3 && wire === 2) encoding = r.string();
      else if (no === 4 && wire === 2) contentType = r.string();
      else r.skip(wire, no);
    }
    if (encoding) throw new ProtobufDecodeError(`unsupported contentEncoding "${encoding}" in the protobuf envelope`);
    if (contentType && contentType !== 'application/vnd.kubernetes.protobuf')
      throw new ProtobufDecodeError(`unsupported contentType "${contentType}" in the protobuf envelope`);
    const apiVersion = typeof meta.apiVersion === 'string' ? meta.apiVersion : '';
    const kind = typeof meta.kind === 'string' ? meta.kind : '';
    const name = facts.kinds[apiVersion]?.[kind] ?? (kind === 'DeleteOptions' ? DELETE_OPTIONS_MESSAGE : undefined);
    const message = name === undefined ? undefined : messages.get(name);
    if (!message) throw new ProtobufDecodeError(`no protobuf schema for kind "${kind}" in "${apiVersion}"`);
    const object: Fields = { kind, apiVersion };
    new Reader(body, raw[0]).fields(message, object, raw[1]);
    return { apiVersion, kind, object };
  };
}

let defaultDecoder: ((body: Buffer) => DecodedObject) | undefined;

/** Decodes a "k8s\0"-prefixed runtime.Unknown envelope into the object it carries, typed from the envelope. */
export function decodeKubernetesProtobuf(body: Buffer): DecodedObject {
  defaultDecoder ??= createProtobufDecoder(loadProtoFacts());
  return defaultDecoder(body);
}

function compile(facts: ProtoFacts): Map<string, Message> {
  const messages = new Map<string, Message>();
  for (const name of Object.keys(facts.messages)) messages.set(name, { name, byNumber: [], convert: SPECIAL[name]?.convert });
  const kindOf = (type: string, where: string): Kind => {
    if (messages.has(type)) return Kind.Message;
    const kind = SCALAR_KINDS[type];
    if (kind === undefined) throw new Error(`unsupported protobuf type "${type}" in ${where}`);
    return kind;
  };
  for (const [name, fact] of Object.entries(facts.messages)) {
    const message = messages.get(name)!;
    for (const [number, f] of Object.entries(fact.fields)) {
      const where = `${name}.${f.name}`;
      const field: Field = {
        name: f.name,
        key: f.json ?? f.name,
        kind: SPECIAL[name]?.jsonBytes === f.name ? Kind.JsonBytes : kindOf(f.type, where),
        message: messages.get(f.type),
        repeated: f.repeated === true,
        inline: f.inline === true,
      };
      if (f.key !== undefined)
        field.entry = { key: { ...field, kind: kindOf(f.key, where), message: undefined }, value: { ...field } };
      message.byNumber[Number(number)] = field;
    }
  }
  return messages;
}

const TWO_32 = 4294967296;

class Reader {
  /** The high 32 bits of the last varint read. */
  private hi = 0;

  constructor(private readonly buf: Buffer, public pos: number) {}

  private fail(what: string): never {
    throw new ProtobufDecodeError(`malformed protobuf at byte ${this.pos}: ${what}`);
  }

  /** The low 32 bits of a varint as an unsigned number; the high bits go to `hi`. */
  private varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b < 0x80) {
      this.hi = 0;
      return b;
    }
    if (b === undefined) this.fail('truncated varint');
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      b = buf[this.pos++];
      if (b === undefined) this.fail('truncated varint');
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.hi = 0;
        return lo >>> 0;
      }
    }
    b = buf[this.pos++];
    if (b === undefined) this.fail('truncated varint');
    lo |= (b & 0x7f) << 28;
    let hi = (b & 0x7f) >> 4;
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (shift > 31) this.fail('varint longer than 10 bytes');
      b = buf[this.pos++];
      if (b === undefined) this.fail('truncated varint');
      hi |= (b & 0x7f) << shift;
    }
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  tag(): [number, number] {
    const t = this.varint();
    if (this.hi !== 0 || t >>> 3 === 0) this.fail('bad field tag');
    return [t >>> 3, t & 7];
  }

  /** Reads a length prefix and returns where that value ends; the reader stays at its start. */
  private end(): number {
    const n = this.varint();
    const end = this.pos + n;
    if (this.hi !== 0 || end > this.buf.length) this.fail(`a length of ${this.hi ? 'over 2^32' : n} bytes runs past the end`);
    return end;
  }

  span(): [number, number] {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [s, e] = this.span();
    return this.buf.toString('utf8', s, e);
  }

  skip(wire: number, no: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.span();
    else if (wire === 5) this.pos += 4;
    else this.fail(`unsupported wire type ${wire} for field ${no}`);
    if (this.pos > this.buf.length) this.fail('truncated fixed-width value');
  }

  /** Reads one length-delimited message into a fresh object. */
  message(message: Message): Fields {
    const out: Fields = {};
    this.fields(message, out, this.end());
    return out;
  }

  /** Decodes the fields of `message` from here to `end` into `out`. */
  fields(message: Message, out: Fields, end: number): void {
    while (this.pos < end) {
      const [no, wire] = this.tag();
      const field = message.byNumber[no];
      if (!field) {
        this.skip(wire, no);
      } else if (field.entry) {
        if (wire !== 2) this.wrongWire(message, field, wire);
        this.mapEntry(message, field, field.entry, (out[field.key] ??= {}) as Fields);
      } else if (field.inline) {
        if (wire !== 2) this.wrongWire(message, field, wire);
        this.fields(field.message!, out, this.end());
      } else if (field.repeated) {
        const list = (out[field.key] ??= []) as unknown[];
        if (wire === 2 && WIRE[field.kind] !== 2) {
          const packedEnd = this.end();
          while (this.pos < packedEnd) list.push(this.value(message, field, WIRE[field.kind]));
          if (this.pos !== packedEnd) this.fail(`packed ${message.name}.${field.name} overruns its length`);
        } else {
          list.push(this.value(message, field, wire));
        }
      } else {
        out[field.key] = this.value(message, field, wire);
      }
    }
    if (this.pos !== end) this.fail(`${message.name} overruns its length`);
  }

  /** A map entry is a message { 1: key, 2: value }; a missing half is the zero value, as in Go. */
  private mapEntry(message: Message, field: Field, entry: { key: Field; value: Field }, map: Fields): void {
    const end = this.end();
    let key: unknown = '';
    let value: unknown;
    while (this.pos < end) {
      const [no, wire] = this.tag();
      if (no === 1) key = this.value(message, entry.key, wire);
      else if (no === 2) value = this.value(message, entry.value, wire);
      else this.skip(wire, no);
    }
    if (this.pos !== end) this.fail(`a map entry of ${message.name}.${field.name} overruns its length`);
    map[String(key)] = value !== undefined ? value : entry.value.message ? convert(entry.value.message, {}) : zero(entry.value.kind);
  }

  private value(message: Message, field: Field, wire: number): unknown {
    if (wire !== WIRE[field.kind]) this.wrongWire(message, field, wire);
    switch (field.kind) {
      case Kind.String:
        return this.string();
      case Kind.Message:
        return convert(field.message!, this.message(field.message!));
      case Kind.Int32:
        return this.varint() | 0;
      case Kind.Int64:
        return join64(this.varint(), this.hi, true);
      case Kind.Bool:
        return (this.varint() | this.hi) !== 0;
      case Kind.Uint32:
        return this.varint();
      case Kind.Uint64:
        return join64(this.varint(), this.hi, false);
      case Kind.Bytes: {
        const [s, e] = this.span();
        return this.buf.toString('base64', s, e);
      }
      case Kind.JsonBytes: {
        const [s, e] = this.span();
        try {
          return s === e ? null : JSON.parse(this.buf.toString('utf8', s, e));
        } catch (err) {
          throw new ProtobufDecodeError(`${message.name}.${field.name} is not JSON: ${(err as Error).message}`);
        }
      }
      default:
        return this.fixed(field.kind);
    }
  }

  private fixed(kind: Kind): number | string {
    const width = kind === Kind.Float || kind === Kind.Fixed32 || kind === Kind.Sfixed32 ? 4 : 8;
    const at = this.pos;
    if (at + width > this.buf.length) this.fail('truncated fixed-width value');
    this.pos += width;
    const buf = this.buf;
    switch (kind) {
      case Kind.Double: return buf.readDoubleLE(at);
      case Kind.Float: return buf.readFloatLE(at);
      case Kind.Fixed32: return buf.readUInt32LE(at);
      case Kind.Sfixed32: return buf.readInt32LE(at);
      default: return join64(buf.readUInt32LE(at), buf.readUInt32LE(at + 4), kind === Kind.Sfixed64);
    }
  }

  private wrongWire(message: Message, field: Field, wire: number): never {
    const expected = field.inline || field.entry ? 2 : WIRE[field.kind];
    this.fail(`${message.name}.${field.name} has wire type ${wire}, expected ${expected}`);
  }
}

function convert(message: Message, fields: Fields): unknown {
  return message.convert ? message.convert(fields) : fields;
}

function zero(kind: Kind): unknown {
  if (kind === Kind.String || kind === Kind.Bytes) return '';
  if (kind === Kind.Bool) return false;
  return kind === Kind.JsonBytes ? null : 0;
}

/** Two 32-bit halves as a number when exact, else (beyond ±2^53) as a decimal string. */
function join64(lo: number, hi: number, signed: boolean): number | string {
  if (signed && hi & 0x80000000) {
    const negLo = (~lo + 1) >>> 0;
    const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
    if (negHi <= 0x1fffff) return -(negHi * TWO_32 + negLo);
  } else if (hi <= 0x1fffff) {
    return hi * TWO_32 + lo;
  }
  const big = (BigInt(hi) << 32n) | BigInt(lo);
  return (signed ? BigInt.asIntN(64, big) : big).toString();
}

/** Go's zero time.Time: what an empty Time message and the year-1 instant both decode to. */
const ZERO_TIME_SECONDS = -62135596800;

/** metav1.Time as RFC 3339 to the second, MicroTime to the microsecond (truncated, as Go formats); zero is null. */
function formatTime(f: Fields, micro: boolean): string | null {
  const seconds = Number(f.seconds ?? 0);
  const nanos = Number(f.nanos ?? 0);
  if ((f.seconds === undefined && f.nanos === undefined) || (seconds === ZERO_TIME_SECONDS && nanos === 0)) return null;
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

/** time.Duration.String(): "1h0m0s", "1m30s", "1.5s", "300ms", "0s". */
function formatDuration(nanoseconds: unknown): string {
  let u = BigInt(typeof nanoseconds === 'string' || typeof nanoseconds === 'number' ? nanoseconds : 0);
  if (u === 0n) return '0s';
  const sign = u < 0n ? '-' : '';
  if (u < 0n) u = -u;
  if (u < 1_000_000_000n) {
    const [prec, unit] = u < 1_000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    return `${sign}${decimal(u, prec)}${unit}`;
  }
  const totalSeconds = u / 1_000_000_000n;
  const seconds = decimal((totalSeconds % 60n) * 1_000_000_000n + (u % 1_000_000_000n), 9);
  const minutes = totalSeconds / 60n;
  if (minutes === 0n) return `${sign}${seconds}s`;
  const hours = minutes / 60n;
  return `${sign}${hours > 0n ? `${hours}h` : ''}${minutes % 60n}m${seconds}s`;
}

/** v / 10^prec with trailing zeros of the fraction (and a bare point) dropped. */
function decimal(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const fraction = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return fraction ? `${v / scale}.${fraction}` : `${v / scale}`;
}

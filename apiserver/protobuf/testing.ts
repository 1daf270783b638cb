// Test-only: a protobuf encoder over the same facts as the decoder, so tests can build the bodies kubectl would send
// from readable JSON. It writes what it is given (no Go-style zero fields) and needs no performance.
import { DELETE_OPTIONS_MESSAGE, SCALAR_TYPES, UNKNOWN_MESSAGE, type FieldFact, type ProtoFacts } from './facts.js';
import { PROTOBUF_MAGIC } from './decode.js';

type Fields = Record<string, unknown>;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const CRD = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** The proto-shaped fields of the types whose JSON form is not their struct (the decoder's SPECIAL, backwards). */
const UNSPECIAL: Record<string, (v: unknown) => Fields> = {
  [`${META}Time`]: (v) => (v === null ? {} : { seconds: Date.parse(v as string) / 1000 }),
  [`${META}MicroTime`]: (v) => {
    const ms = Date.parse(v as string);
    const micros = Number(/\.(\d{6})/.exec(v as string)?.[1] ?? 0);
    return { seconds: Math.floor(ms / 1000), nanos: micros * 1000 };
  },
  [`${META}Duration`]: (v) => ({ duration: parseDuration(v as string) }),
  [`${META}FieldsV1`]: (v) => ({ Raw: json(v) }),
  [`${META}Verbs`]: (v) => ({ items: v }),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': (v) => ({ raw: json(v) }),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (v) =>
    (typeof v === 'number' ? { type: 0, intVal: v, strVal: '' } : { type: 1, intVal: 0, strVal: v }),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (v) => ({ string: v }),
  [`${CRD}JSON`]: (v) => ({ raw: json(v) }),
  [`${CRD}JSONSchemaPropsOrArray`]: (v) => (Array.isArray(v) ? { jSONSchemas: v } : { schema: v }),
  [`${CRD}JSONSchemaPropsOrBool`]: (v) => (typeof v === 'boolean' ? { allows: v } : { allows: true, schema: v }),
  [`${CRD}JSONSchemaPropsOrStringArray`]: (v) => (Array.isArray(v) ? { property: v } : { schema: v }),
};

/** What a protobuf client sends for `object`: the "k8s\0" prefix and a runtime.Unknown carrying the message. */
export function encodeKubernetesProtobuf(facts: ProtoFacts, object: Fields): Buffer {
  const { apiVersion, kind, ...rest } = object as Fields & { apiVersion: string; kind: string };
  const name = facts.kinds[apiVersion]?.[kind] ?? (kind === 'DeleteOptions' ? DELETE_OPTIONS_MESSAGE : undefined);
  if (!name) throw new Error(`no message for ${apiVersion} ${kind}`);
  const envelope = encodeMessage(facts, UNKNOWN_MESSAGE, {
    typeMeta: { apiVersion, kind },
    raw: encodeMessage(facts, name, rest),
    contentEncoding: '',
    contentType: '',
  });
  return Buffer.concat([PROTOBUF_MAGIC, envelope]);
}

/** One message from its JSON form; bytes fields take a Buffer or base64. Fields are written in number order. */
export function encodeMessage(facts: ProtoFacts, name: string, value: unknown): Buffer {
  const message = facts.messages[name];
  if (!message) throw new Error(`no message ${name}`);
  const fields = UNSPECIAL[name] ? UNSPECIAL[name](value) : (value as Fields);
  const used = new Set<string>();
  const parts: Buffer[] = [];
  for (const [number, f] of Object.entries(message.fields)) {
    const no = Number(number);
    if (f.inline) {
      const keys = Object.values(facts.messages[f.type].fields).map((g) => g.json ?? g.name);
      const own = Object.fromEntries(keys.filter((k) => k in fields).map((k) => [k, fields[k]]));
      keys.forEach((k) => used.add(k));
      if (Object.keys(own).length) parts.push(tag(no, 2), delimited(encodeMessage(facts, f.type, own)));
      continue;
    }
    const key = f.json ?? f.name;
    const v = fields[key];
    used.add(key);
    if (v === undefined) continue;
    if (f.key !== undefined) {
      for (const [k, item] of Object.entries(v as Fields)) {
        const entry = Buffer.concat([...scalarOrMessage(facts, 1, f.key, k), ...scalarOrMessage(facts, 2, f.type, item)]);
        parts.push(tag(no, 2), delimited(entry));
      }
    } else if (f.repeated) {
      for (const item of v as unknown[]) parts.push(...scalarOrMessage(facts, no, f.type, item));
    } else {
      parts.push(...scalarOrMessage(facts, no, f.type, v));
    }
  }
  const stray = Object.keys(fields).filter((k) => !used.has(k));
  if (stray.length) throw new Error(`${name} has no fields ${stray.join(', ')}`);
  return Buffer.concat(parts);
}

function scalarOrMessage(facts: ProtoFacts, no: number, type: FieldFact['type'], v: unknown): Buffer[] {
  if (!SCALAR_TYPES.has(type)) return [tag(no, 2), delimited(encodeMessage(facts, type, v))];
  switch (type) {
    case 'string':
      return [tag(no, 2), delimited(Buffer.from(v as string))];
    case 'bytes':
      return [tag(no, 2), delimited(Buffer.isBuffer(v) ? v : Buffer.from(v as string, 'base64'))];
    case 'bool':
      return [tag(no, 0), varint(v ? 1 : 0)];
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v as number);
      return [tag(no, 1), b];
    }
    case 'int32': case 'int64': case 'uint32': case 'uint64':
      return [tag(no, 0), varint(v as number | string)];
    default:
      throw new Error(`the test encoder does not write ${type}`);
  }
}

function tag(no: number, wire: number): Buffer {
  return varint(no * 8 + wire);
}

function delimited(b: Buffer): Buffer {
  return Buffer.concat([varint(b.length), b]);
}

/** Any integer as a varint; negatives as their 64-bit two's complement, as Go writes int32 and int64. */
export function varint(v: number | string | bigint): Buffer {
  let u = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** time.ParseDuration for the forms formatDuration prints, to the nanosecond. */
function parseDuration(s: string): string {
  const sign = s.startsWith('-') ? -1n : 1n;
  let total = 0n;
  for (const [, int, frac = '', unit] of s.replace(/^-/, '').matchAll(/(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/g)) {
    const scale = UNITS[unit];
    total += BigInt(int) * scale + (BigInt(frac || '0') * scale) / 10n ** BigInt(frac.length);
  }
  return (sign * total).toString();
}

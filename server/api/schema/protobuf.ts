/**
 * @module server/api/schema/protobuf
 * Layer: api (pure). Decodes Kubernetes protobuf (`application/vnd.kubernetes.protobuf`): the `k8s\0`
 * envelope around a runtime.Unknown, then the object message, into exactly the JSON object model the JSON
 * path produces — field names from the schema model, field numbers from protobuf-fields.ts, and Go's JSON
 * rules for zero values (kept only for pointer fields and non-omitempty tags, see go-zero-fields.ts).
 * Anything malformed raises ProtobufError; nothing here can crash the server.
 */
import { KEEP_ZERO } from './go-zero-fields.js';
import type { TypeRef } from './declarations.js';
import type { SchemaModel } from './model.js';
import { PROTO_BYTES, PROTO_FIELDS, PROTO_FLOATS, PROTO_INLINE } from './protobuf-fields.js';

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const MAX_DEPTH = 64;
const TIME = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const FIELDS_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1';

const bytesFields = new Set(PROTO_BYTES);
const floatFields = new Set(PROTO_FLOATS);
const keepZero = new Set(KEEP_ZERO);
const fieldTables = new Map<string, Map<number, string>>();

function fieldsOf(definition: string): Map<number, string> | undefined {
  let table = fieldTables.get(definition);
  if (!table) {
    const spec = PROTO_FIELDS[definition];
    if (spec === undefined) return undefined;
    table = new Map();
    for (const pair of spec.split(' ')) {
      const eq = pair.lastIndexOf('=');
      table.set(Number(pair.slice(eq + 1)), pair.slice(0, eq));
    }
    fieldTables.set(definition, table);
  }
  return table;
}

/** A minimal protobuf wire reader. */
class Reader {
  pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtobufError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError('varint too long');
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (length < 0 || this.pos + length > this.buf.length) throw new ProtobufError('length-delimited field overruns the message');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  fixed(size: 4 | 8): Buffer {
    if (this.pos + size > this.buf.length) throw new ProtobufError('truncated fixed-width field');
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  tag(): { field: number; wire: number } {
    const key = Number(this.varint());
    const field = key >>> 3;
    if (field === 0) throw new ProtobufError('field number 0');
    return { field, wire: key & 7 };
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.fixed(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.fixed(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }
}

/** The int64 a varint carries (negative numbers arrive as 64-bit two's complement). */
function signed(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new ProtobufError(`wire type ${actual} where ${what} expects ${expected}`);
}

/** Reads the fields of a small fixed message into field-number → raw value. */
function smallMessage(buf: Buffer): Map<number, bigint | Buffer> {
  const reader = new Reader(buf);
  const fields = new Map<number, bigint | Buffer>();
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (wire === 0) fields.set(field, reader.varint());
    else if (wire === 2) fields.set(field, reader.bytes());
    else reader.skip(wire);
  }
  return fields;
}

function decodeTime(buf: Buffer): string | null {
  const fields = smallMessage(buf);
  const seconds = fields.get(1);
  const nanos = fields.get(2);
  if (seconds === undefined && nanos === undefined) return null;
  const ms = signed((seconds as bigint | undefined) ?? 0n) * 1000 + Math.floor(Number((nanos as bigint | undefined) ?? 0n) / 1e6);
  const iso = new Date(ms).toISOString();
  return nanos === undefined || nanos === 0n ? iso.replace(/\.\d{3}Z$/, 'Z') : iso.replace(/Z$/, '000Z');
}

function decodeIntOrString(buf: Buffer): number | string {
  const fields = smallMessage(buf);
  if (Number((fields.get(1) as bigint | undefined) ?? 0n) === 1) return ((fields.get(3) as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');
  return signed((fields.get(2) as bigint | undefined) ?? 0n);
}

export class ProtobufDecoder {
  constructor(private readonly model: SchemaModel) {}

  /** Strip the envelope: the apiVersion and kind it names, and the object's own bytes. */
  envelope(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
    if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new ProtobufError('the body does not start with the Kubernetes protobuf envelope ("k8s\\0")');
    }
    const fields = smallMessage(body.subarray(MAGIC.length));
    const typeMeta = fields.get(1);
    const raw = fields.get(2);
    if (!(raw instanceof Buffer)) throw new ProtobufError('the envelope carries no object');
    const meta = typeMeta instanceof Buffer ? smallMessage(typeMeta) : new Map<number, bigint | Buffer>();
    const text = (value: bigint | Buffer | undefined) => (value instanceof Buffer ? value.toString('utf8') : '');
    return { apiVersion: text(meta.get(1)), kind: text(meta.get(2)), raw };
  }

  /**
   * Decode one message of the named definition into its JSON object form. `wireDefinition` is the message
   * whose field numbers the bytes use when it differs (an embedded message JSON flattens into its parent).
   */
  message(definition: string, buf: Buffer, depth = 0, wireDefinition = definition, out: Record<string, unknown> = {}): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new ProtobufError('message nesting is too deep');
    const fields = fieldsOf(wireDefinition);
    const def = this.model.get(definition);
    if (!fields || !def?.properties) throw new ProtobufError(`no protobuf schema for ${definition}`);
    const reader = new Reader(buf);
    while (!reader.done) {
      const { field, wire } = reader.tag();
      const name = fields.get(field);
      const embedded = name === undefined ? undefined : PROTO_INLINE[`${wireDefinition}.${name}`];
      if (embedded) {
        expectWire(wire, 2, `${wireDefinition}.${name}`);
        this.message(definition, reader.bytes(), depth + 1, embedded, out);
        continue;
      }
      const property = name === undefined ? undefined : def.properties[name];
      if (name === undefined || !property) {
        reader.skip(wire);
        continue;
      }
      const path = `${definition}.${name}`;
      const type = property.type;
      if (type.kind === 'array') {
        const list = (out[name] as unknown[] | undefined) ?? [];
        if (wire === 2 && (type.items.kind === 'number' || type.items.kind === 'boolean') && !floatFields.has(path)) {
          const packed = new Reader(reader.bytes());
          while (!packed.done) list.push(type.items.kind === 'boolean' ? packed.varint() !== 0n : signed(packed.varint()));
        } else {
          list.push(this.value(type.items, wire, reader, path, depth));
        }
        out[name] = list;
      } else if (type.kind === 'map') {
        expectWire(wire, 2, `map ${path}`);
        const entry = smallMessage(reader.bytes());
        const key = entry.get(1);
        const value = entry.get(2);
        const map = (out[name] as Record<string, unknown> | undefined) ?? {};
        const keyText = key instanceof Buffer ? key.toString('utf8') : '';
        map[keyText] = this.mapValue(type.values, value, path, depth);
        out[name] = map;
      } else {
        const value = this.value(type, wire, reader, path, depth);
        // An IntOrString is a message: present means set, even to 0 (maxUnavailable: 0 is not maxUnavailable unset).
        if (isZero(value) && !keepZero.has(path) && type.kind !== 'intOrString') delete out[name];
        else out[name] = value;
      }
    }
    return out;
  }

  private mapValue(type: TypeRef, raw: bigint | Buffer | undefined, path: string, depth: number): unknown {
    if (bytesFields.has(path)) return raw instanceof Buffer ? raw.toString('base64') : '';
    if (raw === undefined) return type.kind === 'number' ? 0 : type.kind === 'boolean' ? false : '';
    if (typeof raw === 'bigint') return type.kind === 'boolean' ? raw !== 0n : signed(raw);
    return this.fromBytes(type, raw, path, depth);
  }

  private value(type: TypeRef, wire: number, reader: Reader, path: string, depth: number): unknown {
    switch (type.kind) {
      case 'number':
        if (floatFields.has(path)) {
          if (wire === 1) return reader.fixed(8).readDoubleLE(0);
          if (wire === 5) return reader.fixed(4).readFloatLE(0);
        }
        expectWire(wire, 0, path);
        return signed(reader.varint());
      case 'boolean':
        expectWire(wire, 0, path);
        return reader.varint() !== 0n;
      default:
        expectWire(wire, 2, path);
        return this.fromBytes(type, reader.bytes(), path, depth);
    }
  }

  private fromBytes(type: TypeRef, buf: Buffer, path: string, depth: number): unknown {
    if (bytesFields.has(path)) return buf.toString('base64');
    switch (type.kind) {
      case 'string':
      case 'literal':
        return buf.toString('utf8');
      case 'intOrString':
        return decodeIntOrString(buf);
      case 'ref': {
        if (TIME.has(type.name)) return decodeTime(buf);
        if (type.name === QUANTITY) {
          const value = smallMessage(buf).get(1);
          return value instanceof Buffer ? value.toString('utf8') : '0';
        }
        if (type.name === RAW_EXTENSION || type.name === FIELDS_V1) {
          const raw = smallMessage(buf).get(1);
          if (!(raw instanceof Buffer) || raw.length === 0) return {};
          try {
            return JSON.parse(raw.toString('utf8'));
          } catch {
            throw new ProtobufError(`${path} does not hold JSON`);
          }
        }
        const def = this.model.get(type.name);
        if (def?.alias) return this.fromBytes(def.alias, buf, path, depth);
        return this.message(type.name, buf, depth + 1);
      }
      default:
        return buf.toString('utf8');
    }
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

/**
 * @module server/api/schema/openapi-v2-protobuf
 * Layer: api (pure). Encodes an OpenAPI v2 document (JSON form) as the protobuf kube-apiserver serves at
 * /openapi/v2 — gnostic's `openapi.v2.Document` — which kubectl decodes for `explain --output=
 * plaintext-openapiv2` (and 1.27/1.28 for every explain). Field numbers are gnostic's OpenAPIv2.proto. Only
 * what a document of definitions needs is encoded: swagger, info, an empty paths, and each schema's $ref,
 * format, title, description, required, additionalProperties, type, items, allOf, properties and `x-`
 * extensions (as YAML text, which is all kubectl reads of them).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A protobuf message under construction: fields appended in order, as bytes. */
class Message {
  private readonly parts: Buffer[] = [];

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private varint(value: number): void {
    const bytes: number[] = [];
    let v = value;
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
  }

  bytes(field: number, value: Buffer): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string | undefined): this {
    return value === undefined ? this : this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.encode());
  }

  bool(field: number, value: boolean): this {
    this.tag(field, 0);
    this.varint(value ? 1 : 0);
    return this;
  }

  encode(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** gnostic's NamedAny: an extension's name and its value as YAML (JSON text is YAML). */
function namedAny(name: string, value: Json): Message {
  return new Message().string(1, name).message(2, new Message().string(2, `${JSON.stringify(value)}\n`));
}

function schema(value: JsonObject): Message {
  const out = new Message();
  if (typeof value.$ref === 'string') out.string(1, value.$ref);
  if (typeof value.format === 'string') out.string(2, value.format);
  if (typeof value.title === 'string') out.string(3, value.title);
  if (typeof value.description === 'string') out.string(4, value.description);
  if (Array.isArray(value.required)) for (const name of value.required) if (typeof name === 'string') out.string(19, name);
  const additional = value.additionalProperties;
  if (isObject(additional)) out.message(21, new Message().message(1, schema(additional)));
  else if (typeof additional === 'boolean') out.message(21, new Message().bool(2, additional));
  if (typeof value.type === 'string') out.message(22, new Message().string(1, value.type));
  if (isObject(value.items)) out.message(23, new Message().message(1, schema(value.items)));
  if (Array.isArray(value.allOf)) for (const part of value.allOf) if (isObject(part)) out.message(24, schema(part));
  if (isObject(value.properties)) out.message(25, namedSchemas(value.properties));
  for (const [name, extension] of Object.entries(value)) if (name.startsWith('x-')) out.message(31, namedAny(name, extension));
  return out;
}

/** Definitions and Properties share a shape: repeated NamedSchema (name, schema) in field 1. */
function namedSchemas(map: JsonObject): Message {
  const out = new Message();
  for (const [name, value] of Object.entries(map)) if (isObject(value)) out.message(1, new Message().string(1, name).message(2, schema(value)));
  return out;
}

export function encodeOpenApiV2(document: { swagger: string; info: { title: string; version: string }; definitions: Record<string, unknown> }): Buffer {
  return new Message()
    .string(1, document.swagger)
    .message(2, new Message().string(1, document.info.title).string(2, document.info.version))
    .message(8, new Message())
    .message(9, namedSchemas(document.definitions as JsonObject))
    .encode();
}

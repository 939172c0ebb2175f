/**
 * @module server/http/body
 * Layer: http. Reads a request body (at most 3 MiB, as upstream's MaxRequestBodyBytes) and decodes it by
 * Content-Type: JSON (nesting bounded before parsing), YAML (yaml-body.ts) and Kubernetes protobuf. Anything
 * undecodable is a 400/415 Status, never a crash.
 */
import type { IncomingMessage } from 'node:http';
import { MAX_NESTING_DEPTH, jsonTextDepth, nestingTooDeepMessage } from '../api/nesting.js';
import { ApiError, errors, StatusReason } from '../api/status.js';
import { duplicateJsonFields } from './duplicate-fields.js';
import { parseMediaType } from './negotiation.js';
import { decodeYamlText } from './yaml-body.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, StatusReason.RequestEntityTooLarge, `Request entity too large: limit is ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, StatusReason.RequestEntityTooLarge, `Request entity too large: limit is ${MAX_BODY_BYTES}`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** The body format of a Content-Type (absent means JSON, as client-go sends). */
export function bodyFormat(contentType: string | undefined, allowed: readonly string[] = []): BodyFormat {
  const type = parseMediaType(contentType ?? '').type;
  if (type === '' || type === 'application/json' || allowed.includes(type)) return type.includes('yaml') ? 'yaml' : 'json';
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return 'yaml';
  if (type === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw errors.unsupportedMediaType(contentType ?? '');
}

export interface DecodedBody {
  value: unknown;
  /** fields the body sets twice, as dotted paths (for fieldValidation) */
  duplicates: string[];
}

function decodeJsonText(text: string, duplicates: boolean): DecodedBody {
  // The depth is checked on the text, before anything recursive (including duplicate detection) runs.
  if (jsonTextDepth(text) > MAX_NESTING_DEPTH) throw errors.badRequest(`the body of the request could not be decoded as JSON: ${nestingTooDeepMessage()}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
  return { value, duplicates: duplicates ? duplicateJsonFields(text) : [] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON or YAML body as plain data; `duplicates` asks for the fields it sets twice. */
export function decodeText(bytes: Buffer, format: 'json' | 'yaml', options: { duplicates?: boolean } = {}): DecodedBody {
  const text = bytes.toString('utf8');
  const duplicates = options.duplicates ?? false;
  if (format === 'json') return decodeJsonText(text, duplicates);
  // JSON is YAML, and clients that send YAML content types mostly send JSON: take the fast path when it parses
  // within the bound (the YAML decoder bounds, and words, everything else).
  if (/^\s*[{[]/.test(text) && jsonTextDepth(text) <= MAX_NESTING_DEPTH) {
    const value = parseJson(text);
    if (value !== undefined) return { value, duplicates: duplicates ? duplicateJsonFields(text) : [] };
  }
  const decoded = decodeYamlText(text);
  return duplicates ? decoded : { value: decoded.value, duplicates: [] };
}

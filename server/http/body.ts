/**
 * @module server/http/body
 * Layer: http. Reads a request body (at most 3 MiB, as upstream's MaxRequestBodyBytes) and decodes it by
 * Content-Type: JSON, YAML (one document, alias expansion bounded) and Kubernetes protobuf. Anything
 * undecodable is a 400/415 Status, never a crash.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors, StatusReason } from '../api/status.js';
import { parseMediaType } from './negotiation.js';

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

export function decodeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw errors.badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

export function decodeYaml(bytes: Buffer): unknown {
  try {
    // maxAliasCount bounds alias expansion (billion laughs); one document only.
    return parseYaml(bytes.toString('utf8'), { maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    throw errors.badRequest(`the body of the request could not be decoded as YAML: ${(err as Error).message}`);
  }
}

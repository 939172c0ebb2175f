/**
 * @module server/http/respond
 * Layer: http. Writes API objects and lists in the negotiated representation. JSON answers reuse each
 * stored object's bytes, so a GET or LIST of unchanged objects serialises nothing but the list envelope.
 */
import type { Response } from 'express';
import type { KubeObject } from '../api/object.js';
import type { ListOutcome, Readable } from '../registry/registry.js';
import type { Resource } from '../registry/resource.js';
import { toTable, type IncludeObject } from '../registry/table.js';
import type { Output } from './negotiation.js';
import { warningHeaders } from './warnings.js';
import { toKubeYaml as toYaml } from '../api/yaml.js';

const JSON_TYPE = 'application/json';
const COMMA = Buffer.from(',');

export interface RespondContext {
  output: Output;
  includeObject: IncludeObject;
  warnings: string[];
  now: number;
}

function setWarnings(res: Response, warnings: readonly string[]): void {
  if (warnings.length > 0) res.setHeader('Warning', warningHeaders(warnings));
}

export function sendBytes(res: Response, code: number, contentType: string, body: Buffer | string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const NEWLINE = Buffer.from('\n');

/** JSON as Go's json.Encoder writes it: the document, then a newline; the bytes are not copied to add it. */
function sendJsonBytes(res: Response, code: number, body: Buffer | string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.statusCode = code;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', bytes.length + 1);
  if (res.req.method === 'HEAD') return void res.end();
  res.cork();
  res.write(bytes);
  res.end(NEWLINE);
}

export function sendJson(res: Response, code: number, value: unknown): void {
  sendJsonBytes(res, code, JSON.stringify(value));
}

function bytesOf(readable: Readable): Buffer {
  return readable.bytes ?? Buffer.from(JSON.stringify(readable.object));
}

function partialMetadata(object: KubeObject, version: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata };
}

/**
 * Writes an object in the negotiated form. The object may be the outcome of a committed write: if its
 * representation cannot be made, it goes out as its JSON rather than turn an acknowledged write into an error.
 */
export function sendObject(res: Response, code: number, readable: Readable, resource: Resource, context: RespondContext): void {
  try {
    renderObject(res, code, readable, resource, context);
  } catch (err) {
    if (res.headersSent) throw err;
    console.error('kubemu: could not render a response, sending JSON instead:', err);
    res.removeHeader('Warning');
    sendJsonBytes(res, code, bytesOf(readable));
  }
}

function renderObject(res: Response, code: number, readable: Readable, resource: Resource, context: RespondContext): void {
  setWarnings(res, context.warnings);
  const { output } = context;
  // A Status (e.g. the answer to an immediate DELETE) is never converted.
  if (readable.object.kind === 'Status') return sendJson(res, code, readable.object);
  switch (output.kind) {
    case 'json':
      return sendJsonBytes(res, code, bytesOf(readable));
    case 'yaml':
      return sendBytes(res, code, 'application/yaml', toYaml(readable.object));
    case 'metadata':
      return sendJson(res, code, partialMetadata(readable.object, output.version));
    case 'table':
      return sendJson(
        res,
        code,
        toTable(resource, [readable.object], {
          includeObject: context.includeObject,
          version: output.version,
          listMeta: readable.object.metadata.resourceVersion ? { resourceVersion: readable.object.metadata.resourceVersion } : {},
          now: context.now,
        }),
      );
  }
}

function listMeta(outcome: ListOutcome): { resourceVersion: string; continue?: string; remainingItemCount?: number } {
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(outcome.revision) };
  if (outcome.continue) meta.continue = outcome.continue;
  if (outcome.remainingItemCount !== undefined) meta.remainingItemCount = outcome.remainingItemCount;
  return meta;
}

export function sendList(res: Response, outcome: ListOutcome, resource: Resource, context: RespondContext): void {
  setWarnings(res, context.warnings);
  const { output } = context;
  const meta = listMeta(outcome);
  switch (output.kind) {
    case 'json': {
      // The stored bytes of every item go out as they are: no copy into one big buffer, one corked write.
      const parts: Buffer[] = [Buffer.from(`{"kind":"${resource.kind}List","apiVersion":"${resource.apiVersion}","metadata":${JSON.stringify(meta)},"items":[`)];
      outcome.items.forEach((item, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(bytesOf(item));
      });
      parts.push(Buffer.from(']}\n'));
      res.statusCode = 200;
      res.setHeader('Content-Type', JSON_TYPE);
      res.setHeader('Content-Length', parts.reduce((sum, part) => sum + part.length, 0));
      if (res.req.method === 'HEAD') return void res.end();
      res.cork();
      for (const part of parts) res.write(part);
      res.end();
      return;
    }
    case 'yaml':
      return sendBytes(
        res,
        200,
        'application/yaml',
        toYaml({ kind: `${resource.kind}List`, apiVersion: resource.apiVersion, metadata: meta, items: outcome.items.map((i) => i.object) }),
      );
    case 'metadata':
      return sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${output.version}`,
        metadata: meta,
        items: outcome.items.map((i) => partialMetadata(i.object, output.version)),
      });
    case 'table':
      return sendJson(
        res,
        200,
        toTable(
          resource,
          outcome.items.map((i) => i.object),
          { includeObject: context.includeObject, version: output.version, listMeta: meta, now: context.now },
        ),
      );
  }
}

/** deletecollection answers with the list of what it deleted. */
export function sendDeletedList(res: Response, items: Readable[], resource: Resource, revision: number, context: RespondContext): void {
  sendList(res, { items, revision }, resource, context);
}

/**
 * @module server/http/api
 * Layer: http. The generic verb handler for /api and /apis: parse the request (request-info.ts), find the
 * resource in the catalogue, decode the body, call the registry pipeline, and answer in the negotiated
 * representation. Discovery, watches and special subresources are delegated.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { field, invalidError } from '../api/field-errors.js';
import type { KubeObject } from '../api/object.js';
import { parseResourceVersion } from '../api/resource-version.js';
import { ApiError, errors, StatusReason } from '../api/status.js';
import { PATCH_CONTENT_TYPES, type PatchType } from '../registry/patch.js';
import type { DeleteOptionsBody, FieldValidation, ListQuery, Registry, WriteOptions } from '../registry/registry.js';
import type { Resource } from '../registry/resource.js';
import { parseIncludeObject } from '../registry/table.js';
import { bodyFormat, decodeText, readBody } from './body.js';
import { serveDiscovery } from './discovery.js';
import { negotiateOutput, parseMediaType } from './negotiation.js';
import { decodeProtobufBody } from './protobuf.js';
import { requestInfoOf, type ResourceRequest } from './request-info.js';
import { sendDeletedList, sendList, sendObject, type RespondContext } from './respond.js';
import { serveScale } from './scale.js';
import type { WatchServer } from './watch.js';

/** A handler for a subresource with behaviour of its own (log, exec, eviction, binding, finalize…). */
export type SubresourceHandler = (call: ApiCall) => Promise<void> | void;

export interface ApiCall {
  req: Request;
  res: Response;
  info: ResourceRequest;
  resource: Resource;
  query: URLSearchParams;
  registry: Registry;
  context: RespondContext;
  /** the decoded request body (JSON, YAML or protobuf); `kind` when a subresource takes another kind */
  body(kind?: string): Promise<unknown>;
  writeOptions(): WriteOptions;
}

export interface ApiOptions {
  registry: Registry;
  watches: WatchServer;
  subresources?: Readonly<Record<string, SubresourceHandler>>;
}

const FIELD_VALIDATIONS = new Set(['Strict', 'Warn', 'Ignore']);

export function apiHandler(options: ApiOptions): RequestHandler {
  const { registry } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.originalUrl.startsWith('/api')) return next();
    const { info, query: searchParams } = requestInfoOf(req);
    if (info.kind === 'unknown') return next();
    if (info.kind === 'discovery') {
      try {
        serveDiscovery(req, res, info, registry.catalogue);
      } catch (err) {
        next(err);
      }
      return;
    }
    handleResource(req, res, info, searchParams, options).catch(next);
  };
}

function writeOptions(query: URLSearchParams, warnings: string[], userAgent: string | undefined): WriteOptions {
  const options: WriteOptions = { warnings, fieldValidation: 'Warn' };
  if (userAgent) options.userAgent = userAgent;
  const dryRun = query.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All') throw errors.badRequest(`Invalid dryRun value: Unsupported value: ${JSON.stringify(value)}: supported values: "All"`);
  }
  if (dryRun.length > 0) options.dryRun = true;
  const manager = query.get('fieldManager');
  if (manager !== null) {
    if (manager.length > 128) throw errors.badRequest('fieldManager: Too long: may not be longer than 128');
    options.fieldManager = manager;
  }
  const validation = query.get('fieldValidation');
  if (validation !== null && validation !== '') {
    if (!FIELD_VALIDATIONS.has(validation)) {
      throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(validation)}: supported values: "Ignore", "Strict", "Warn"`);
    }
    options.fieldValidation = validation as FieldValidation;
  }
  // As upstream's query decoding: any value but "0" and "false" (either case) is true.
  const force = query.get('force');
  if (force !== null && force !== '0' && force.toLowerCase() !== 'false') options.force = true;
  return options;
}

function listQuery(query: URLSearchParams): ListQuery {
  const result: ListQuery = {};
  const label = query.get('labelSelector');
  if (label) result.labelSelector = label;
  const fields = query.get('fieldSelector');
  if (fields) result.fieldSelector = fields;
  const limit = query.get('limit');
  if (limit) {
    if (!/^\d+$/.test(limit)) throw errors.badRequest(`invalid limit: ${JSON.stringify(limit)}`);
    result.limit = Number(limit);
  }
  const token = query.get('continue');
  if (token) result.continue = token;
  const rv = query.get('resourceVersion');
  if (rv !== null) result.resourceVersion = rv;
  const match = query.get('resourceVersionMatch');
  if (match) result.resourceVersionMatch = match;
  return result;
}

/** How a body's repeated fields are treated: Strict rejects them, Warn reports them (as for unknown fields). */
function checkDuplicates(duplicates: string[], query: URLSearchParams, warnings: string[]): void {
  if (duplicates.length === 0) return;
  const texts = duplicates.map((path) => `duplicate field ${JSON.stringify(path)}`);
  const validation = query.get('fieldValidation') || 'Warn';
  if (validation === 'Strict') throw errors.badRequest(`strict decoding error: ${texts.join(', ')}`);
  if (validation === 'Warn') for (const text of texts) warnings.push(text);
}

async function decodeBody(req: Request, resource: Resource, query: URLSearchParams, warnings: string[], patchType?: PatchType, kind = resource.kind): Promise<unknown> {
  const bytes = await readBody(req);
  const format = patchType ? (patchType === 'apply' ? 'yaml' : 'json') : bodyFormat(req.headers['content-type']);
  if (bytes.length === 0) throw errors.badRequest(patchType ? 'the request body of a PATCH must not be empty' : 'the request body must not be empty');
  if (format === 'protobuf') return decodeProtobufBody(bytes, resource, kind);
  const { value, duplicates } = decodeText(bytes, format, { duplicates: patchType !== 'json' });
  checkDuplicates(duplicates, query, warnings);
  return value;
}

/** PatchOptions: `force` belongs to apply patches alone. */
function patchOptions(call: ApiCall, type: PatchType): WriteOptions {
  const options = call.writeOptions();
  if (options.force && type !== 'apply') {
    throw invalidError({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [field.forbidden('force', 'may not be specified for non-apply patch')]);
  }
  return options;
}

function patchTypeOf(contentType: string | undefined): PatchType {
  const type = PATCH_CONTENT_TYPES[parseMediaType(contentType ?? '').type];
  if (!type) {
    throw new ApiError(
      415,
      StatusReason.UnsupportedMediaType,
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  return type;
}

async function handleResource(req: Request, res: Response, info: ResourceRequest, query: URLSearchParams, options: ApiOptions): Promise<void> {
  const { registry } = options;
  const resource = registry.catalogue.find(info.group, info.version, info.resource);
  if (!resource) throw errors.pathNotFound();
  // The namespace belongs in the path exactly when the resource is namespaced (namespaces themselves aside).
  const namespace = resource.namespaced ? info.namespace : undefined;
  if (!resource.namespaced && info.namespace !== undefined && resource.plural !== 'namespaces') throw errors.pathNotFound();
  if (resource.namespaced && info.name !== undefined && namespace === undefined) throw errors.pathNotFound();

  if (!routed(info, resource)) throw errors.methodNotAllowed();

  const warnings: string[] = [];
  const context: RespondContext = {
    output: negotiateOutput(req.headers.accept),
    includeObject: parseIncludeObject(query.get('includeObject')),
    warnings,
    now: registry.now().getTime(),
  };
  const call: ApiCall = {
    req,
    res,
    info,
    resource,
    query,
    registry,
    context,
    body: (kind?: string) => decodeBody(req, resource, query, warnings, undefined, kind),
    writeOptions: () => writeOptions(query, warnings, req.headers['user-agent']),
  };

  if (info.subresource) return serveSubresource(call, options);
  const name = info.name as string;
  switch (info.verb) {
    case 'get':
      // kubemu serves every read from the latest state; a resourceVersion must still be one.
      if (query.get('resourceVersion')) parseResourceVersion(query.get('resourceVersion') as string);
      return sendObject(res, 200, registry.read(resource, namespace, name), resource, context);
    case 'list':
      return sendList(res, registry.query(resource, namespace, listQuery(query)), resource, context);
    case 'watch':
      return options.watches.serve(call, namespace, listQuery(query));
    case 'create': {
      const result = await registry.create(resource, namespace, await call.body(), call.writeOptions());
      return sendObject(res, result.code, result, resource, context);
    }
    case 'update': {
      const result = await registry.update(resource, namespace, name, await call.body(), call.writeOptions());
      return sendObject(res, result.code, result, resource, context);
    }
    case 'patch': {
      const type = patchTypeOf(req.headers['content-type']);
      const result = await registry.patch(resource, namespace, name, type, await decodeBody(req, resource, query, warnings, type), patchOptions(call, type));
      return sendObject(res, result.code, result, resource, context);
    }
    case 'delete': {
      const result = await registry.delete(resource, namespace, name, await deleteOptions(req, resource, query), call.writeOptions());
      return sendObject(res, result.code, result, resource, context);
    }
    case 'unsupported':
      throw errors.methodNotAllowed();
    case 'deletecollection': {
      const deleted = await registry.deleteCollection(resource, namespace, listQuery(query), await deleteOptions(req, resource, query), call.writeOptions());
      return sendDeletedList(res, deleted, resource, registry.store.revision, context);
    }
  }
}

/**
 * Whether upstream's installer serves this method on this path: the all-namespaces path of a namespaced kind
 * (`/api/v1/configmaps`) serves only list and watch.
 */
function routed(info: ResourceRequest, resource: Resource): boolean {
  if (info.verb === 'unsupported') return false;
  if (resource.namespaced && info.namespace === undefined) return info.verb === 'list' || info.verb === 'watch';
  return true;
}

/** DeleteOptions come in the body (JSON or protobuf) or, for the simple ones, in the query. */
async function deleteOptions(req: Request, resource: Resource, query: URLSearchParams): Promise<DeleteOptionsBody> {
  const bytes = await readBody(req);
  let body: DeleteOptionsBody = {};
  if (bytes.length > 0) {
    const format = bodyFormat(req.headers['content-type']);
    const decoded = format === 'protobuf' ? decodeProtobufBody(bytes, resource, 'DeleteOptions') : decodeText(bytes, format).value;
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw errors.badRequest('DeleteOptions must be an object');
    body = decoded as DeleteOptionsBody;
  }
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null && body.gracePeriodSeconds === undefined) body.gracePeriodSeconds = Number(grace);
  const policy = query.get('propagationPolicy');
  if (policy && !body.propagationPolicy) body.propagationPolicy = policy;
  if (query.getAll('dryRun').length > 0) body.dryRun = query.getAll('dryRun');
  return body;
}

async function serveSubresource(call: ApiCall, options: ApiOptions): Promise<void> {
  const { info, resource, registry, res, context } = call;
  const namespace = resource.namespaced ? info.namespace : undefined;
  const name = info.name as string;
  const sub = info.subresource as string;
  const handler = options.subresources?.[`${resource.plural}/${sub}`];
  if (handler && resource.subresources?.some((s) => s.name === sub)) return handler(call);
  if ((sub === 'status' && resource.status) || resource.updateSubresources?.[sub]) {
    switch (info.verb) {
      case 'get':
        return sendObject(res, 200, registry.read(resource, namespace, name), resource, context);
      case 'update': {
        const result = await registry.update(resource, namespace, name, await call.body(), call.writeOptions(), sub);
        return sendObject(res, result.code, result, resource, context);
      }
      case 'patch': {
        const type = patchTypeOf(call.req.headers['content-type']);
        const result = await registry.patch(resource, namespace, name, type, await decodeBody(call.req, resource, call.query, context.warnings, type), patchOptions(call, type), sub);
        return sendObject(res, result.code, result, resource, context);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }
  if (sub === 'scale' && resource.scale) return serveScale(call, (type) => decodeBody(call.req, resource, call.query, context.warnings, type, 'Scale'), patchTypeOf);
  throw errors.pathNotFound();
}

export type { KubeObject };

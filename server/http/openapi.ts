/**
 * @module server/http/openapi
 * Layer: http. /openapi/v3 (index and per group-version documents, JSON) and /openapi/v2. kubectl 1.27/1.28
 * require /openapi/v2 to answer 200 in protobuf form; an empty body is a valid empty document there, and
 * with the v3 documents present every kubectl version validates and explains through v3.
 */
import express, { type Router } from 'express';
import { errors } from '../api/status.js';
import type { OpenApiDocuments } from '../registry/openapi.js';
import { sendBytes, sendJson } from './respond.js';

const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export function openApiRouter(documents: OpenApiDocuments): Router {
  const router = express.Router();
  router.get('/openapi/v3', (_req, res) => sendJson(res, 200, { paths: documents.index() }));
  router.get(/^\/openapi\/v3\/(.+)$/, (req, res, next) => {
    const path = (req.params as unknown as Record<string, string>)[0] as string;
    const document = documents.document(path);
    if (!document) return next(errors.pathNotFound());
    res.setHeader('Cache-Control', req.query.hash === document.hash ? 'public, immutable' : 'no-cache, private');
    res.setHeader('Etag', `"${document.hash}"`);
    sendBytes(res, 200, 'application/json', document.bytes);
  });
  const v2 = (req: express.Request, res: express.Response) => {
    const accept = req.headers.accept ?? '';
    if (accept.includes('protobuf') || !accept.includes('json')) return sendBytes(res, 200, V2_PROTOBUF, Buffer.alloc(0));
    sendJson(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version: 'v2' }, paths: {}, definitions: {} });
  };
  router.get('/openapi/v2', v2);
  router.get('/swagger-2.0.0.pb-v1', v2);
  return router;
}

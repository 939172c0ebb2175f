/**
 * @module server/http/openapi
 * Layer: http. /openapi/v3 (index and per group-version documents, JSON) and /openapi/v2 in JSON or in
 * gnostic protobuf (what kubectl asks for), negotiated by Accept as kube-openapi's handler does.
 */
import express, { type Router } from 'express';
import { errors } from '../api/status.js';
import type { OpenApiDocuments } from '../registry/openapi.js';
import { parseAccept } from './negotiation.js';
import { sendBytes, sendJson } from './respond.js';

const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The protobuf media type, and the older spelling client-go still asks for. */
const V2_PROTOBUF_TYPES = new Set([V2_PROTOBUF, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf']);

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
  const v2 = (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const document = documents.v2();
    res.setHeader('Vary', 'Accept');
    res.setHeader('Etag', `"${document.hash}"`);
    for (const media of parseAccept(req.headers.accept || '*/*')) {
      if (V2_PROTOBUF_TYPES.has(media.type)) return sendBytes(res, 200, V2_PROTOBUF, document.protobuf);
      if (media.type === 'application/json' || media.type === '*/*' || media.type === 'application/*') return sendBytes(res, 200, 'application/json', document.json);
    }
    next(errors.notAcceptable('only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'));
  };
  router.get('/openapi/v2', v2);
  router.get('/swagger-2.0.0.pb-v1', v2);
  return router;
}

/**
 * @module server/http/app
 * Layer: http. Assembles the express application: health and version endpoints, OpenAPI, the API (every
 * resource verb and discovery), then the error handler that renders every failure as a Status.
 */
import express, { type Express } from 'express';
import { errors } from '../api/status.js';
import { versionInfo } from '../api/version.js';
import { OpenApiDocuments } from '../registry/openapi.js';
import type { Registry } from '../registry/registry.js';
import { apiHandler, type SubresourceHandler } from './api.js';
import { errorHandler } from './errors.js';
import { healthRouter, type HealthChecks } from './health.js';
import { openApiRouter } from './openapi.js';
import { SUBRESOURCE_HANDLERS } from './subresources.js';
import { WatchServer, type WatchServerOptions } from './watch.js';

export interface AppOptions {
  health: HealthChecks;
  registry: Registry;
  /** aborted when the server shuts down: long-running requests (watches) end cleanly */
  shutdown: AbortSignal;
  watch?: WatchServerOptions;
  subresources?: Readonly<Record<string, SubresourceHandler>>;
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(healthRouter(options.health));
  app.get('/version', (_req, res) => {
    res.type('application/json').send(JSON.stringify(versionInfo(), null, 2));
  });
  app.use(openApiRouter(new OpenApiDocuments(options.registry.catalogue)));
  const watches = new WatchServer(options.registry, options.shutdown, options.watch);
  app.use(apiHandler({ registry: options.registry, watches, subresources: { ...SUBRESOURCE_HANDLERS, ...(options.subresources ?? {}) } }));
  app.use((_req, _res, next) => next(errors.pathNotFound()));
  app.use(errorHandler);
  return app;
}

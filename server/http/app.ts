/**
 * @module server/http/app
 * Layer: http. Assembles the express application: the browser guard, the in-flight limits, health and version endpoints, OpenAPI, the API (every
 * resource verb and discovery), then the error handler that renders every failure as a Status.
 */
import express, { type Express } from 'express';
import { errors } from '../api/status.js';
import { versionInfo } from '../api/version.js';
import { OpenApiDocuments } from '../registry/openapi.js';
import type { Registry } from '../registry/registry.js';
import { apiHandler, type SubresourceHandler } from './api.js';
import type { BrowserGuard } from './browser-guard.js';
import { errorHandler } from './errors.js';
import { maxInFlight, type InFlightLimits } from './max-in-flight.js';
import { healthRouter, type HealthChecks } from './health.js';
import { openApiRouter } from './openapi.js';
import { SUBRESOURCE_HANDLERS } from './subresources.js';
import type { WatchServer } from './watch.js';

export interface AppOptions {
  health: HealthChecks;
  registry: Registry;
  /** the watch streams (shared with the WebSocket upgrade handler) */
  watches: WatchServer;
  subresources?: Readonly<Record<string, SubresourceHandler>>;
  /** refuses what web pages must not do (see browser-guard.ts) */
  guard?: BrowserGuard;
  /** concurrent request limits (see max-in-flight.ts); none when absent */
  inFlight?: InFlightLimits;
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  const guard = options.guard;
  if (guard) app.use((req, _res, next) => next(guard.check(req)));
  if (options.inFlight) app.use(maxInFlight(options.inFlight));
  // The API first: it is the hot path, and it passes every other path on untouched.
  app.use(apiHandler({ registry: options.registry, watches: options.watches, subresources: { ...SUBRESOURCE_HANDLERS, ...(options.subresources ?? {}) } }));
  app.use(healthRouter(options.health));
  app.get('/version', (_req, res) => {
    res.type('application/json').send(JSON.stringify(versionInfo(), null, 2));
  });
  app.use(openApiRouter(new OpenApiDocuments(options.registry.catalogue)));
  app.use((_req, _res, next) => next(errors.pathNotFound()));
  app.use(errorHandler);
  return app;
}

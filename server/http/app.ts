/**
 * @module server/http/app
 * Layer: http. Assembles the express application: health and version endpoints, then the API, then the
 * error handler that renders every failure as a Status.
 */
import express, { type Express } from 'express';
import { versionInfo } from '../api/version.js';
import { errors } from '../api/status.js';
import { errorHandler } from './errors.js';
import { healthRouter, type HealthChecks } from './health.js';

export interface AppOptions {
  health: HealthChecks;
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
  app.use((_req, _res, next) => next(errors.pathNotFound()));
  app.use(errorHandler);
  return app;
}

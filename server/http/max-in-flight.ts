/**
 * @module server/http/max-in-flight
 * Layer: http. Overload protection as kube-apiserver's max-in-flight filter does it: at most N read-only and
 * M mutating requests are served at once; one more is answered 429 TooManyRequests with `Retry-After: 1` at
 * once, so a flood costs little and the requests already admitted finish. Long-running requests (watches,
 * pods/log, exec, attach, port-forward, proxy) and the health endpoints are never counted or refused.
 */
import type { IncomingMessage } from 'node:http';
import { availableParallelism } from 'node:os';
import type { RequestHandler } from 'express';
import { ApiError, StatusReason } from '../api/status.js';
import { requestInfoOf } from './request-info.js';

export interface InFlightLimits {
  /** concurrent read-only requests (0: no limit) */
  readOnly: number;
  /** concurrent mutating requests (0: no limit) */
  mutating: number;
}

/**
 * Upstream's defaults are 400 and 200 for a multi-core kube-apiserver; kubemu serves from one event loop, so
 * it admits 100 read-only and 50 mutating requests per core, up to upstream's figures.
 */
export function defaultInFlightLimits(cores = availableParallelism()): InFlightLimits {
  return { readOnly: Math.min(400, 100 * cores), mutating: Math.min(200, 50 * cores) };
}

const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
const HEALTH = /^\/(healthz|livez|readyz)(\/|$|\?)/;
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Kind = 'exempt' | 'readOnly' | 'mutating';

function classify(req: IncomingMessage): Kind {
  const url = req.url ?? '/';
  if (HEALTH.test(url)) return 'exempt';
  const method = req.method ?? 'GET';
  if (url.startsWith('/api')) {
    const { info } = requestInfoOf(req);
    if (info.kind === 'resource' && (info.verb === 'watch' || LONG_RUNNING_SUBRESOURCES.has(info.subresource ?? ''))) return 'exempt';
  }
  return READ_ONLY_METHODS.has(method) ? 'readOnly' : 'mutating';
}

export function tooManyRequests(): ApiError {
  return new ApiError(429, StatusReason.TooManyRequests, 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
}

export function maxInFlight(limits: InFlightLimits): RequestHandler {
  const inFlight = { readOnly: 0, mutating: 0 };
  return (req, res, next) => {
    const kind = classify(req);
    if (kind === 'exempt' || limits[kind] <= 0) return next();
    if (inFlight[kind] >= limits[kind]) return next(tooManyRequests());
    inFlight[kind]++;
    // 'close' comes once per response, whether it finished or the client went away.
    res.once('close', () => inFlight[kind]--);
    next();
  };
}

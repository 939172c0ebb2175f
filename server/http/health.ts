/**
 * @module server/http/health
 * Layer: http. /healthz, /livez, /readyz (and their per-check sub-paths, `?verbose`, `?exclude=`) answered
 * as kube-apiserver's healthz package does: `ok` when every check passes, 500 listing failures otherwise.
 */
import type { Request, Response, Router } from 'express';
import express from 'express';

/** A named health check: returns nothing when healthy, or why not. */
export interface HealthCheck {
  name: string;
  check(): string | undefined;
}

export interface HealthChecks {
  livez: HealthCheck[];
  readyz: HealthCheck[];
}

function answer(endpoint: string, checks: HealthCheck[], req: Request, res: Response): void {
  const excluded = new Set([req.query.exclude].flat().filter((v): v is string => typeof v === 'string'));
  const verbose = req.query.verbose !== undefined;
  const lines: string[] = [];
  let failed = false;
  for (const { name, check } of checks) {
    if (excluded.has(name)) {
      lines.push(`[+]${name} excluded: ok`);
      continue;
    }
    const problem = check();
    if (problem === undefined) lines.push(`[+]${name} ok`);
    else {
      failed = true;
      lines.push(`[-]${name} failed: reason withheld`);
    }
  }
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache, private');
  if (failed) {
    res.status(500).send(`${lines.join('\n')}\n${endpoint} check failed\n`);
  } else if (verbose) {
    res.status(200).send(`${lines.join('\n')}\n${endpoint} check passed\n`);
  } else {
    res.status(200).send('ok');
  }
}

export function healthRouter(checks: HealthChecks): Router {
  const router = express.Router();
  const endpoints: [string, HealthCheck[]][] = [
    ['healthz', checks.readyz],
    ['livez', checks.livez],
    ['readyz', checks.readyz],
  ];
  for (const [endpoint, list] of endpoints) {
    router.get(`/${endpoint}`, (req, res) => answer(endpoint, list, req, res));
    router.get(`/${endpoint}/:check`, (req, res, next) => {
      const one = list.find((c) => c.name === req.params.check);
      // An unknown check is an unknown path: the 404 Status every other one gets.
      if (!one) return next();
      answer(endpoint, [one], req, res);
    });
  }
  return router;
}

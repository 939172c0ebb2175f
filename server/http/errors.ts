/**
 * @module server/http/errors
 * Layer: http. The one place an error becomes a response: API errors render as their Status, body-parser
 * failures as 400/413/415, anything unexpected as a 500 InternalError Status (never an HTML page or a crash).
 */
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Response } from 'express';
import { ApiError, errors, isApiError } from '../api/status.js';

export function sendStatus(res: Response, error: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const status = error.toStatus();
  if (status.details?.retryAfterSeconds) res.setHeader('Retry-After', String(status.details.retryAfterSeconds));
  // One line and a newline, as Go's json.Encoder writes it.
  res.status(error.code).type('application/json').send(`${JSON.stringify(status)}\n`);
}

/** Answer on a raw socket (a refused upgrade or CONNECT) with the Status, then close it. */
export function sendStatusOnSocket(socket: Duplex, error: ApiError): void {
  const body = `${JSON.stringify(error.toStatus())}\n`;
  socket.end(`HTTP/1.1 ${error.code} ${error.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Translate whatever was thrown into an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  // The client went away while its body was being read: nobody is left to answer, and nothing failed here.
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'ECONNABORTED' || (err instanceof Error && err.message === 'aborted')) return errors.badRequest('the request was aborted by the client');
  const httpError = err as { status?: number; type?: string; message?: string; expose?: boolean };
  if (httpError?.type === 'entity.too.large') return errors.tooLarge('Request entity too large: limit is 3145728');
  if (httpError?.type === 'entity.parse.failed') return errors.badRequest(`the body of the request could not be decoded: ${httpError.message ?? ''}`);
  if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose) {
    return new ApiError(httpError.status, httpError.status === 415 ? 'UnsupportedMediaType' : 'BadRequest', httpError.message ?? 'bad request');
  }
  return errors.internal(err instanceof Error ? err.message : String(err));
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const apiError = toApiError(err);
  if (apiError.code >= 500) console.error('kubemu: request failed:', err);
  sendStatus(res, apiError);
};

/**
 * @module server/http/listen
 * Layer: http. Binds the app to an address and port (0 picks a free port) and stops it gracefully:
 * stop accepting, tell long-running requests (watches) to finish, let in-flight requests complete, then
 * drop whatever is left.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { ApiError, errors, StatusReason } from '../api/status.js';
import { sendStatusOnSocket } from './errors.js';

export interface ListenOptions {
  address: string;
  port: number;
}

export interface RunningServer {
  readonly server: Server;
  /** the port actually bound */
  readonly port: number;
  /** stop accepting, end watches, wait up to `graceMs` for in-flight requests, then close every connection */
  close(graceMs?: number): Promise<void>;
}

const MAX_HEADER_BYTES = 1024 * 1024;

export async function listen(app: Express, options: ListenOptions, shutdown: AbortController): Promise<RunningServer> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
  // Clients such as kubectl keep connections alive for a while between requests.
  server.keepAliveTimeout = 90_000;
  server.headersTimeout = 91_000;
  // Requests Node cannot parse (bad request lines, headers over the limit) still get a Status, not bare text.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    socket.on('error', () => socket.destroy());
    const error =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError(431, StatusReason.RequestHeaderFieldsTooLarge, `request headers are larger than ${MAX_HEADER_BYTES} bytes`)
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new ApiError(408, StatusReason.Timeout, 'the request was not received in time')
          : errors.badRequest(`the request could not be parsed: ${err.code ?? err.message}`);
    sendStatusOnSocket(socket, error);
  });
  // CONNECT is no method of the API: answer it as any unrouted method is answered, rather than drop the socket.
  server.on('connect', (_req, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    sendStatusOnSocket(socket, errors.methodNotAllowed());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        shutdown.abort();
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
      });
      return closing;
    },
  };
}

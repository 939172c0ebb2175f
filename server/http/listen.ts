/**
 * @module server/http/listen
 * Layer: http. Binds the app to an address and port (0 picks a free port) and stops it gracefully:
 * stop accepting, tell long-running requests (watches) to finish, let in-flight requests complete, then
 * drop whatever is left.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

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

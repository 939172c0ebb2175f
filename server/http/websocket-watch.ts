/**
 * @module server/http/websocket-watch
 * Layer: http. Watches over WebSocket (through `ws`) for clients that upgrade — browsers, some libraries:
 * the same request URL and parameters as a chunked watch, one event per text message (base64 when the client
 * asks for the `base64.binary.k8s.io` protocol). Errors before the upgrade are answered as a Status.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isApiError, errors, type ApiError } from '../api/status.js';
import type { Registry } from '../registry/registry.js';
import { parseIncludeObject } from '../registry/table.js';
import { toApiError } from './errors.js';
import { parseRequestInfo } from './request-info.js';
import type { WatchServer, WatchSink } from './watch.js';

const PROTOCOLS = ['base64.binary.k8s.io', 'binary.k8s.io'];
const HIGH_WATER = 1024 * 1024;

function refuse(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toStatus());
  socket.end(`HTTP/1.1 ${error.code} ${error.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function webSocketSink(ws: WebSocket, base64: boolean): WatchSink {
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return {
    gone,
    send(chunk) {
      if (ws.readyState !== ws.OPEN) return;
      const data = base64 ? chunk.toString('base64') : chunk.toString('utf8').trimEnd();
      if (ws.bufferedAmount < HIGH_WATER) {
        ws.send(data);
        return;
      }
      // A slow reader: wait until this frame is written before producing more.
      return new Promise<void>((resolve) => ws.send(data, () => resolve()));
    },
    end() {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
}

export function attachWebSocketWatch(server: Server, registry: Registry, watches: WatchServer): void {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const url = new URL(req.url ?? '/', 'http://kubemu');
      const info = parseRequestInfo('GET', url.pathname, url.searchParams);
      if (info.kind !== 'resource' || info.verb !== 'watch') throw errors.badRequest('only watch requests can be upgraded to a WebSocket here');
      const resource = registry.catalogue.find(info.group, info.version, info.resource);
      if (!resource) throw errors.pathNotFound();
      const query = url.searchParams;
      const list = {
        ...(query.get('labelSelector') && { labelSelector: query.get('labelSelector') as string }),
        ...(query.get('fieldSelector') && { fieldSelector: query.get('fieldSelector') as string }),
      };
      const opened = watches.open({
        resource,
        namespace: resource.namespaced ? info.namespace : undefined,
        name: info.name,
        query,
        list,
        tableVersion: undefined,
        includeObject: parseIncludeObject(query.get('includeObject')),
      });
      wss.handleUpgrade(req, socket, head, (ws) => {
        void watches.stream(opened, webSocketSink(ws, ws.protocol === 'base64.binary.k8s.io'));
      });
    } catch (err) {
      refuse(socket, isApiError(err) ? err : toApiError(err));
    }
  });
}

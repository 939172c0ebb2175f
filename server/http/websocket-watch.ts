/**
 * @module server/http/websocket-watch
 * Layer: http. Watches over WebSocket (through `ws`) for clients that upgrade — browsers, some libraries:
 * the same request URL and parameters as a chunked watch, one event per text message (base64 when the client
 * asks for the `base64.binary.k8s.io` protocol). Errors before the upgrade are answered as a Status; so are the pod
 * endpoints a kubelet would serve (exec, attach, port-forward), which kubemu refuses before upgrading.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isApiError, errors } from '../api/status.js';
import type { Registry } from '../registry/registry.js';
import { parseIncludeObject } from '../registry/table.js';
import type { BrowserGuard } from './browser-guard.js';
import { sendStatusOnSocket, toApiError } from './errors.js';
import { requestInfoOf } from './request-info.js';
import { kubeletRefusal, KUBELET_ENDPOINTS } from './subresources.js';
import type { WatchServer, WatchSink } from './watch.js';

const PROTOCOLS = ['base64.binary.k8s.io', 'binary.k8s.io'];
const HIGH_WATER = 1024 * 1024;

function webSocketSink(ws: WebSocket, base64: boolean): WatchSink {
  const frame = (event: Buffer) => (base64 ? event.toString('base64') : event.toString('utf8').trimEnd());
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return {
    gone,
    send(events) {
      if (ws.readyState !== ws.OPEN || events.length === 0) return;
      // One event per message, as kube-apiserver frames a WebSocket watch (dashboards parse each as one).
      for (let i = 0; i < events.length - 1; i++) ws.send(frame(events[i] as Buffer));
      const data = frame(events[events.length - 1] as Buffer);
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

export function attachWebSocketWatch(server: Server, registry: Registry, watches: WatchServer, guard?: BrowserGuard): void {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgraded socket over without an error listener: a peer's reset must not end the process.
    socket.on('error', () => socket.destroy());
    try {
      const refusal = guard?.check(req, true);
      if (refusal) throw refusal;
      const { info, query } = requestInfoOf(req);
      if (info.kind !== 'resource') throw errors.pathNotFound();
      const resource = registry.catalogue.find(info.group, info.version, info.resource);
      if (!resource) throw errors.pathNotFound();
      // exec, attach and port-forward upgrade (WebSocket, or SPDY after it): refused before any upgrade.
      if (resource.plural === 'pods' && info.name && info.subresource && info.subresource in KUBELET_ENDPOINTS) {
        throw kubeletRefusal(registry, resource, info.namespace, info.name, info.subresource);
      }
      if (info.verb !== 'watch') throw errors.badRequest('only watch, exec, attach and port-forward requests can be upgraded here');
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
        // A client's broken frame or reset is an 'error' on the WebSocket: end that watch, nothing else.
        ws.on('error', () => ws.terminate());
        void watches.stream(opened, webSocketSink(ws, ws.protocol === 'base64.binary.k8s.io'));
      });
    } catch (err) {
      sendStatusOnSocket(socket, isApiError(err) ? err : toApiError(err));
    }
  });
}

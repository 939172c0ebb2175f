/**
 * @module server/http/browser-guard
 * Layer: http. What a service without authentication must refuse so that web pages cannot drive it: a
 * request addressed to a foreign host name while kubemu listens on loopback (DNS rebinding), and a write or a
 * WebSocket upgrade sent by a page of another origin (cross-site request forgery; WebSockets are not held
 * by the browser's same-origin policy). Clients such as kubectl and client libraries send no Origin header
 * and address the server as the kubeconfig says, so they pass untouched.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ApiError, StatusReason } from '../api/status.js';

export interface BrowserGuard {
  /** the refusal for a request, or undefined when it may proceed */
  check(req: IncomingMessage, upgrade?: boolean): ApiError | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host part of a Host header or an origin's authority, without brackets or port; lower case. */
function hostName(authority: string): string {
  const text = authority.trim().toLowerCase();
  if (text.startsWith('[')) return text.slice(1, text.indexOf(']') < 0 ? undefined : text.indexOf(']'));
  const colon = text.lastIndexOf(':');
  return colon < 0 || text.indexOf(':') !== colon ? text : text.slice(0, colon);
}

export function isLoopbackName(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function forbidden(message: string): ApiError {
  return new ApiError(403, StatusReason.Forbidden, message, {});
}

/** `listenAddress` decides the Host rule: on a loopback address only loopback names are served. */
export function browserGuard(listenAddress: string): BrowserGuard {
  const loopbackOnly = isLoopbackName(hostName(listenAddress.includes(':') && !listenAddress.startsWith('[') ? `[${listenAddress}]` : listenAddress));
  return {
    check(req, upgrade = false) {
      const host = req.headers.host ?? '';
      if (loopbackOnly && host !== '' && !isLoopbackName(hostName(host))) {
        return forbidden(`kubemu listens on ${listenAddress} and serves requests addressed to a loopback name only; refused Host "${host}"`);
      }
      const origin = req.headers.origin;
      if (origin === undefined || (!upgrade && SAFE_METHODS.has(req.method ?? 'GET'))) return undefined;
      let originHost: string;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        originHost = '';
      }
      if (originHost === '' || originHost !== host.trim().toLowerCase()) {
        const what = upgrade ? 'WebSocket connections' : 'writes';
        return forbidden(`kubemu refuses ${what} from web pages of another origin; refused Origin "${origin}"`);
      }
      return undefined;
    },
  };
}

/**
 * @module server/http/watch
 * Layer: http. Watch streams: one `{"type","object"}` JSON event per line over chunked HTTP (or per message
 * over a WebSocket), resourceVersion semantics as upstream (unset/"0": synthetic ADDED of the current state
 * first; N: exactly the events after N; too old: an ERROR event carrying 410 Expired), label/field selectors
 * with objects entering (ADDED) and leaving (DELETED) the selection, bookmarks, timeoutSeconds,
 * sendInitialEvents, and a clean end on timeout, client disconnect or shutdown. Each event is encoded once and
 * the bytes are shared by every watcher wanting that form.
 */
import type { Response } from 'express';
import type { KubeObject } from '../api/object.js';
import { parseResourceVersion } from '../api/resource-version.js';
import { ApiError, errors, StatusReason, type Status } from '../api/status.js';
import { isStorageError, StorageErrorCode } from '../../storage/errors.js';
import type { StoreEvent, Watcher } from '../../storage/types.js';
import { selection } from '../registry/query.js';
import type { ListQuery, Registry } from '../registry/registry.js';
import { storageKey, type Resource } from '../registry/resource.js';
import { toTable, type IncludeObject } from '../registry/table.js';
import type { ApiCall } from './api.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchServerOptions {
  /** how often bookmarks are sent to watchers that allow them (upstream: 1 minute) */
  bookmarkIntervalMs?: number;
  /** default watch duration bounds when the client sets no timeoutSeconds (upstream: 30–60 minutes) */
  minTimeoutSeconds?: number;
}

/** Where encoded events go: a chunked HTTP response or a WebSocket. */
export interface WatchSink {
  /**
   * send encoded events (each a JSON line), as the transport frames them — one HTTP write for all, one
   * WebSocket message each; resolves when the sink can take more
   */
  send(events: readonly Buffer[]): Promise<void> | void;
  /** resolves when the client goes away */
  readonly gone: Promise<void>;
  end(): void;
}

/** What a watch request asks for, however it arrived. */
export interface WatchRequest {
  resource: Resource;
  namespace: string | undefined;
  name: string | undefined;
  query: URLSearchParams;
  list: ListQuery;
  /** meta.k8s.io Table version when each event's object is a Table */
  tableVersion: 'v1' | 'v1beta1' | undefined;
  includeObject: IncludeObject;
}

interface WatchParameters {
  revision: number | undefined;
  initialState: boolean;
  sendInitialEvents: boolean;
  bookmarks: boolean;
  timeoutMs: number;
}

const NEWLINE = '\n';

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Which event a selector-filtered watcher sees for a change: objects entering or leaving the selection. */
export function filteredType(event: StoreEvent, matches: ((object: KubeObject) => boolean) | undefined): WatchEventType | undefined {
  if (!matches) return event.type;
  if (event.type === 'DELETED') return matches(event.object) ? 'DELETED' : undefined;
  const now = matches(event.object);
  const before = event.prev ? matches(event.prev.object) : false;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

function expiredStatus(message: string): Status {
  return new ApiError(410, StatusReason.Expired, message).toStatus();
}

function parameters(query: URLSearchParams, minTimeoutSeconds: number): WatchParameters {
  const rv = query.get('resourceVersion');
  const match = query.get('resourceVersionMatch');
  const sendInitialEvents = flag(query, 'sendInitialEvents');
  if (sendInitialEvents && match !== 'NotOlderThan') {
    throw new ApiError(422, StatusReason.Invalid, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  }
  if (match && !sendInitialEvents) {
    throw new ApiError(422, StatusReason.Invalid, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }
  let revision: number | undefined;
  if (rv && rv !== '0') {
    revision = parseResourceVersion(rv);
  }
  const timeout = query.get('timeoutSeconds');
  let timeoutMs: number;
  if (timeout !== null && timeout !== '') {
    if (!/^\d+$/.test(timeout)) throw errors.badRequest(`invalid timeoutSeconds: ${JSON.stringify(timeout)}`);
    timeoutMs = Number(timeout) * 1000;
  } else {
    timeoutMs = minTimeoutSeconds * 1000 * (1 + Math.random());
  }
  // Upstream: no resourceVersion (or "0") starts with the current state as synthetic ADDED events.
  return { revision, initialState: revision === undefined || sendInitialEvents, sendInitialEvents, bookmarks: flag(query, 'allowWatchBookmarks'), timeoutMs };
}

/** Encodes events for one watch; bytes of later (header-less) events are memoised on the shared event. */
class EventEncoder {
  private headersSent = false;

  constructor(
    private readonly request: WatchRequest,
    private readonly convert: (object: KubeObject) => KubeObject,
    private readonly now: () => number,
  ) {}

  event(type: WatchEventType, object: KubeObject, event: StoreEvent | undefined): Buffer {
    const { tableVersion, resource, includeObject } = this.request;
    if (tableVersion) {
      const first = !this.headersSent;
      this.headersSent = true;
      const build = () => {
        const table = toTable(resource, [this.convert(object)], {
          includeObject,
          version: tableVersion,
          noHeaders: !first,
          listMeta: object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {},
          now: this.now(),
        });
        return Buffer.from(JSON.stringify({ type, object: table }) + NEWLINE);
      };
      // Only header-less Tables are shared: the first event of each stream carries the column definitions.
      return event && !first ? event.memo(`table:${tableVersion}:${includeObject}:${type}`, build) : build();
    }
    const build = () => {
      const body = event && !resource.storedAs ? event.bytes : Buffer.from(JSON.stringify(this.convert(object)));
      return Buffer.concat([Buffer.from(`{"type":"${type}","object":`), body, Buffer.from(`}${NEWLINE}`)]);
    };
    return event ? event.memo(`json:${type}`, build) : build();
  }

  bookmark(revision: number, initialEventsEnd: boolean): Buffer {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const object = { kind: this.request.resource.kind, apiVersion: this.request.resource.apiVersion, metadata };
    return Buffer.from(JSON.stringify({ type: 'BOOKMARK', object }) + NEWLINE);
  }

  error(status: Status): Buffer {
    return Buffer.from(JSON.stringify({ type: 'ERROR', object: status }) + NEWLINE);
  }
}

export class WatchServer {
  private readonly bookmarkIntervalMs: number;
  private readonly minTimeoutSeconds: number;

  constructor(
    private readonly registry: Registry,
    private readonly shutdown: AbortSignal,
    options: WatchServerOptions = {},
  ) {
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.minTimeoutSeconds = options.minTimeoutSeconds ?? 1800;
  }

  /** A watch request over chunked HTTP. */
  async serve(call: ApiCall, namespace: string | undefined, list: ListQuery): Promise<void> {
    const { context, res } = call;
    const request: WatchRequest = {
      resource: call.resource,
      namespace,
      name: call.info.name,
      query: call.query,
      list,
      tableVersion: context.output.kind === 'table' ? context.output.version : undefined,
      includeObject: context.includeObject,
    };
    const opened = this.open(request);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-cache, private');
    res.flushHeaders();
    await this.stream(opened, httpSink(res));
  }

  /**
   * Validate the request and start the store watch (errors here are ordinary API errors). A revision that
   * left the history window is not an error but a stream holding one ERROR event, as upstream answers.
   */
  open(request: WatchRequest): OpenedWatch {
    const params = parameters(request.query, this.minTimeoutSeconds);
    const { resource } = request;
    let list = request.list;
    if (request.name) {
      const byName = `metadata.name=${request.name}`;
      list = { ...list, fieldSelector: list.fieldSelector ? `${list.fieldSelector},${byName}` : byName };
    }
    const { predicate } = selection(resource, list.labelSelector, list.fieldSelector);
    const store = this.registry.store;
    const prefix = storageKey(resource, request.namespace);
    const convert = (object: KubeObject): KubeObject => (resource.storedAs ? resource.storedAs.fromStorage(structuredClone(object)) : object);
    const matches = predicate && (resource.storedAs ? (o: KubeObject) => predicate(convert(o)) : predicate);
    const encoder = new EventEncoder(request, convert, () => this.registry.now().getTime());
    try {
      if (params.initialState) {
        const listed = store.list(prefix, matches ? { filter: matches } : {});
        const watcher = store.watch(prefix, { fromRevision: listed.revision });
        return { params, encoder, matches, watcher, initial: listed.items.map((item) => item.object), startRevision: listed.revision };
      }
      const watcher = store.watch(prefix, { fromRevision: params.revision as number });
      return { params, encoder, matches, watcher, initial: [], startRevision: params.revision as number };
    } catch (err) {
      if (isStorageError(err, StorageErrorCode.RevisionTooOld)) return { params, encoder, matches, watcher: undefined, expired: err.message, initial: [], startRevision: 0 };
      if (isStorageError(err, StorageErrorCode.RevisionTooNew)) throw errors.timeout(err.message, 1);
      throw err;
    }
  }

  /**
   * Pump an opened watch into a sink until timeout, disconnect, shutdown or the watcher's end. The pump runs
   * synchronously from the store's commit (Watcher.onReady) while the sink keeps up, and pauses on backpressure
   * until the sink drains: no per-event promises on the hot path.
   */
  async stream(opened: OpenedWatch, sink: WatchSink): Promise<void> {
    const { params, encoder, watcher } = opened;
    if (!watcher) {
      await sink.send([encoder.error(expiredStatus(opened.expired ?? 'too old resource version'))]);
      sink.end();
      return;
    }
    const timers: NodeJS.Timeout[] = [];
    let finished = false;
    let paused = true;
    let bookmarkDue = false;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const finish = () => {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      this.shutdown.removeEventListener('abort', finish);
      watcher.onReady(undefined);
      watcher.close();
      sink.end();
      resolveDone();
    };
    /** Send; on backpressure stay paused until the sink drains, then pump again. */
    const deliver = (chunks: readonly Buffer[]): boolean => {
      const pending = sink.send(chunks);
      if (!pending) return true;
      paused = true;
      void pending.then(() => {
        paused = false;
        pump();
      });
      return false;
    };
    const pump = (): void => {
      if (finished || paused) return;
      for (;;) {
        const events = watcher.poll(256);
        const chunks: Buffer[] = [];
        for (const event of events) {
          const type = filteredType(event, opened.matches);
          if (type) chunks.push(encoder.event(type, event.object, event));
        }
        if (events.length === 0 && bookmarkDue) {
          bookmarkDue = false;
          chunks.push(encoder.bookmark(watcher.progressRevision, false));
        }
        // Everything ready goes out together: one write per wake-up, not one per event.
        if (chunks.length > 0 && !deliver(chunks)) return;
        if (events.length === 0) break;
      }
      if (watcher.closed) {
        if (watcher.error && isStorageError(watcher.error, StorageErrorCode.RevisionTooOld)) sink.send([encoder.error(expiredStatus(watcher.error.message))]);
        finish();
      }
    };
    const requestBookmark = () => {
      bookmarkDue = true;
      pump();
    };
    void sink.gone.then(finish);
    this.shutdown.addEventListener('abort', finish);
    timers.push(setTimeout(finish, params.timeoutMs));
    watcher.onReady(pump);
    for (let i = 0; i < opened.initial.length && !finished; i += 256) {
      const chunks = opened.initial.slice(i, i + 256).map((object) => encoder.event('ADDED', object, undefined));
      await Promise.race([sink.send(chunks), done]);
    }
    if (params.sendInitialEvents && params.bookmarks && !finished) await Promise.race([sink.send([encoder.bookmark(opened.startRevision, true)]), done]);
    if (params.bookmarks) {
      timers.push(setInterval(requestBookmark, this.bookmarkIntervalMs));
      // One bookmark shortly before the deadline, as upstream sends.
      if (params.timeoutMs > 2000) timers.push(setTimeout(requestBookmark, params.timeoutMs - 1000));
    }
    paused = false;
    pump();
    await done;
  }
}

export interface OpenedWatch {
  params: WatchParameters;
  encoder: EventEncoder;
  matches: ((object: KubeObject) => boolean) | undefined;
  watcher: Watcher | undefined;
  /** why the watch could not start (its revision left the window) */
  expired?: string;
  initial: KubeObject[];
  startRevision: number;
}

/** A chunked HTTP response as a watch sink, waiting for 'drain' when the client reads slowly. */
function httpSink(res: Response): WatchSink {
  const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
  return {
    gone,
    send(events) {
      if (res.writableEnded || res.destroyed) return;
      if (res.write(events.length === 1 ? (events[0] as Buffer) : Buffer.concat(events))) return;
      return new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    },
    end() {
      if (!res.writableEnded) res.end();
    },
  };
}

/**
 * @module server/http/watch
 * Layer: http. Watch streams over chunked HTTP: one `{"type","object"}` JSON line per event, resourceVersion
 * semantics as upstream (unset/"0": synthetic ADDED of the current state first; N: exactly the events after N;
 * too old: an ERROR event carrying 410 Expired), label/field selectors with objects entering (ADDED) and
 * leaving (DELETED) the selection, bookmarks, timeoutSeconds, sendInitialEvents, and a clean end on timeout,
 * client disconnect or shutdown. Each event is encoded once and shared by every watcher wanting that form.
 */
import type { Response } from 'express';
import type { KubeObject } from '../api/object.js';
import { ApiError, errors, StatusReason, type Status } from '../api/status.js';
import { isStorageError, StorageErrorCode } from '../../storage/errors.js';
import type { StoreEvent, Watcher } from '../../storage/types.js';
import { selection } from '../registry/query.js';
import type { ListQuery, Registry } from '../registry/registry.js';
import { storageKey, type Resource } from '../registry/resource.js';
import { toTable } from '../registry/table.js';
import type { ApiCall } from './api.js';
import { sendJson } from './respond.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchServerOptions {
  /** how often bookmarks are sent to watchers that allow them (upstream: 1 minute) */
  bookmarkIntervalMs?: number;
  /** default watch duration bounds when the client sets no timeoutSeconds (upstream: 30–60 minutes) */
  minTimeoutSeconds?: number;
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

  private parameters(query: URLSearchParams): WatchParameters {
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
      if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
      revision = Number(rv);
    }
    const timeout = query.get('timeoutSeconds');
    let timeoutMs: number;
    if (timeout !== null && timeout !== '') {
      if (!/^\d+$/.test(timeout)) throw errors.badRequest(`invalid timeoutSeconds: ${JSON.stringify(timeout)}`);
      timeoutMs = Number(timeout) * 1000;
    } else {
      timeoutMs = this.minTimeoutSeconds * 1000 * (1 + Math.random());
    }
    return {
      revision,
      // Upstream: no resourceVersion (or "0") starts with the current state as synthetic ADDED events.
      initialState: revision === undefined || sendInitialEvents,
      sendInitialEvents,
      bookmarks: flag(query, 'allowWatchBookmarks'),
      timeoutMs,
    };
  }

  async serve(call: ApiCall, namespace: string | undefined, query: ListQuery): Promise<void> {
    const { resource, res, req, context } = call;
    const params = this.parameters(call.query);
    if (call.info.name) {
      const byName = `metadata.name=${call.info.name}`;
      query = { ...query, fieldSelector: query.fieldSelector ? `${query.fieldSelector},${byName}` : byName };
    }
    const { predicate } = selection(resource, query.labelSelector, query.fieldSelector);
    const store = this.registry.store;
    const prefix = storageKey(resource, namespace);
    const convert = (object: KubeObject): KubeObject => (resource.storedAs ? resource.storedAs.fromStorage(structuredClone(object)) : object);
    const matches = predicate && (resource.storedAs ? (o: KubeObject) => predicate(convert(o)) : predicate);

    let watcher: Watcher;
    let initial: StoreEvent[] | KubeObject[] = [];
    let startRevision: number;
    try {
      if (params.initialState && (params.revision === undefined || params.sendInitialEvents)) {
        const list = store.list(prefix, matches ? { filter: matches } : {});
        startRevision = list.revision;
        initial = list.items.map((item) => item.object);
        watcher = store.watch(prefix, { fromRevision: startRevision });
      } else {
        startRevision = params.revision as number;
        watcher = store.watch(prefix, { fromRevision: startRevision });
      }
    } catch (err) {
      if (isStorageError(err, StorageErrorCode.RevisionTooOld)) {
        return this.expiredStream(res, err.message);
      }
      if (isStorageError(err, StorageErrorCode.RevisionTooNew)) throw errors.timeout(err.message, 1);
      throw err;
    }

    const stream = new EventStream(res, resource, context.output.kind === 'table' ? context.output.version : undefined, context.includeObject, convert, this.registry);
    const stop = new AbortController();
    const end = () => stop.abort();
    req.on('close', end);
    this.shutdown.addEventListener('abort', end);
    const timer = setTimeout(end, params.timeoutMs);
    let bookmarkTimer: NodeJS.Timeout | undefined;
    try {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache, private');
      res.flushHeaders();
      for (const object of initial as KubeObject[]) await stream.write('ADDED', object, undefined, stop.signal);
      if (params.sendInitialEvents && params.bookmarks) await stream.bookmark(startRevision, true, stop.signal);
      if (params.bookmarks) {
        bookmarkTimer = setInterval(() => stream.requestBookmark(), this.bookmarkIntervalMs);
        // One bookmark shortly before the deadline, as upstream sends.
        if (params.timeoutMs > 2000) setTimeout(() => stream.requestBookmark(), params.timeoutMs - 1000).unref();
      }
      await this.pump(watcher, stream, matches, stop.signal, params.bookmarks);
    } finally {
      clearTimeout(timer);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      req.off('close', end);
      this.shutdown.removeEventListener('abort', end);
      watcher.close();
      if (!res.writableEnded) res.end();
    }
  }

  private async pump(watcher: Watcher, stream: EventStream, matches: ((o: KubeObject) => boolean) | undefined, stop: AbortSignal, bookmarks: boolean): Promise<void> {
    const stopped = new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
    while (!stop.aborted) {
      const events = watcher.poll(256);
      for (const event of events) {
        const type = filteredType(event, matches);
        if (type) await stream.write(type, event.object, event, stop);
        if (stop.aborted) return;
      }
      if (bookmarks && stream.bookmarkDue && watcher.poll(0).length === 0) await stream.bookmark(watcher.progressRevision, false, stop);
      if (events.length > 0) continue;
      if (watcher.closed) {
        if (watcher.error && isStorageError(watcher.error, StorageErrorCode.RevisionTooOld)) await stream.error(expiredStatus(watcher.error.message), stop);
        return;
      }
      await Promise.race([watcher.wait(), stopped, stream.bookmarkRequested]);
    }
  }

  /** A watch from a compacted revision: one ERROR event with 410 Expired, then the end (upstream behaviour). */
  private expiredStream(res: Response, message: string): void {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ type: 'ERROR', object: expiredStatus(message) }) + NEWLINE);
  }
}

function expiredStatus(message: string): Status {
  return new ApiError(410, StatusReason.Expired, message).toStatus();
}

/** Writes encoded events to one response, honouring backpressure. */
class EventStream {
  private headersSent = false;
  bookmarkDue = false;
  private wakeBookmark: (() => void) | undefined;
  bookmarkRequested: Promise<void> = new Promise((resolve) => (this.wakeBookmark = resolve));

  constructor(
    private readonly res: Response,
    private readonly resource: Resource,
    private readonly tableVersion: 'v1' | 'v1beta1' | undefined,
    private readonly includeObject: 'None' | 'Metadata' | 'Object',
    private readonly convert: (object: KubeObject) => KubeObject,
    private readonly registry: Registry,
  ) {}

  requestBookmark(): void {
    this.bookmarkDue = true;
    const wake = this.wakeBookmark;
    this.bookmarkRequested = new Promise((resolve) => (this.wakeBookmark = resolve));
    wake?.();
  }

  private encode(type: WatchEventType, object: KubeObject, event: StoreEvent | undefined): Buffer {
    if (this.tableVersion) {
      const first = !this.headersSent;
      this.headersSent = true;
      const build = () => {
        const table = toTable(this.resource, [this.convert(object)], {
          includeObject: this.includeObject,
          version: this.tableVersion as 'v1' | 'v1beta1',
          noHeaders: !first,
          listMeta: object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {},
          now: this.registry.now().getTime(),
        });
        return Buffer.from(JSON.stringify({ type, object: table }) + NEWLINE);
      };
      // Only header-less Tables are shared: the first event of each stream carries the column definitions.
      return event && !first ? event.memo(`table:${this.tableVersion}:${this.includeObject}:${type}`, build) : build();
    }
    const build = () => {
      const body = event && !this.resource.storedAs ? event.bytes : Buffer.from(JSON.stringify(this.convert(object)));
      return Buffer.concat([Buffer.from(`{"type":"${type}","object":`), body, Buffer.from(`}${NEWLINE}`)]);
    };
    return event ? event.memo(`json:${type}`, build) : build();
  }

  async write(type: WatchEventType, object: KubeObject, event: StoreEvent | undefined, stop: AbortSignal): Promise<void> {
    await this.send(this.encode(type, object, event), stop);
  }

  async bookmark(revision: number, initialEventsEnd: boolean, stop: AbortSignal): Promise<void> {
    this.bookmarkDue = false;
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const object = { kind: this.resource.kind, apiVersion: this.resource.apiVersion, metadata };
    await this.send(Buffer.from(JSON.stringify({ type: 'BOOKMARK', object }) + NEWLINE), stop);
  }

  async error(status: Status, stop: AbortSignal): Promise<void> {
    await this.send(Buffer.from(JSON.stringify({ type: 'ERROR', object: status }) + NEWLINE), stop);
  }

  private async send(chunk: Buffer, stop: AbortSignal): Promise<void> {
    if (stop.aborted || this.res.writableEnded || this.res.destroyed) return;
    if (this.res.write(chunk)) return;
    // The client is slow: wait for the socket to drain (or the stream to end) before reading more events.
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        stop.removeEventListener('abort', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
      stop.addEventListener('abort', done, { once: true });
    });
  }
}

export { sendJson };

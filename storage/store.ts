/**
 * @module storage/store
 * Layer: storage. The versioned store: kubemu's etcd. One global revision counter, compare-and-swap writes,
 * reads served from memory, a bounded history window for watches and snapshot lists, and group commit —
 * concurrent writes are made durable together in one batch and acknowledged only after it (mirrors
 * k8s.io/apiserver's storage.Interface on top of kine-like revision semantics). Durability itself is
 * delegated to a Persistence backend.
 */
import type { KubeObject } from '../server/api/object.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { StorageError, StorageErrorCode } from './errors.js';
import { History } from './history.js';
import { KeyIndex, prefixEnd } from './key-index.js';
import type { Persistence } from './persistence.js';
import { snapshotRange } from './snapshot.js';
import {
  EventType,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Storage,
  type StoredObject,
  type TryUpdate,
  type UpdateOptions,
  type Watcher,
  type WatchOptions,
} from './types.js';
import { Version } from './version.js';
import { WatchHub } from './watch-hub.js';

export interface StoreOptions {
  /** how many recent revisions watches and continue tokens can start from (default 10,000) */
  historyWindow?: number;
  /** largest serialised object accepted (default 1.5 MiB, etcd's request limit) */
  maxObjectBytes?: number;
}

export const DEFAULT_HISTORY_WINDOW = 10_000;
export const DEFAULT_MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** How long a failed store waits before it first tries to recover, and at most between tries. */
const RECOVERY_FIRST_MS = 250;
const RECOVERY_MAX_MS = 5_000;

/** The batch whose commit failed: it may have landed after all, which recovery finds out. */
interface FailedCommit {
  versions: Version[];
  evicted: Version[];
}

interface PendingWrite {
  version: Version;
  resolve(version: Version): void;
  reject(error: Error): void;
}

export class VersionedStore implements Storage {
  /** committed live versions: what every read sees */
  private readonly index = new KeyIndex();
  /** the newest accepted-but-uncommitted version per key, so writes queue on top of each other */
  private readonly pending = new Map<string, Version>();
  private readonly history: History;
  private readonly hub: WatchHub;
  private readonly maxObjectBytes: number;
  private committed: number;
  private assigned: number;
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  private flushing = false;
  private drained: (() => void)[] = [];
  private closing: Promise<void> | undefined;
  private failure: Error | undefined;
  private failedCommit: FailedCommit | undefined;
  private recovery: NodeJS.Timeout | undefined;

  static async open(persistence: Persistence, options: StoreOptions = {}): Promise<VersionedStore> {
    const loaded = await persistence.load();
    const store = new VersionedStore(persistence, loaded.revision, loaded.compactRevision, options);
    for (const version of loaded.live) store.index.set(version.key, version);
    store.history.append(loaded.window);
    return store;
  }

  private constructor(
    private readonly persistence: Persistence,
    revision: number,
    compactRevision: number,
    options: StoreOptions,
  ) {
    this.committed = revision;
    this.assigned = revision;
    this.history = new History(options.historyWindow ?? DEFAULT_HISTORY_WINDOW, compactRevision);
    this.hub = new WatchHub(this.history);
    this.maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  }

  get revision(): number {
    return this.committed;
  }

  get oldestRevision(): number {
    return this.history.compactRevision;
  }

  /** false once the store is closing or a durable write failed */
  get writable(): boolean {
    return !this.closing && !this.failure;
  }

  /** number of open watchers (for tests and metrics) */
  get watcherCount(): number {
    return this.hub.size;
  }

  // ---------------------------------------------------------------- reads (memory only, committed only)

  get<T extends KubeObject>(key: string): StoredObject<T> | undefined {
    return this.index.get(key) as StoredObject<T> | undefined;
  }

  count(prefix: string): number {
    return this.index.count(prefix, prefixEnd(prefix));
  }

  list<T extends KubeObject>(prefix: string, options: ListOptions<T> = {}): ListResult<T> {
    let revision = this.committed;
    let from = prefix;
    if (options.continue) {
      ({ revision, startKey: from } = decodeContinue(prefix, options.continue));
    } else if (options.revision !== undefined && options.revision !== 0) {
      revision = options.revision;
    }
    this.checkRevisionServable(revision);
    const to = prefixEnd(prefix);
    const limit = options.limit && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
    const filter = options.filter;
    const items: StoredObject<T>[] = [];
    const walk = snapshotRange(this.index, this.history, from, to, revision);
    let step = walk.next();
    for (; !step.done && items.length < limit; step = walk.next()) {
      const version = step.value as unknown as Version<T>;
      if (!filter || filter(version.object)) items.push(version);
    }
    const result: ListResult<T> = { items, revision };
    if (!step.done) {
      const last = items[items.length - 1] as StoredObject<T>;
      result.continue = encodeContinue(prefix, { revision, startKey: last.key + '\u0000' });
      if (!filter) {
        let remaining = 0;
        for (; !step.done; step = walk.next()) remaining++;
        result.remainingItemCount = remaining;
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- writes

  create<T extends KubeObject>(key: string, object: T): Promise<StoredObject<T>> {
    try {
      this.assertWritable();
      const latest = this.liveLatest(key);
      if (latest) throw new StorageError(StorageErrorCode.KeyExists, key, `key ${key} already exists`);
      return this.append(key, EventType.Added, object, undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async guaranteedUpdate<T extends KubeObject>(key: string, tryUpdate: TryUpdate<T>, options: UpdateOptions = {}): Promise<StoredObject<T>> {
    for (;;) {
      this.assertWritable();
      const latest = this.liveLatest(key) as Version<T> | undefined;
      if (!latest && !options.allowCreate) throw notFound(key);
      if (latest) checkPreconditions(key, latest, options.preconditions);
      const result = tryUpdate(latest);
      let candidate: T;
      if (result instanceof Promise) {
        candidate = await result;
        // The callback awaited; if someone else wrote the key meanwhile, run it again on fresh state.
        if (this.liveLatest(key) !== latest) continue;
        this.assertWritable();
      } else {
        candidate = result;
      }
      if (!latest) return this.append(key, EventType.Added, candidate, undefined);
      if (candidate === latest.object || this.unchanged(latest, candidate)) return latest;
      return this.append(key, EventType.Modified, candidate, latest);
    }
  }

  delete<T extends KubeObject>(key: string, options: DeleteOptions<T> = {}): Promise<StoredObject<T>> {
    try {
      this.assertWritable();
      const latest = this.liveLatest(key) as Version<T> | undefined;
      if (!latest) throw notFound(key);
      checkPreconditions(key, latest, options.preconditions);
      options.validate?.(latest);
      // The tombstone carries the last state, stamped with the deletion's revision (as etcd watch events are).
      const last = JSON.parse(latest.bytes.toString('utf8')) as T;
      return this.append(key, EventType.Deleted, last, latest);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  watch<T extends KubeObject>(prefix: string, options: WatchOptions = {}): Watcher<T> {
    const from = options.fromRevision ?? this.committed;
    this.checkRevisionServable(from);
    if (this.closing || this.failure) throw unavailable(this.failure);
    return this.hub.open<T>(prefix, from);
  }

  close(): Promise<void> {
    clearTimeout(this.recovery);
    this.closing ??= (async () => {
      await this.whenDrained();
      this.hub.closeAll();
      await this.persistence.close();
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------- internals

  private liveLatest(key: string): Version | undefined {
    const pending = this.pending.get(key);
    if (pending) return pending.deleted ? undefined : pending;
    return this.index.get(key);
  }

  private unchanged(latest: Version, candidate: KubeObject): boolean {
    candidate.metadata.resourceVersion = latest.object.metadata.resourceVersion;
    const json = JSON.stringify(candidate);
    return Buffer.byteLength(json) === latest.bytes.length && latest.bytes.equals(Buffer.from(json));
  }

  private checkRevisionServable(revision: number): void {
    if (revision < this.history.compactRevision) {
      throw new StorageError(
        StorageErrorCode.RevisionTooOld,
        undefined,
        `too old resource version: ${revision} (${this.history.compactRevision})`,
        { oldest: this.history.compactRevision, current: this.committed },
      );
    }
    if (revision > this.committed) {
      throw new StorageError(
        StorageErrorCode.RevisionTooNew,
        undefined,
        `Too large resource version: ${revision}, current: ${this.committed}`,
        { oldest: this.history.compactRevision, current: this.committed },
      );
    }
  }

  private assertWritable(): void {
    if (this.failure || this.closing) throw unavailable(this.failure);
  }

  /** Stamp, serialise and queue one version for the next group commit. */
  private append<T extends KubeObject>(key: string, type: EventType, object: T, prev: Version<T> | undefined): Promise<StoredObject<T>> {
    const revision = this.assigned + 1;
    object.metadata.resourceVersion = String(revision);
    const bytes = Buffer.from(JSON.stringify(object));
    if (bytes.length > this.maxObjectBytes) {
      return Promise.reject(
        new StorageError(StorageErrorCode.TooLarge, key, `object of ${bytes.length} bytes is larger than the ${this.maxObjectBytes}-byte limit`),
      );
    }
    this.assigned = revision;
    const version = new Version<T>(key, revision, type, object, bytes, prev);
    this.pending.set(key, version as unknown as Version);
    return new Promise<Version>((resolve, reject) => {
      this.queue.push({ version: version as unknown as Version, resolve, reject });
      this.scheduleFlush();
    }) as unknown as Promise<StoredObject<T>>;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: writers resumed by the previous commit get to join this group.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing || this.failure) return;
    if (this.queue.length === 0) return this.notifyDrained();
    const batch = this.queue;
    this.queue = [];
    this.flushing = true;
    const versions = batch.map((write) => write.version);
    const evicted = this.history.planEviction(versions);
    const last = versions[versions.length - 1] as Version;
    const compactRevision = evicted.length > 0 ? (evicted[evicted.length - 1] as Version).revision : this.history.compactRevision;
    try {
      await this.persistence.commit({ versions, evicted, revision: last.revision, compactRevision });
    } catch (err) {
      this.flushing = false;
      this.fail(err instanceof Error ? err : new Error(String(err)), batch, { versions, evicted });
      return;
    }
    this.applyCommitted(versions, evicted);
    for (const write of batch) write.resolve(write.version);
    this.flushing = false;
    if (this.queue.length > 0) this.scheduleFlush();
    else this.notifyDrained();
  }

  /** Make durable versions visible: reads, history, watchers. */
  private applyCommitted(versions: readonly Version[], evicted: readonly Version[]): void {
    for (const version of versions) {
      if (version.deleted) this.index.delete(version.key);
      else this.index.set(version.key, version);
      if (this.pending.get(version.key) === version) this.pending.delete(version.key);
    }
    this.committed = (versions[versions.length - 1] as Version).revision;
    this.history.append(versions);
    this.hub.afterCommit(evicted);
  }

  /**
   * A durable write failed: writes are refused (503) until the backend is writable again. Whether the failed
   * batch landed is unknown until then; recovery finds out, and makes it visible if it did.
   */
  private fail(error: Error, batch: PendingWrite[], commit: FailedCommit): void {
    this.failure = error;
    this.failedCommit = commit;
    const rejected = [...batch, ...this.queue];
    this.queue = [];
    this.pending.clear();
    const reason = unavailable(error);
    for (const write of rejected) write.reject(reason);
    this.hub.closeAll(reason);
    this.notifyDrained();
    this.scheduleRecovery(RECOVERY_FIRST_MS);
  }

  private scheduleRecovery(delayMs: number): void {
    if (!this.persistence.recover || this.closing) return;
    this.recovery = setTimeout(() => void this.recover(delayMs), delayMs);
    this.recovery.unref();
  }

  private async recover(delayMs: number): Promise<void> {
    const failed = this.failedCommit;
    if (!failed || this.closing || !this.persistence.recover) return;
    let durable: number;
    try {
      durable = await this.persistence.recover();
    } catch {
      return this.scheduleRecovery(Math.min(delayMs * 2, RECOVERY_MAX_MS));
    }
    if (this.closing) return;
    const landed = (failed.versions[failed.versions.length - 1] as Version).revision;
    if (durable === landed) this.applyCommitted(failed.versions, failed.evicted);
    else if (durable !== this.committed) {
      // The backend holds neither state kubemu knows: stay refusing writes rather than guess.
      this.failure = new Error(`storage holds revision ${durable}, expected ${this.committed} or ${landed}; restart kubemu`);
      return;
    }
    this.assigned = this.committed;
    this.failure = undefined;
    this.failedCommit = undefined;
  }

  private whenDrained(): Promise<void> {
    if (!this.flushing && !this.flushScheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private notifyDrained(): void {
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }
}

function notFound(key: string): StorageError {
  return new StorageError(StorageErrorCode.KeyNotFound, key, `key ${key} not found`);
}

function unavailable(cause: Error | undefined): StorageError {
  return new StorageError(
    StorageErrorCode.Unavailable,
    undefined,
    cause ? `storage failed and accepts no more writes: ${cause.message}` : 'storage is shutting down',
  );
}

function checkPreconditions(key: string, current: Version, preconditions: Preconditions | undefined): void {
  if (!preconditions) return;
  const meta = current.object.metadata;
  if (preconditions.uid !== undefined && preconditions.uid !== meta.uid) {
    throw new StorageError(
      StorageErrorCode.Conflict,
      key,
      `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid ?? ''}`,
    );
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== meta.resourceVersion) {
    throw new StorageError(
      StorageErrorCode.Conflict,
      key,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
}

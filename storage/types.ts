/**
 * @module storage/types
 * Layer: storage. The storage contract, modelled on k8s.io/apiserver's storage.Interface and kine:
 * every write takes the next value of one global revision counter, which becomes the object's
 * resourceVersion; reads are served from memory; watches start from a revision.
 */
import type { KubeObject } from '../server/api/object.js';

export const EventType = { Added: 'ADDED', Modified: 'MODIFIED', Deleted: 'DELETED' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** One stored version of one key. Objects and bytes are shared: callers must never mutate them. */
export interface StoredObject<T extends KubeObject = KubeObject> {
  readonly key: string;
  /** the revision that wrote this version (its resourceVersion) */
  readonly revision: number;
  readonly object: T;
  /** the object's JSON, resourceVersion included; served as-is so an unchanged object is never re-serialised */
  readonly bytes: Buffer;
}

/** A committed change. For DELETED, `object` is the last state with the deletion's revision as resourceVersion. */
export interface StoreEvent<T extends KubeObject = KubeObject> extends StoredObject<T> {
  readonly type: EventType;
  /** the live version this change replaced (absent for ADDED); lets watchers see objects leave a selection */
  readonly prev: StoredObject<T> | undefined;
  /** per-event cache for encodings, so an event is encoded once however many watchers receive it */
  memo<V>(slot: string, compute: () => V): V;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface ListOptions<T extends KubeObject = KubeObject> {
  /** at most this many items (0 or absent: all) */
  limit?: number;
  /** a continue token returned by an earlier page of the same list */
  continue?: string;
  /** serve the list as of this revision (must still be in the history window); default: the latest */
  revision?: number;
  /** keep only items for which this returns true; `limit` counts kept items */
  filter?: (object: T) => boolean;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: StoredObject<T>[];
  /** the revision of the snapshot every page of this list is served from */
  revision: number;
  /** set when more items may follow */
  continue?: string;
  /** how many more keys follow, when known (no filter) */
  remainingItemCount?: number;
}

/** Returns the new object to store, or the very `current.object` to leave the key unchanged. */
export type TryUpdate<T extends KubeObject = KubeObject> = (
  current: StoredObject<T> | undefined,
) => T | Promise<T>;

export interface UpdateOptions {
  preconditions?: Preconditions;
  /** let tryUpdate see `undefined` for an absent key and create it (as apiserver's forceAllowCreate) */
  allowCreate?: boolean;
}

export interface DeleteOptions<T extends KubeObject = KubeObject> {
  preconditions?: Preconditions;
  /** last check against the current object; throw to refuse the delete */
  validate?: (current: StoredObject<T>) => void;
}

export interface WatchOptions {
  /** deliver exactly the events after this revision; absent: from now */
  fromRevision?: number;
}

/**
 * A watch on a key prefix. Events are pulled: `poll` returns what is ready, `wait` resolves when more may be.
 * A watcher that falls so far behind that matching events leave the history window is closed with
 * RevisionTooOld: it must relist. It never holds events of its own, so it cannot grow memory or block writers.
 */
export interface Watcher<T extends KubeObject = KubeObject> extends AsyncIterable<StoreEvent<T>> {
  /** events ready now, in revision order (empty when caught up or closed) */
  poll(max?: number): StoreEvent<T>[];
  /** resolves when new events may be ready or the watcher closed */
  wait(): Promise<void>;
  /**
   * Call `listener` (synchronously, right after each commit) whenever new events may be ready or the watcher
   * closed — the cheap alternative to wait() for a consumer that keeps up. One listener; undefined removes it.
   */
  onReady(listener: (() => void) | undefined): void;
  /** the revision up to which every matching event has been returned by poll (for bookmarks) */
  readonly progressRevision: number;
  readonly closed: boolean;
  /** why the watcher closed, when it was not closed by its owner or a clean store shutdown */
  readonly error: Error | undefined;
  close(): void;
}

export interface Storage {
  /** the revision of the latest committed write */
  readonly revision: number;
  /** the oldest revision a watch or snapshot list can start from */
  readonly oldestRevision: number;
  create<T extends KubeObject>(key: string, object: T): Promise<StoredObject<T>>;
  get<T extends KubeObject>(key: string): StoredObject<T> | undefined;
  list<T extends KubeObject>(prefix: string, options?: ListOptions<T>): ListResult<T>;
  /** number of live keys under a prefix */
  count(prefix: string): number;
  guaranteedUpdate<T extends KubeObject>(key: string, tryUpdate: TryUpdate<T>, options?: UpdateOptions): Promise<StoredObject<T>>;
  delete<T extends KubeObject>(key: string, options?: DeleteOptions<T>): Promise<StoredObject<T>>;
  watch<T extends KubeObject>(prefix: string, options?: WatchOptions): Watcher<T>;
  /** stop accepting writes, persist every accepted one, end all watches */
  close(): Promise<void>;
}

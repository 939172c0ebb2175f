/**
 * @module storage/persistence
 * Layer: storage. What a durable backend must do for the versioned store. The store owns all in-memory state
 * (current objects, history window, watchers, revision counter); a backend only makes committed batches
 * durable and gives them back at start-up. Memory and LevelDB implement it; an etcd backend could too.
 */
import type { Version } from './version.js';

export interface LoadedState {
  /** the last committed revision */
  revision: number;
  /** every revision up to this one has left the history window */
  compactRevision: number;
  /** the live version of every key, any order */
  live: Version[];
  /** the versions with revision > compactRevision, ascending and contiguous, with `prev` linked */
  window: Version[];
}

export interface CommitBatch {
  /** new versions, ascending contiguous revisions */
  versions: readonly Version[];
  /** versions leaving the history window with this commit, oldest first; their `prev` is still linked */
  evicted: readonly Version[];
  /** the revision of the last version in `versions` */
  revision: number;
  /** the compact revision after this commit */
  compactRevision: number;
}

export interface Persistence {
  load(): Promise<LoadedState>;
  /** resolve only once the batch is durable; the batch is applied entirely or not at all */
  commit(batch: CommitBatch): Promise<void>;
  /**
   * After a failed commit: make the backend writable again if it can (reopen it) and return the last revision
   * it holds durably — the one before the failed batch, or that batch's own if it landed after all.
   */
  recover?(): Promise<number>;
  close(): Promise<void>;
}

/** No durability at all: `--memory` mode and tests. */
export class NoPersistence implements Persistence {
  async load(): Promise<LoadedState> {
    return { revision: 0, compactRevision: 0, live: [], window: [] };
  }

  async commit(): Promise<void> {}

  async close(): Promise<void> {}
}

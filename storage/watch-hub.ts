/**
 * @module storage/watch-hub
 * Layer: storage. The one fan-out point for store events. Watchers hold no queue of their own: each keeps a
 * cursor into the shared history window and pulls the events after it, so every event object (and every
 * encoding memoised on it) is shared by all watchers, memory does not grow with slow watchers, and writers are
 * never blocked. A watcher whose unread matching events leave the window is closed with RevisionTooOld — the
 * client relists, as with kine's dropped subscribers and the apiserver cacher's terminated watchers.
 */
import type { KubeObject } from '../server/api/object.js';
import { StorageError, StorageErrorCode } from './errors.js';
import type { History } from './history.js';
import type { StoreEvent, Watcher } from './types.js';
import type { Version } from './version.js';

export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();

  constructor(private readonly history: History) {}

  get size(): number {
    return this.watchers.size;
  }

  open<T extends KubeObject>(prefix: string, fromRevision: number): Watcher<T> {
    const watcher = new HubWatcher(this, this.history, prefix, fromRevision);
    this.watchers.add(watcher);
    return watcher as unknown as Watcher<T>;
  }

  /** Called after each commit, with what the commit pushed out of the window. */
  afterCommit(evicted: readonly Version[]): void {
    const compacted = this.history.compactRevision;
    for (const watcher of this.watchers) {
      if (evicted.length > 0 && watcher.cursor < compacted) watcher.skipEvicted(evicted, compacted);
      watcher.wake();
    }
  }

  closeAll(error?: Error): void {
    for (const watcher of [...this.watchers]) watcher.end(error);
  }

  forget(watcher: HubWatcher): void {
    this.watchers.delete(watcher);
  }
}

class HubWatcher implements Watcher {
  /** the revision up to which this watcher has looked */
  cursor: number;
  private waiter: (() => void) | undefined;
  private listener: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    private readonly hub: WatchHub,
    private readonly history: History,
    private readonly prefix: string,
    fromRevision: number,
  ) {
    this.cursor = fromRevision;
  }

  get progressRevision(): number {
    return this.cursor;
  }

  get closed(): boolean {
    return this.ended;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  poll(max = Number.POSITIVE_INFINITY): StoreEvent[] {
    const out: StoreEvent[] = [];
    if (this.ended) return out;
    const newest = this.history.newestRevision;
    while (this.cursor < newest && out.length < max) {
      const version = this.history.at(this.cursor + 1) as Version;
      this.cursor++;
      if (version.key.startsWith(this.prefix)) out.push(version);
    }
    return out;
  }

  wait(): Promise<void> {
    if (this.ended || this.cursor < this.history.newestRevision) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.waiter;
      this.waiter = previous ? () => (previous(), resolve()) : resolve;
    });
  }

  /** Unread events left the window: fail if any of them was ours, else just move past them. */
  skipEvicted(evicted: readonly Version[], compacted: number): void {
    for (const version of evicted) {
      if (version.revision > this.cursor && version.key.startsWith(this.prefix)) {
        this.end(
          new StorageError(
            StorageErrorCode.RevisionTooOld,
            undefined,
            `watcher fell behind: events after revision ${this.cursor} left the history window`,
            { oldest: compacted, current: this.history.newestRevision },
          ),
        );
        return;
      }
    }
    this.cursor = compacted;
  }

  onReady(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
    if (this.listener) {
      try {
        this.listener();
      } catch (err) {
        // A consumer's failure is the consumer's: it must never reach the commit path.
        this.end(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.hub.forget(this);
    this.wake();
    this.listener = undefined;
  }

  close(): void {
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    try {
      for (;;) {
        const events = this.poll();
        for (const event of events) yield event;
        if (events.length === 0) {
          if (this.ended) {
            if (this.failure) throw this.failure;
            return;
          }
          await this.wait();
        }
      }
    } finally {
      this.close();
    }
  }
}

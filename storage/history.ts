/**
 * @module storage/history
 * Layer: storage. The history window: a ring of the most recent committed versions, one per revision.
 * Revisions are contiguous (every revision is exactly one write), so the version of revision r sits at a
 * fixed offset and lookups are O(1). It serves watch replay, snapshot lists (continue tokens) and the
 * compaction decisions of the durable log: whatever leaves the window is compacted away.
 */
import type { Version } from './version.js';

export class History {
  private ring: (Version | undefined)[];
  private start = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    /** every revision up to and including this one has left the window */
    private compacted: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history window must be at least 1, got ${capacity}`);
    this.ring = new Array<Version | undefined>(capacity);
  }

  /** Revisions ≤ this are gone: a watch or snapshot must start at or after it. */
  get compactRevision(): number {
    return this.compacted;
  }

  /** The newest revision in the window (equals compactRevision when empty). */
  get newestRevision(): number {
    return this.compacted + this.size;
  }

  get length(): number {
    return this.size;
  }

  at(revision: number): Version | undefined {
    if (revision <= this.compacted || revision > this.compacted + this.size) return undefined;
    return this.ring[(this.start + (revision - this.compacted - 1)) % this.capacity];
  }

  /**
   * The versions that appending `incoming` will push out of the window, oldest first (they may include
   * some of `incoming` itself when a batch is larger than the window).
   */
  planEviction(incoming: readonly Version[]): Version[] {
    const overflow = this.size + incoming.length - this.capacity;
    if (overflow <= 0) return [];
    const evicted: Version[] = [];
    for (let i = 0; i < overflow; i++) {
      evicted.push(i < this.size ? (this.at(this.compacted + 1 + i) as Version) : (incoming[i - this.size] as Version));
    }
    return evicted;
  }

  /** Append committed versions (contiguous revisions after newestRevision), evicting the oldest beyond capacity. */
  append(versions: readonly Version[]): void {
    for (const version of versions) {
      if (version.revision !== this.newestRevision + 1) {
        throw new Error(`history: revision ${version.revision} does not follow ${this.newestRevision}`);
      }
      if (this.size === this.capacity) this.evictOldest();
      this.ring[(this.start + this.size) % this.capacity] = version;
      this.size++;
    }
  }

  private evictOldest(): void {
    const oldest = this.ring[this.start] as Version;
    this.ring[this.start] = undefined;
    // Out of the window, nobody needs to know what this version replaced.
    oldest.prev = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.size--;
    this.compacted = oldest.revision;
  }
}

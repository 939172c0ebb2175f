/**
 * @module storage/leveldb
 * Layer: storage. The default durable backend: the revision log in LevelDB (through the `level` package).
 * Keys: `r/<16-digit revision>` → a log record (see log-record.ts); `m/state` → {revision, compactRevision}.
 * Each group commit is one atomic LevelDB batch — new records, the records compacted out of the window and
 * the new state — written with sync (fsync) before any write in it is acknowledged.
 */
import { Level } from 'level';
import { decodeRecord, encodeRecord, replay, type DecodedRecord } from './log-record.js';
import type { CommitBatch, LoadedState, Persistence } from './persistence.js';
import { VersionedStore, type StoreOptions } from './store.js';

const STATE_KEY = 'm/state';
const RECORD_PREFIX = 'r/';
const RECORD_END = 'r0';
/** after this many record deletions, ask LevelDB to compact the log range so disk space comes back */
const COMPACT_EVERY_DELETES = 50_000;

function recordKey(revision: number): string {
  return RECORD_PREFIX + String(revision).padStart(16, '0');
}

export interface LevelOptions {
  /** fsync every group commit (default true); false trades crash safety for speed, like etcd's --unsafe-no-fsync */
  sync?: boolean;
}

type BatchOp = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

export class LevelPersistence implements Persistence {
  private readonly db: Level<string, Buffer>;
  private readonly sync: boolean;
  private deletesSinceCompaction = 0;
  private compacting: Promise<void> | undefined;

  constructor(readonly location: string, options: LevelOptions = {}) {
    this.db = new Level<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    this.sync = options.sync ?? true;
  }

  async load(): Promise<LoadedState> {
    try {
      await this.db.open();
    } catch (err) {
      throw describeOpenError(this.location, err);
    }
    const state = await this.db.get(STATE_KEY);
    const { revision, compactRevision } = state
      ? (JSON.parse(state.toString('utf8')) as { revision: number; compactRevision: number })
      : { revision: 0, compactRevision: 0 };
    const records: DecodedRecord[] = [];
    const iterator = this.db.iterator({ gte: RECORD_PREFIX, lt: RECORD_END });
    try {
      for (;;) {
        const entries = await iterator.nextv(1000);
        if (entries.length === 0) break;
        for (const [key, value] of entries) records.push(decodeRecord(Number(key.slice(RECORD_PREFIX.length)), value));
      }
    } finally {
      await iterator.close();
    }
    return replay(records, revision, compactRevision);
  }

  async commit(batch: CommitBatch): Promise<void> {
    const ops: BatchOp[] = [];
    for (const version of batch.versions) ops.push({ type: 'put', key: recordKey(version.revision), value: encodeRecord(version) });
    // Deletes after puts: a version written and compacted within one batch ends up absent.
    for (const gone of batch.evicted) {
      if (gone.prev) ops.push({ type: 'del', key: recordKey(gone.prev.revision) });
      if (gone.deleted) ops.push({ type: 'del', key: recordKey(gone.revision) });
    }
    const state = { revision: batch.revision, compactRevision: batch.compactRevision };
    ops.push({ type: 'put', key: STATE_KEY, value: Buffer.from(JSON.stringify(state)) });
    await this.db.batch(ops, { sync: this.sync });
    this.deletesSinceCompaction += ops.length - batch.versions.length - 1;
    if (this.deletesSinceCompaction >= COMPACT_EVERY_DELETES && !this.compacting) this.compactInBackground();
  }

  async close(): Promise<void> {
    await this.compacting;
    if (this.db.status === 'open') await this.db.close();
  }

  /** LevelDB reclaims deleted records lazily; nudge it over the log range now and then (never blocks writes). */
  private compactInBackground(): void {
    this.deletesSinceCompaction = 0;
    // `level` resolves to classic-level on Node.js, which has compactRange; the universal typings omit it.
    const db = this.db as unknown as { compactRange(start: string, end: string): Promise<void> };
    this.compacting = db
      .compactRange(RECORD_PREFIX, RECORD_END)
      .catch(() => undefined)
      .finally(() => (this.compacting = undefined));
  }
}

function describeOpenError(location: string, err: unknown): Error {
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return new Error(`the data directory ${location} is in use by another kubemu (or another LevelDB user)`, { cause: err });
  }
  return new Error(`cannot open the database in ${location}: ${(err as Error).message}`, { cause: err });
}

/** Open (or create) a durable store in `location`. */
export async function openLevelStore(location: string, options: StoreOptions & LevelOptions = {}): Promise<VersionedStore> {
  const persistence = new LevelPersistence(location, options);
  try {
    return await VersionedStore.open(persistence, options);
  } catch (err) {
    await persistence.close().catch(() => undefined);
    throw err;
  }
}

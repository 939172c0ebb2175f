/**
 * @module storage/leveldb
 * Layer: storage. The default durable backend: the revision log in LevelDB (through the `level` package).
 * Keys: `r/<16-digit revision>` → a log record (see log-record.ts); `m/state` → {revision, compactRevision}.
 * Each group commit is one atomic LevelDB batch — new records, the records compacted out of the window and
 * the new state — written with sync (fsync) before any write in it is acknowledged.
 *
 * Beside the database, `kubemu-revision` holds the last revision acknowledged. LevelDB recovers from a damaged
 * or missing log of its own by dropping what it cannot read, silently; the mark is how kubemu notices that
 * acknowledged writes are gone, and refuses to start (or, with `recover`, repairs the database, says what was
 * lost, and continues with revisions that never go backwards). After a failed write (a full disk) the
 * database is reopened, so writes resume once space is back.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
  /** start even though acknowledged writes were lost: repair the database, report the loss through `onNotice` */
  recover?: boolean;
  /** receives one-line notices about the data directory (what a recovery found) */
  onNotice?: (message: string) => void;
}

const MARK_FILE = 'kubemu-revision';
const MARK_WIDTH = 20;

/** The last revision acknowledged, as the mark file says; undefined when there is none or it is unreadable. */
function readMark(location: string): number | undefined {
  try {
    const text = readFileSync(join(location, MARK_FILE), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The mark file, opened for rewriting in place (never in append mode, which ignores the position). */
function openMark(location: string): number {
  const path = join(location, MARK_FILE);
  try {
    return openSync(path, 'r+');
  } catch {
    return openSync(path, 'w+', 0o600);
  }
}

/** Thrown at start when the database holds less than was acknowledged. */
export class DataLossError extends Error {
  override readonly name = 'DataLossError';
}

type BatchOp = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

export class LevelPersistence implements Persistence {
  /** created only once the directory has been checked: `level` opens a database as soon as it is constructed */
  private database: Level<string, Buffer> | undefined;
  private readonly sync: boolean;
  private deletesSinceCompaction = 0;
  private compacting: Promise<void> | undefined;
  private markFd: number | undefined;

  constructor(
    readonly location: string,
    private readonly options: LevelOptions = {},
  ) {
    this.sync = options.sync ?? true;
  }

  async load(): Promise<LoadedState> {
    // The data directory holds every object, Secrets included: the owner's alone.
    mkdirSync(this.location, { recursive: true, mode: 0o700 });
    chmodSync(this.location, 0o700);
    const mark = readMark(this.location);
    if (this.options.recover) await repairDatabase(this.location).catch(() => undefined);
    else checkCurrentFile(this.location);
    try {
      this.database = newDatabase(this.location);
      await this.database.open();
    } catch (err) {
      throw describeOpenError(this.location, err);
    }
    let { revision, compactRevision } = await this.readState();
    if (mark !== undefined && mark > revision) {
      const lost = `revisions ${revision + 1}–${mark}`;
      if (!this.options.recover) {
        throw new DataLossError(
          `the data directory ${this.location} lost acknowledged writes: its database ends at revision ${revision}, but ${lost} were committed (a damaged or deleted LevelDB log?); start with --recover to repair it and continue without them, or restore a backup`,
        );
      }
      this.options.onNotice?.(`recovered ${this.location}: ${lost} are lost; continuing at revision ${mark} (watches from before resume with 410 Expired)`);
      // Revisions never go backwards: what clients saw stays in the past, and nothing is replayed as history.
      revision = mark;
      compactRevision = mark;
    }
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
    const loaded = replay(records, revision, compactRevision);
    this.markFd = openMark(this.location);
    this.writeMark(loaded.revision);
    return loaded;
  }

  private get db(): Level<string, Buffer> {
    if (!this.database) throw new Error('the database is not open');
    return this.database;
  }

  private async readState(): Promise<{ revision: number; compactRevision: number }> {
    const state = await this.db.get(STATE_KEY);
    return state ? (JSON.parse(state.toString('utf8')) as { revision: number; compactRevision: number }) : { revision: 0, compactRevision: 0 };
  }

  private writeMark(revision: number): void {
    if (this.markFd === undefined) return;
    // Rewritten in place at a fixed width; not synced: LevelDB's own fsync is what makes a write durable.
    writeSync(this.markFd, String(revision).padStart(MARK_WIDTH, '0'), 0);
  }

  /**
   * After a failed write LevelDB refuses every later one until it is reopened: reopen it and say which
   * revision it holds, so the store can tell whether the failed batch landed.
   */
  async recover(): Promise<number> {
    await this.database?.close().catch(() => undefined);
    this.database = newDatabase(this.location);
    await this.database.open();
    return (await this.readState()).revision;
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
    this.writeMark(batch.revision);
    this.deletesSinceCompaction += ops.length - batch.versions.length - 1;
    if (this.deletesSinceCompaction >= COMPACT_EVERY_DELETES && !this.compacting) this.compactInBackground();
  }

  async close(): Promise<void> {
    await this.compacting;
    if (this.database && this.database.status !== 'closed') await this.database.close().catch(() => undefined);
    if (this.markFd !== undefined) closeSync(this.markFd);
    this.markFd = undefined;
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

/**
 * LevelDB without its CURRENT file would start a new, empty database — and delete the tables it no longer
 * knows of. Refuse instead; a repair (--recover) rebuilds the file from the tables.
 */
function checkCurrentFile(location: string): void {
  const files = readdirSync(location);
  const holdsData = files.some((name) => /^MANIFEST-\d+$|^\d+\.(ldb|sst|log)$/.test(name));
  if (holdsData && !files.includes('CURRENT')) {
    throw new DataLossError(`the database in ${location} is damaged (its CURRENT file is missing); start with --recover to repair it, or restore a backup`);
  }
}

function newDatabase(location: string): Level<string, Buffer> {
  return new Level<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
}

/** LevelDB's repair: rebuilds the database from every table and log record it can still read. */
async function repairDatabase(location: string): Promise<void> {
  // `level` resolves to classic-level on Node.js, which has repair; the universal typings omit it.
  await (Level as unknown as { repair(location: string): Promise<void> }).repair(location);
}

function describeOpenError(location: string, err: unknown): Error {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return new Error(`the data directory ${location} is in use by another kubemu (or another LevelDB user)`, { cause: err });
  }
  const detail = cause?.message ?? (err as Error).message;
  if (/CURRENT|MANIFEST|Corruption|exists/i.test(detail)) {
    return new Error(`the database in ${location} is damaged (${detail}); start with --recover to repair it, or restore a backup`, { cause: err });
  }
  return new Error(`cannot open the database in ${location}: ${detail}`, { cause: err });
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

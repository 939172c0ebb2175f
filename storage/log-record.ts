/**
 * @module storage/log-record
 * Layer: storage. The durable log's record format and its replay at start-up.
 *
 * Each revision is one record: `<type letter><key>\n<object JSON>`. The log holds exactly
 *   - the latest record of every live key (its current value, however old),
 *   - every record inside the history window (revision > compactRevision),
 *   - the predecessor of each windowed record, so that replayed events still know what they replaced.
 * A record is deleted when its successor leaves the window, and a deletion record when it leaves itself,
 * so the log stays bounded by live objects + twice the window however hot a key is (kine's unbounded
 * growth under lease churn cannot happen).
 */
import type { KubeObject } from '../server/api/object.js';
import type { LoadedState } from './persistence.js';
import { EventType } from './types.js';
import { Version } from './version.js';

const TYPE_LETTER: Record<EventType, string> = { ADDED: 'A', MODIFIED: 'M', DELETED: 'D' };
const LETTER_TYPE: Record<string, EventType> = { A: EventType.Added, M: EventType.Modified, D: EventType.Deleted };
const NEWLINE = 0x0a;

export function encodeRecord(version: Version): Buffer {
  const header = Buffer.from(TYPE_LETTER[version.type] + version.key + '\n', 'utf8');
  return Buffer.concat([header, version.bytes], header.length + version.bytes.length);
}

export interface DecodedRecord {
  revision: number;
  type: EventType;
  key: string;
  bytes: Buffer;
}

export function decodeRecord(revision: number, value: Buffer): DecodedRecord {
  const newline = value.indexOf(NEWLINE);
  const type = LETTER_TYPE[String.fromCharCode(value[0] ?? 0)];
  if (newline < 2 || type === undefined) throw new Error(`corrupt log record at revision ${revision}`);
  return { revision, type, key: value.toString('utf8', 1, newline), bytes: value.subarray(newline + 1) };
}

/**
 * Rebuild the store's state from the log records (ascending revisions). Verifies what makes the log
 * trustworthy: contiguous windowed revisions ending at the recorded revision, and a predecessor for every
 * windowed change.
 */
export function replay(records: Iterable<DecodedRecord>, revision: number, compactRevision: number): LoadedState {
  const latest = new Map<string, Version>();
  const window: Version[] = [];
  for (const record of records) {
    const previous = latest.get(record.key);
    const replaced = record.type !== EventType.Added && previous && !previous.deleted ? previous : undefined;
    const inWindow = record.revision > compactRevision;
    if (inWindow && record.type !== EventType.Added && !replaced) {
      throw new Error(`corrupt log: ${record.type} of ${record.key} at revision ${record.revision} has no predecessor`);
    }
    const object = JSON.parse(record.bytes.toString('utf8')) as KubeObject;
    const version = new Version(record.key, record.revision, record.type, object, record.bytes, inWindow ? replaced : undefined);
    latest.set(record.key, version);
    if (inWindow) {
      const expected = compactRevision + window.length + 1;
      if (record.revision !== expected) throw new Error(`corrupt log: revision ${expected} is missing from the history window`);
      window.push(version);
    }
  }
  if (compactRevision + window.length !== revision) {
    throw new Error(`corrupt log: the history window ends at ${compactRevision + window.length}, the store at ${revision}`);
  }
  const live = [...latest.values()].filter((version) => !version.deleted);
  return { revision, compactRevision, live, window };
}

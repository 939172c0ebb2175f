/**
 * @module storage/version
 * Layer: storage. One committed (or about to be committed) version of one key. The same instance is the
 * current value in the key index, an event in the history window and what watchers receive, so an object
 * is held and serialised once however many readers it has.
 */
import type { KubeObject } from '../server/api/object.js';
import { EventType, type StoreEvent, type StoredObject } from './types.js';

export class Version<T extends KubeObject = KubeObject> implements StoreEvent<T> {
  private memos: Map<string, unknown> | undefined;

  constructor(
    readonly key: string,
    readonly revision: number,
    readonly type: EventType,
    readonly object: T,
    readonly bytes: Buffer,
    /** cleared once this version leaves the history window, so a hot key never keeps its whole past alive */
    public prev: Version<T> | undefined,
  ) {}

  get deleted(): boolean {
    return this.type === EventType.Deleted;
  }

  memo<V>(slot: string, compute: () => V): V {
    if (this.memos === undefined) this.memos = new Map();
    if (this.memos.has(slot)) return this.memos.get(slot) as V;
    const value = compute();
    this.memos.set(slot, value);
    return value;
  }
}

/** Narrow a version to the read-only view handed to callers. */
export function asStored<T extends KubeObject>(version: Version<T>): StoredObject<T> {
  return version;
}

/**
 * @module storage/snapshot
 * Layer: storage. Reading the key space as it was at an earlier revision still inside the history window:
 * the current index, with every key changed since then replaced by what its first later change replaced.
 * This is what lets every page of a paged list come from one consistent snapshot.
 */
import type { History } from './history.js';
import type { KeyIndex } from './key-index.js';
import type { Version } from './version.js';

/** The live versions with keys in [from, to) as of `revision`, in key order. */
export function* snapshotRange(index: KeyIndex, history: History, from: string, to: string, revision: number): Generator<Version> {
  if (revision >= history.newestRevision) {
    yield* index.range(from, to);
    return;
  }
  const asOf = new Map<string, Version | undefined>();
  for (let r = revision + 1; r <= history.newestRevision; r++) {
    const change = history.at(r) as Version;
    if (change.key >= from && change.key < to && !asOf.has(change.key)) asOf.set(change.key, change.prev);
  }
  // Keys deleted since the snapshot are no longer in the index; merge them back in key order.
  const gone = [...asOf.keys()].filter((key) => !index.has(key)).sort();
  let next = 0;
  function* goneBefore(key: string | undefined): Generator<Version> {
    while (next < gone.length && (key === undefined || (gone[next] as string) < key)) {
      const version = asOf.get(gone[next++] as string);
      if (version) yield version;
    }
  }
  for (const current of index.range(from, to)) {
    yield* goneBefore(current.key);
    if (!asOf.has(current.key)) yield current;
    else {
      const then = asOf.get(current.key);
      if (then) yield then;
    }
  }
  yield* goneBefore(undefined);
}

/**
 * @module controllers/toolkit/expectations
 * Layer: controllers. Upstream's ControllerExpectations (UID-tracking for deletions): what a controller has
 * asked for and not yet seen in its informers. A sync that finds its expectations unmet does not act again —
 * acting on a cache that does not yet show its last writes would create or delete twice. Expectations older
 * than five minutes are treated as met, so a lost watch event cannot wedge a controller.
 */
import type { Clock } from '../clock.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/** One controller key's outstanding writes. */
export class Expected {
  adds: number;
  /** uids of pods deleted and not yet seen go (or start going) */
  readonly deletes: Set<string>;

  constructor(
    adds: number,
    deletes: Iterable<string>,
    readonly at: number,
  ) {
    this.adds = adds;
    this.deletes = new Set(deletes);
  }

  get fulfilled(): boolean {
    return this.adds <= 0 && this.deletes.size === 0;
  }
}

export class Expectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(private readonly clock: Clock) {}

  /** Record what the next writes will be; replaces what was expected before. */
  expect(key: string, adds: number, deleteUids: Iterable<string> = []): Expected {
    const expected = new Expected(adds, deleteUids, this.clock.now());
    this.byKey.set(key, expected);
    return expected;
  }

  /** The informer showed a new object of the key. */
  creationObserved(key: string): void {
    const expected = this.byKey.get(key);
    if (expected) expected.adds--;
  }

  /** The informer showed an object of the key going (or starting to go). */
  deletionObserved(key: string, uid: string): void {
    this.byKey.get(key)?.deletes.delete(uid);
  }

  /**
   * A write that will never show: the create failed or was skipped, the delete failed. Only the
   * expectations it was made under are lowered — a newer set belongs to a newer sync.
   */
  lower(key: string, expected: Expected, adds: number, deleteUids: Iterable<string> = []): void {
    if (this.byKey.get(key) !== expected) return;
    expected.adds -= adds;
    for (const uid of deleteUids) expected.deletes.delete(uid);
  }

  satisfied(key: string): boolean {
    const expected = this.byKey.get(key);
    if (!expected || expected.fulfilled) return true;
    return this.clock.now() - expected.at > EXPECTATIONS_TIMEOUT_MS;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}

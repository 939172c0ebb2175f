/**
 * @module controllers/work-queue
 * Layer: controllers. The work queue of client-go: a key is queued at most once, never processed by two
 * workers at once (a key added while processing is re-queued when done), delayed adds, and per-key
 * exponential backoff for failures.
 */
import { realClock, type Clock, type TimerHandle } from './clock.js';

export interface BackoffOptions {
  /** first retry delay (client-go: 5 ms) */
  baseMs?: number;
  /** longest retry delay (client-go: 1000 s) */
  maxMs?: number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  /** Per key: every deadline still to come (sorted; the timer is set for the first). */
  private readonly delayed = new Map<K, { deadlines: number[]; timer: TimerHandle }>();
  private waiters: ((key: K | undefined) => void)[] = [];
  private stopped = false;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly clock: Clock = realClock,
    backoff: BackoffOptions = {},
  ) {
    this.baseMs = backoff.baseMs ?? 5;
    this.maxMs = backoff.maxMs ?? 1_000_000;
  }

  get length(): number {
    return this.queue.length;
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  add(key: K): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /**
   * Add after a delay. Every delayed add is kept: a key asked for in 20 ms and again in 2 s is added at both
   * times (a later wake-up must not be lost behind an earlier one, nor an earlier one behind a later one).
   */
  addAfter(key: K, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (!pending) {
      this.delayed.set(key, { deadlines: [at], timer: this.schedule(key, at) });
      return;
    }
    if (pending.deadlines.includes(at)) return;
    const earliest = pending.deadlines[0] as number;
    pending.deadlines.push(at);
    pending.deadlines.sort((a, b) => a - b);
    if (at < earliest) {
      pending.timer.cancel();
      pending.timer = this.schedule(key, at);
    }
  }

  /**
   * Add no later than `ms` from now, joining an add already due by then — so a burst of events becomes one
   * sync. (addAfter is for wake-ups that must not come early; this is for "look again soon".)
   */
  addWithin(key: K, ms: number): void {
    if (this.stopped || this.dirty.has(key)) return;
    const first = this.delayed.get(key)?.deadlines[0];
    if (first !== undefined && first <= this.clock.now() + ms) return;
    this.addAfter(key, ms);
  }

  private schedule(key: K, at: number): TimerHandle {
    return this.clock.after(at - this.clock.now(), () => {
      const pending = this.delayed.get(key);
      if (!pending) return;
      const now = this.clock.now();
      pending.deadlines = pending.deadlines.filter((deadline) => deadline > now);
      const next = pending.deadlines[0];
      if (next === undefined) this.delayed.delete(key);
      else pending.timer = this.schedule(key, next);
      this.add(key);
    });
  }

  /** Retry with exponential backoff: base × 2^failures, capped. */
  addRateLimited(key: K): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.maxMs, this.baseMs * 2 ** failures));
  }

  /** Clear a key's failure history (it synced successfully). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  requeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process (undefined once shut down); call done(key) when finished. */
  get(): Promise<K | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.stopped = true;
    for (const pending of this.delayed.values()) pending.timer.cancel();
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}

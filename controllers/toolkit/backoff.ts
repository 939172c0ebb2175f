/**
 * @module controllers/toolkit/backoff
 * Layer: controllers (pure). Per-key exponential back-off (client-go's flowcontrol.Backoff as the DaemonSet
 * controller uses it for failed pods): the first failure acts at once, each further one within the window
 * waits, and the window doubles up to a maximum.
 */

export class FailureBackoff {
  private readonly entries = new Map<string, { windowMs: number; last: number }>();

  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 15 * 60_000,
  ) {}

  /** 0 when the key may act now (and the failure is recorded), else how long until it may. */
  waitFor(key: string, now: number): number {
    const entry = this.entries.get(key);
    if (entry && now - entry.last < entry.windowMs) return entry.windowMs - (now - entry.last);
    this.entries.set(key, { windowMs: entry ? Math.min(entry.windowMs * 2, this.maxMs) : this.initialMs, last: now });
    return 0;
  }
}

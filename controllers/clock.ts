/**
 * @module controllers/clock
 * Layer: controllers. Injectable time: controllers and fake kubelets read the time and schedule work only
 * through a Clock, so tests drive time instead of sleeping.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** run `fn` after `ms` milliseconds of this clock's time */
  after(ms: number, fn: () => void): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A clock that only moves when told to (tests). */
export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  constructor(private current = Date.parse('2024-05-01T10:00:00Z')) {}

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = due.at;
      due.cancelled = true;
      due.fn();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = target;
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

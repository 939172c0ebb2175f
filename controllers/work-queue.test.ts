import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('queues a key once, and never hands it to two workers at once', async () => {
    const queue = new WorkQueue<string>(new FakeClock());
    queue.add('a');
    queue.add('a');
    queue.add('b');
    expect(queue.length).toBe(2);
    const first = await queue.get();
    expect(first).toBe('a');
    queue.add('a'); // changed while being processed: held back
    expect(await queue.get()).toBe('b');
    expect(queue.length).toBe(0);
    queue.done('a');
    expect(await queue.get()).toBe('a');
  });

  it('keeps every delayed add: neither an earlier nor a later one is lost', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<string>(clock);
    queue.addAfter('k', 2000);
    queue.addAfter('k', 20);
    clock.advance(20);
    expect(await queue.get()).toBe('k');
    queue.done('k');
    clock.advance(1000);
    expect(queue.length).toBe(0);
    clock.advance(980);
    expect(queue.length).toBe(1);
  });

  it('coalesces a burst of "soon" adds into one, and never delays past the earliest asked for', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<string>(clock);
    let syncs = 0;
    for (let i = 0; i < 100; i++) {
      queue.addWithin('k', 200);
      clock.advance(1);
      while (queue.length > 0) {
        await queue.get();
        queue.done('k');
        syncs++;
      }
    }
    expect(syncs).toBe(0);
    clock.advance(100);
    expect(queue.length).toBe(1);
    await queue.get();
    queue.done('k');
    // A tighter bound than the pending one brings the add forward.
    queue.addWithin('k', 500);
    queue.addWithin('k', 10);
    clock.advance(10);
    expect(queue.length).toBe(1);
  });

  it('wakes a waiting worker', async () => {
    const queue = new WorkQueue<string>(new FakeClock());
    const waiting = queue.get();
    queue.add('x');
    expect(await waiting).toBe('x');
  });

  it('delays adds and backs off exponentially per key on the injected clock', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<string>(clock, { baseMs: 10, maxMs: 50 });
    queue.addAfter('later', 100);
    clock.advance(99);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('later');
    queue.done('later');
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      queue.addRateLimited('flaky');
      let waited = 0;
      while (queue.length === 0) {
        clock.advance(1);
        waited++;
      }
      delays.push(waited);
      await queue.get();
      queue.done('flaky');
    }
    expect(delays).toEqual([10, 20, 40, 50]);
    expect(queue.requeues('flaky')).toBe(4);
    queue.forget('flaky');
    expect(queue.requeues('flaky')).toBe(0);
  });

  it('releases waiting workers on shutdown', async () => {
    const queue = new WorkQueue<string>(new FakeClock());
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('ignored');
    expect(queue.length).toBe(0);
  });
});

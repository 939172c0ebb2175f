/**
 * @module controllers/controller
 * Layer: controllers. The one skeleton every controller has (kube-controller-manager's): event handlers only
 * enqueue keys; workers take a key and call sync(key), which re-reads current state from informer caches and
 * converges (level-triggered); a failed sync is retried with backoff; a key is never synced twice at once.
 */
import { isConflict } from '../server/api/status.js';
import { realClock, type Clock } from './clock.js';
import { WorkQueue, type BackoffOptions } from './work-queue.js';

export interface ControllerOptions {
  clock?: Clock;
  workers?: number;
  backoff?: BackoffOptions;
  /** where sync failures are reported (default: stderr) */
  onError?(controller: string, key: string, error: unknown): void;
}

export abstract class Controller {
  protected readonly clock: Clock;
  readonly queue: WorkQueue<string>;
  private readonly workers: number;
  private readonly onError: (controller: string, key: string, error: unknown) => void;
  private running: Promise<void>[] = [];

  constructor(
    readonly name: string,
    options: ControllerOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.queue = new WorkQueue(this.clock, options.backoff);
    this.workers = options.workers ?? 2;
    this.onError =
      options.onError ??
      ((controller, key, error) => {
        process.stderr.write(`kubemu: ${controller}: sync ${key} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      });
  }

  /** Converge the object named by `key` to its desired state; throw to be retried with backoff. */
  protected abstract sync(key: string): Promise<void>;

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Look again after a short, growing delay — for a write that lost a race with a newer version the caches
   * have not seen yet (retrying at once would only meet the same stale copy).
   */
  protected retrySoon(key: string): void {
    this.queue.addRateLimited(key);
  }

  start(): void {
    for (let i = 0; i < this.workers; i++) this.running.push(this.work());
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
        // Let watch events and timers in between syncs: a run of syncs that finish without real I/O must
        // not starve the informers that would bring them fresher state.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } catch (error) {
        if (!this.queue.shuttingDown) {
          // A write that lost an optimistic-concurrency race is routine: retried from fresher caches, not reported.
          if (!isConflict(error)) this.onError(this.name, key, error);
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}

/**
 * @module controllers/events/event-ttl
 * Layer: controllers. Events expire (kube-apiserver's --event-ttl, default 1 h, enforced there by an etcd
 * lease renewed on every write): each event is deleted once the TTL has passed since its last write, read
 * from the newest of its timestamps. A write in the meantime moves the expiry.
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../server/api/object.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { keyOf, splitKey } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { EVENTS } from '../../server/api/kinds.js';

type EventObject = Kube<Event>;
export const DEFAULT_EVENT_TTL_SECONDS = 3600;

/** The last time an event was written, as far as the object tells. */
export function lastWrite(event: EventObject): number {
  const times = [
    event.metadata.creationTimestamp,
    event.lastTimestamp,
    event.firstTimestamp,
    event.eventTime,
    event.series?.lastObservedTime,
    ...(event.metadata.managedFields ?? []).map((entry) => entry.time),
  ];
  let latest = 0;
  for (const time of times) {
    const ms = time ? Date.parse(time) : Number.NaN;
    if (ms > latest) latest = ms;
  }
  return latest;
}

export class EventTtlController extends Controller {
  private readonly events;
  private readonly ttlMs: number;

  constructor(
    private readonly context: ControllerContext,
    ttlSeconds = DEFAULT_EVENT_TTL_SECONDS,
  ) {
    super('event-ttl', context.options);
    this.ttlMs = ttlSeconds * 1000;
    this.events = context.informers.informer<EventObject>(EVENTS);
    const schedule = (event: EventObject) => this.queue.addAfter(keyOf(event), lastWrite(event) + this.ttlMs - this.clock.now());
    this.events.addEventHandler({ add: schedule, update: (_old, event) => schedule(event) });
  }

  protected async sync(key: string): Promise<void> {
    const event = this.events.getByKey(key);
    if (!event) return;
    const remaining = lastWrite(event) + this.ttlMs - this.clock.now();
    if (remaining > 0) {
      this.queue.addAfter(key, remaining);
      return;
    }
    const { namespace, name } = splitKey(key);
    try {
      await this.context.client.delete(EVENTS, namespace, name, { preconditions: { resourceVersion: event.metadata.resourceVersion as string } });
    } catch (error) {
      // Gone already, or written again meanwhile (its update reschedules it).
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}

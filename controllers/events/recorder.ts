/**
 * @module controllers/events/recorder
 * Layer: controllers. How controllers and fake kubelets report what they did (mirrors client-go's
 * tools/record EventRecorder): core/v1 Events named `<object>.<hex nanoseconds>` in the object's namespace
 * (`default` for cluster-scoped objects), with source, reporting component and instance, first/last
 * timestamps and a count; repeats patch the first event. Writes happen in the background, in order; a
 * failed write is reported, never thrown at the caller.
 */
import { rfc3339At } from '../../server/api/time.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../server/api/client.js';
import type { KubeObject } from '../../server/api/object.js';
import { isAlreadyExists, isApiError, isForbidden, isNotFound } from '../../server/api/status.js';
import { realClock, type Clock } from '../clock.js';
import { EventCorrelator, type CoreEvent, type CorrelatorOptions } from './correlator.js';
import { EVENTS } from '../../server/api/kinds.js';


export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  /** the node, for kubelets */
  host?: string;
}

export interface RecorderOptions extends CorrelatorOptions {
  clock?: Clock;
  onError?(error: unknown): void;
}

/** The reference an event keeps to the object it is about. */
export function referenceTo(object: KubeObject): ObjectReference {
  const meta = object.metadata;
  return {
    kind: object.kind,
    ...(meta.namespace && { namespace: meta.namespace }),
    name: meta.name,
    uid: meta.uid,
    apiVersion: object.apiVersion,
    ...(meta.resourceVersion && { resourceVersion: meta.resourceVersion }),
  };
}


let lastStamp = 0n;

/** Upstream names events `<object>.<UnixNano>`; JS clocks tick in milliseconds, so stamps are made unique here. */
function nextStamp(nowMs: number): bigint {
  let value = BigInt(nowMs) * 1_000_000n;
  if (value <= lastStamp) value = lastStamp + 1n;
  lastStamp = value;
  return value;
}

export class EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly clock: Clock;
  private readonly onError: (error: unknown) => void;
  private writes: Promise<void> = Promise.resolve();
  /** Set once the store refused a write for good (503: closed): later events are dropped, not attempted. */
  private storeGone = false;

  constructor(
    private readonly client: Client,
    private readonly source: EventSource,
    options: RecorderOptions = {},
  ) {
    this.correlator = new EventCorrelator(options);
    this.clock = options.clock ?? realClock;
    this.onError =
      options.onError ?? ((error) => process.stderr.write(`kubemu: ${source.component}: writing an event failed: ${error instanceof Error ? error.message : String(error)}\n`));
  }

  /** Record that something happened to `object` (or to a part of it: `fieldPath`, e.g. `spec.containers{c}`). */
  event(object: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const nowMs = this.clock.now();
    const reference = { ...referenceTo(object), ...(fieldPath && { fieldPath }) };
    const name = () => `${reference.name}.${this.nanos(nowMs).toString(16)}`;
    const fresh: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: name(), namespace: reference.namespace ?? 'default' },
      involvedObject: reference,
      reason,
      message,
      source: { component: this.source.component, ...(this.source.host && { host: this.source.host }) },
      firstTimestamp: rfc3339At(nowMs),
      lastTimestamp: rfc3339At(nowMs),
      count: 1,
      type,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
    const { event, repeat, skip } = this.correlator.correlate(fresh, nowMs, name);
    if (skip) return;
    this.writes = this.writes
      .then(() => (this.storeGone ? undefined : this.write(event, repeat)))
      .catch((error: unknown) => {
        // The store is shutting down (or gone): like client-go, give up on this event and the ones queued.
        if (isApiError(error) && error.code === 503) {
          this.storeGone = true;
          return;
        }
        this.onError(error);
      });
  }

  /** Resolves once every event recorded so far is written. */
  flush(): Promise<void> {
    return this.writes;
  }

  private async write(event: CoreEvent, repeat: boolean): Promise<void> {
    if (repeat) {
      try {
        await this.client.patch(EVENTS, event.metadata.namespace, event.metadata.name as string, 'strategic', {
          count: event.count,
          lastTimestamp: event.lastTimestamp,
          message: event.message,
        });
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // The first event expired: write it again under its name, count and all.
      }
    }
    try {
      await this.client.create(EVENTS, event);
    } catch (error) {
      // A namespace being deleted refuses new content; the event is simply lost, as upstream.
      if (!isAlreadyExists(error) && !isForbidden(error)) throw error;
    }
  }

  /** Increasing nanosecond stamps shared by every recorder, so event names never collide within kubemu. */
  private nanos(nowMs: number): bigint {
    return nextStamp(nowMs);
  }
}

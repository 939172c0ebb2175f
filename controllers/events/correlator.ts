/**
 * @module controllers/events/correlator
 * Layer: controllers. Decides how an event is written (mirrors client-go's tools/record EventCorrelator):
 * similar events — same source, object, type and reason — are aggregated once ten different messages arrive
 * within ten minutes ("(combined from similar events): …"); an identical event bumps the count of the first
 * one instead of creating another; and each object gets a token bucket (25 events, then one per 5 minutes).
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../server/api/object.js';

export type CoreEvent = Kube<Event>;

export interface CorrelatorOptions {
  /** distinct messages of similar events before they are combined (upstream 10) */
  maxSimilar?: number;
  /** window in which similar events count, from the last one (upstream 10 minutes) */
  similarWindowMs?: number;
  /** events per object before throttling (upstream 25) */
  burst?: number;
  /** one more event allowed per this interval once the burst is spent (upstream 5 minutes) */
  refillMs?: number;
}

/** What to write for one recorded event. */
export interface Correlation {
  event: CoreEvent;
  /** the event repeats an earlier one: patch its count, lastTimestamp and message */
  repeat: boolean;
  /** throttled: write nothing */
  skip: boolean;
}

const CACHE_SIZE = 4096;
export const COMBINED_PREFIX = '(combined from similar events): ';

/** A Map that forgets its least recently used entries beyond a size. */
class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }
}

interface Observed {
  name: string;
  count: number;
  firstTimestamp: string;
}

export class EventCorrelator {
  private readonly similar = new LruMap<{ messages: Set<string>; lastMs: number }>(CACHE_SIZE);
  private readonly observed = new LruMap<Observed>(CACHE_SIZE);
  private readonly buckets = new LruMap<{ tokens: number; lastMs: number }>(CACHE_SIZE);
  private readonly maxSimilar: number;
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly refillMs: number;

  constructor(options: CorrelatorOptions = {}) {
    this.maxSimilar = options.maxSimilar ?? 10;
    this.windowMs = options.similarWindowMs ?? 10 * 60_000;
    this.burst = options.burst ?? 25;
    this.refillMs = options.refillMs ?? 5 * 60_000;
  }

  /** Correlate a new event (count 1, fresh name) recorded at `nowMs`; `rename` makes a fresh event name. */
  correlate(event: CoreEvent, nowMs: number, rename: () => string): Correlation {
    const { key, event: aggregated } = this.aggregate(event, nowMs, rename);
    const previous = this.observed.get(key);
    let repeat = false;
    let result = aggregated;
    if (previous) {
      repeat = true;
      result = { ...aggregated, metadata: { ...aggregated.metadata, name: previous.name }, firstTimestamp: previous.firstTimestamp, count: previous.count + 1 };
    }
    this.observed.set(key, { name: result.metadata.name as string, count: result.count ?? 1, firstTimestamp: result.firstTimestamp as string });
    return { event: result, repeat, skip: !this.take(event, nowMs) };
  }

  private aggregate(event: CoreEvent, nowMs: number, rename: () => string): { key: string; event: CoreEvent } {
    const similarKey = similarityKey(event);
    let record = this.similar.get(similarKey);
    if (!record || nowMs - record.lastMs > this.windowMs) record = { messages: new Set(), lastMs: nowMs };
    record.messages.add(event.message ?? '');
    record.lastMs = nowMs;
    this.similar.set(similarKey, record);
    if (record.messages.size < this.maxSimilar) return { key: identityKey(event), event };
    // Keep the set just under the limit, so every further distinct message is combined too.
    record.messages.delete(record.messages.values().next().value as string);
    const combined: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: rename(), namespace: event.metadata.namespace },
      involvedObject: event.involvedObject,
      reason: event.reason,
      message: `${COMBINED_PREFIX}${event.message ?? ''}`,
      source: event.source,
      firstTimestamp: event.firstTimestamp,
      lastTimestamp: event.lastTimestamp,
      count: 1,
      type: event.type,
    };
    return { key: similarKey, event: combined };
  }

  private take(event: CoreEvent, nowMs: number): boolean {
    const ref = event.involvedObject;
    const key = [event.source?.component, event.source?.host, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion].join('');
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, lastMs: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (nowMs - bucket.lastMs) / this.refillMs);
    bucket.lastMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function similarityKey(event: CoreEvent): string {
  const ref = event.involvedObject;
  return [
    event.source?.component,
    event.source?.host,
    ref.kind,
    ref.namespace,
    ref.name,
    ref.uid,
    ref.apiVersion,
    event.type,
    event.reason,
    event.reportingComponent,
    event.reportingInstance,
  ].join('');
}

function identityKey(event: CoreEvent): string {
  const ref = event.involvedObject;
  return [event.source?.component, event.source?.host, ref.kind, ref.namespace, ref.name, ref.fieldPath, ref.uid, ref.apiVersion, event.type, event.reason, event.message].join('');
}

import { describe, expect, it } from 'vitest';
import { COMBINED_PREFIX, EventCorrelator, type CoreEvent } from './correlator.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
let serial = 0;
const fresh = (message: string, reason = 'Started'): CoreEvent => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `p.${++serial}`, namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p', uid: 'u1', apiVersion: 'v1' },
  reason,
  message,
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: new Date(T0).toISOString(),
  lastTimestamp: new Date(T0).toISOString(),
  count: 1,
  type: 'Normal',
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
});
const rename = () => `p.${++serial}`;

describe('EventCorrelator', () => {
  it('turns an identical event into a repeat of the first, counting up', () => {
    const correlator = new EventCorrelator();
    const first = correlator.correlate(fresh('Started container c'), T0, rename);
    expect(first.repeat).toBe(false);
    const second = correlator.correlate(fresh('Started container c'), T0 + 1000, rename);
    const third = correlator.correlate(fresh('Started container c'), T0 + 2000, rename);
    expect(second).toMatchObject({ repeat: true, event: { metadata: { name: first.event.metadata.name }, count: 2 } });
    expect(third.event.count).toBe(3);
    expect(third.event.firstTimestamp).toBe(first.event.firstTimestamp);
  });

  it('combines similar events from the tenth distinct message within ten minutes', () => {
    const correlator = new EventCorrelator();
    const results = Array.from({ length: 12 }, (_, i) => correlator.correlate(fresh(`message ${i}`), T0 + i * 1000, rename));
    expect(results.slice(0, 9).every((r) => !r.event.message?.startsWith(COMBINED_PREFIX))).toBe(true);
    expect(results[9]?.event.message).toBe(`${COMBINED_PREFIX}message 9`);
    expect(results[9]?.repeat).toBe(false);
    // Later ones patch the combined event.
    expect(results[10]).toMatchObject({ repeat: true, event: { message: `${COMBINED_PREFIX}message 10`, count: 2, metadata: { name: results[9]?.event.metadata.name } } });
    // A similar event after the window starts over.
    expect(correlator.correlate(fresh('message late'), T0 + 12_000 + 11 * 60_000, rename).event.message).toBe('message late');
  });

  it('throttles one object after a burst of 25, then allows one per five minutes', () => {
    const correlator = new EventCorrelator();
    const skipped = Array.from({ length: 30 }, (_, i) => correlator.correlate(fresh(`m${i}`, `R${i}`), T0, rename).skip);
    expect(skipped.filter((s) => !s)).toHaveLength(25);
    expect(correlator.correlate(fresh('later', 'Later'), T0 + 5 * 60_000, rename).skip).toBe(false);
  });
});

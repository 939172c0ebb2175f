import { describe, expect, it } from 'vitest';
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
import { FailureBackoff } from './backoff.js';
import { computeHash, goJson } from './hash.js';
import { scaledValue } from './int-or-percent.js';
import { slowStartBatch, type CreateOutcome } from './pod-control.js';
import { refersTo } from './controller-ref.js';

const clockAt = (start: number) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('expectations', () => {
  it('waits for every expected create and delete, and gives up after the timeout', () => {
    const clock = clockAt(1000);
    const expectations = new Expectations({ now: clock.now } as never);
    expect(expectations.satisfied('ns/a')).toBe(true);
    const expected = expectations.expect('ns/a', 2, ['u1']);
    expectations.creationObserved('ns/a');
    expect(expectations.satisfied('ns/a')).toBe(false);
    expectations.lower('ns/a', expected, 1);
    expectations.deletionObserved('ns/a', 'u1');
    expect(expectations.satisfied('ns/a')).toBe(true);
    const newer = expectations.expect('ns/a', 1);
    expectations.lower('ns/a', expected, 1); // an older sync's failure does not touch the newer set
    expect(newer.adds).toBe(1);
    clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
    expect(expectations.satisfied('ns/a')).toBe(true);
  });
});

describe('slow start batches', () => {
  it('creates in batches of 1, 2, 4 … and stops after the first failing batch', async () => {
    const started: number[] = [];
    const result = await slowStartBatch(20, async (i): Promise<CreateOutcome> => {
      started.push(i);
      return i === 5 ? { error: new Error('quota') } : { created: { metadata: { name: `p${i}` } } };
    });
    // batches [0], [1, 2], [3, 4, 5, 6]: the third fails, so 7 … 19 are never tried
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.successes).toBe(6);
    expect(result.skipped).toBe(13);
    expect((result.error as Error).message).toBe('quota');
  });

  it('does not count a terminating namespace as an error', async () => {
    const result = await slowStartBatch(3, async () => ({ namespaceTerminating: true }));
    expect(result).toEqual({ successes: 0, skipped: 2, error: undefined });
  });
});

describe('helpers', () => {
  it('rounds percentages as asked and refuses non-percent strings', () => {
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(scaledValue(4, 10, false)).toBe(4);
    expect(() => scaledValue('x', 10, true)).toThrow(/not a percentage/);
  });

  it('doubles the failure back-off window up to the maximum', () => {
    const backoff = new FailureBackoff(1000, 4000);
    expect(backoff.waitFor('k', 0)).toBe(0);
    expect(backoff.waitFor('k', 400)).toBe(600);
    expect(backoff.waitFor('k', 1000)).toBe(0);
    expect(backoff.waitFor('k', 2000)).toBe(1000);
    expect(backoff.waitFor('k', 3000)).toBe(0);
    expect(backoff.waitFor('k', 7000)).toBe(0);
    expect(backoff.waitFor('k', 8000)).toBe(3000);
  });

  it('encodes maps as Go does and hashes templates into the safe alphabet', () => {
    expect(goJson({ b: 1, a: '<x>' })).toBe('{"a":"\\u003cx\\u003e","b":1}');
    const hash = computeHash({ spec: { containers: [] } }, undefined);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash({ spec: { containers: [] } }, 1)).not.toBe(hash);
  });

  it('matches owner references by group and kind, whatever the version', () => {
    expect(refersTo({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: 'u' }, 'apps', 'ReplicaSet')).toBe(true);
    expect(refersTo({ apiVersion: 'v1', kind: 'ReplicationController', name: 'a', uid: 'u' }, '', 'ReplicationController')).toBe(true);
    expect(refersTo({ apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet', name: 'a', uid: 'u' }, 'apps', 'ReplicaSet')).toBe(false);
  });
});

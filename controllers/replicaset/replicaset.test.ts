import { describe, expect, it } from 'vitest';
import type { PodObject } from '../../server/api/kinds.js';
import { compareForDeletion, podsToDelete } from './pod-ranking.js';
import { replicaStatus } from './replica-status.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, options: { node?: string; phase?: string; ready?: number; created?: number; restarts?: number; cost?: string } = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      uid: `uid-${name}`,
      labels: { app: 'web' },
      creationTimestamp: ago(options.created ?? 1000),
      ...(options.cost !== undefined && { annotations: { 'controller.kubernetes.io/pod-deletion-cost': options.cost } }),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(options.node && { nodeName: options.node }) },
    status: {
      phase: options.phase ?? 'Running',
      conditions: options.ready !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(options.ready) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: options.ready !== undefined, restartCount: options.restarts ?? 0 }],
    },
  };
}

const first = (a: PodObject, b: PodObject, rankA = 0, rankB = 0) => compareForDeletion(a, rankA, b, rankB, NOW) < 0;

describe('pods to delete first', () => {
  it('follows upstream order: unscheduled, pending, not ready, cost, co-located, recently ready, restarts, newer', () => {
    expect(first(pod('a', { phase: 'Pending' }), pod('b', { node: 'n1', phase: 'Pending' }))).toBe(true);
    expect(first(pod('a', { node: 'n', phase: 'Pending' }), pod('b', { node: 'n', phase: 'Running' }))).toBe(true);
    expect(first(pod('a', { node: 'n', phase: 'Unknown' }), pod('b', { node: 'n', phase: 'Running' }))).toBe(true);
    expect(first(pod('a', { node: 'n' }), pod('b', { node: 'n', ready: 100 }))).toBe(true);
    expect(first(pod('a', { node: 'n', ready: 100, cost: '-5' }), pod('b', { node: 'n', ready: 100 }))).toBe(true);
    expect(first(pod('a', { node: 'n', ready: 100 }), pod('b', { node: 'n', ready: 100, cost: '10' }))).toBe(true);
    expect(first(pod('a', { node: 'n', ready: 100 }), pod('b', { node: 'm', ready: 100 }), 3, 1)).toBe(true);
    // 10 s against 1,000 s ready: different powers of two, so the more recently ready goes first
    expect(first(pod('a', { node: 'n', ready: 10 }), pod('b', { node: 'n', ready: 1000 }))).toBe(true);
    expect(first(pod('b', { node: 'n', ready: 1000 }), pod('a', { node: 'n', ready: 10 }))).toBe(false);
    expect(first(pod('a', { node: 'n', ready: 100, restarts: 3 }), pod('b', { node: 'n', ready: 100 }))).toBe(true);
    expect(first(pod('a', { node: 'n', created: 10 }), pod('b', { node: 'n', created: 5000 }))).toBe(true);
  });

  it('ranks by pods of related ReplicaSets on the same node', () => {
    const a = pod('a', { node: 'n1', ready: 100 });
    const b = pod('b', { node: 'n2', ready: 100 });
    const sibling = pod('s', { node: 'n2', ready: 100 });
    expect(podsToDelete([a, b], [a, b, sibling], 1, NOW)).toEqual([b]);
    expect(podsToDelete([a, b], [a, b], 5, NOW)).toEqual([a, b]);
  });
});

describe('replica status', () => {
  const shape = { replicas: 3, minReadySeconds: 0, templateLabels: { app: 'web', tier: 'x' }, conditions: undefined };

  it('counts fully labelled, ready and available pods', () => {
    const labelled = pod('a', { node: 'n', ready: 5 });
    labelled.metadata.labels = { app: 'web', tier: 'x' };
    const { status } = replicaStatus(shape, [labelled, pod('b', { node: 'n', ready: 5 }), pod('c', { node: 'n' })], undefined, NOW);
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 2 });
  });

  it('holds pods ready for less than minReadySeconds back and says when they become available', () => {
    const { status, nextAvailable } = replicaStatus({ ...shape, minReadySeconds: 10 }, [pod('a', { ready: 4 }), pod('b', { ready: 30 })], undefined, NOW);
    expect(status.availableReplicas).toBe(1);
    expect(nextAvailable).toBe(NOW + 6000);
  });

  it('adds ReplicaFailure while creates fail and drops it once they succeed', () => {
    const failed = replicaStatus(shape, [pod('a', { ready: 5 })], new Error('pods "web-x" is forbidden: exceeded quota'), NOW).status;
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: '2026-01-01T12:00:00Z' }]);
    const again = replicaStatus({ ...shape, conditions: failed.conditions }, [pod('a', { ready: 5 })], new Error('other'), NOW + 1000).status;
    expect(again.conditions).toEqual(failed.conditions);
    expect(replicaStatus({ ...shape, conditions: failed.conditions }, [pod('a', { ready: 5 })], undefined, NOW).status.conditions).toBeUndefined();
  });
});

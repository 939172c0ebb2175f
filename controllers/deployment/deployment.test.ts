import { describe, expect, it } from 'vitest';
import type { DeploymentObject, ReplicaSetObject } from '../../server/api/kinds.js';
import { calculateStatus, isTimedOut, pausedConditions, rolloutStatus, setCondition, stuckRecheckMs, type Status } from './conditions.js';
import { equalIgnoreHash, fenceposts, isScalingEvent, maxUnavailable, newReplicaSetAnnotations } from './replica-sets.js';
import { historyToDelete, newRSReplicas, reconcileOldReplicaSets, scaleSteps } from './rollout.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function deployment(replicas: number, extra: Partial<NonNullable<DeploymentObject['spec']>> = {}, status: Status = {}): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, annotations: { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
    status,
  };
}

let created = 0;
function rs(name: string, spec: number, available = spec, annotations: Record<string, string> = {}): ReplicaSetObject {
  created += 1000;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, creationTimestamp: at(NOW - 100_000 + created), annotations },
    spec: { replicas: spec, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image: name }] } } },
    status: { replicas: spec, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

describe('budgets', () => {
  it('rounds surge up and unavailability down, and never allows both to be zero', () => {
    expect(fenceposts(deployment(10), 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(fenceposts(deployment(1), 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(fenceposts(deployment(1, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } } }), 1)).toEqual({ surge: 0, unavailable: 1 });
    expect(maxUnavailable(deployment(0))).toBe(0);
    expect(maxUnavailable(deployment(4, { strategy: { type: 'Recreate' } }))).toBe(0);
  });
});

describe('replica sets', () => {
  it('compares templates without the hash label', () => {
    const d = deployment(3);
    expect(equalIgnoreHash(d.spec?.template, { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })).toBe(true);
    expect(equalIgnoreHash(d.spec?.template, { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })).toBe(true);
    expect(equalIgnoreHash(d.spec?.template, { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'httpd' }] } })).toBe(false);
  });

  it('copies annotations, raises the revision and keeps the old one in revision-history', () => {
    const d = deployment(3);
    const created = newReplicaSetAnnotations(d, undefined, 1, false);
    expect(created).toEqual({ team: 'a', 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    const reused = newReplicaSetAnnotations(d, rs('old', 0, 0, { ...created, 'deployment.kubernetes.io/revision-history': '1' }), 4, true);
    expect(reused?.['deployment.kubernetes.io/revision']).toBe('4');
    expect(reused?.['deployment.kubernetes.io/revision-history']).toBe('1,1');
    expect(newReplicaSetAnnotations(d, rs('same', 3, 3, { team: 'a', 'deployment.kubernetes.io/revision': '5' }), 5, true)).toBeUndefined();
  });

  it('sees a scaling event when an active ReplicaSet was sized for another count', () => {
    expect(isScalingEvent(deployment(5), [rs('a', 3, 3, { 'deployment.kubernetes.io/desired-replicas': '3' })])).toBe(true);
    expect(isScalingEvent(deployment(3), [rs('a', 3, 3, { 'deployment.kubernetes.io/desired-replicas': '3' })])).toBe(false);
  });
});

describe('rolling update steps', () => {
  it('grows the new ReplicaSet up to replicas + maxSurge', () => {
    const d = deployment(10);
    const old = rs('old', 10);
    const fresh = rs('new', 0, 0);
    expect(newRSReplicas(d, [old, fresh], fresh)).toBe(3);
    expect(newRSReplicas(d, [rs('o2', 13), fresh], fresh)).toBe(0);
  });

  it('shrinks old ReplicaSets only while minimum availability holds, unhealthy replicas first', () => {
    const d = deployment(10);
    const old = rs('old', 10, 10);
    const fresh = rs('new', 3, 0);
    // 13 wanted, 8 must stay available, 3 new ones not yet available: 2 old may go
    expect(reconcileOldReplicaSets(d, [old, fresh], [old], fresh).map((s) => s.replicas)).toEqual([8]);
    const unhealthy = rs('sick', 2, 0);
    const steps = reconcileOldReplicaSets(d, [old, unhealthy, fresh], [old, unhealthy], rs('new2', 3, 3));
    expect(steps[0]).toMatchObject({ rs: { metadata: { name: 'sick' } }, replicas: 0 });
  });

  it('scales every active ReplicaSet in proportion when the Deployment is resized mid-rollout', () => {
    const d = deployment(20);
    const old = rs('old', 8, 8, { 'deployment.kubernetes.io/max-replicas': '13' });
    const fresh = rs('new', 5, 0, { 'deployment.kubernetes.io/max-replicas': '13' });
    const steps = scaleSteps(d, fresh, [old]);
    // 25 allowed (20 + 5 surge): 13 → 25 split 8:5 → 15 and 10 (rounded shares, leftover to the largest)
    expect(Object.fromEntries(steps.map((s) => [s.rs.metadata.name, s.replicas]))).toEqual({ old: 15, new: 10 });
    expect(steps.every((s) => s.operation === 'up')).toBe(true);
  });

  it('deletes only settled, empty ReplicaSets beyond the history limit, oldest revision first', () => {
    const d = deployment(1, { revisionHistoryLimit: 1 });
    const a = rs('a', 0, 0, { 'deployment.kubernetes.io/revision': '1' });
    const b = rs('b', 0, 0, { 'deployment.kubernetes.io/revision': '2' });
    const busy = rs('c', 1, 1, { 'deployment.kubernetes.io/revision': '3' });
    expect(historyToDelete(d, [b, a, busy]).map((r) => r.metadata.name)).toEqual(['a', 'b']);
  });
});

describe('conditions', () => {
  it('sets Available from minimum availability', () => {
    const status = calculateStatus(deployment(4), [rs('a', 4, 3)], undefined, NOW);
    expect(status.conditions?.[0]).toMatchObject({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    const low = calculateStatus(deployment(4), [rs('a', 4, 2)], undefined, NOW);
    expect(low.conditions?.[0]).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
  });

  it('keeps the transition time when only the reason changes', () => {
    const status: Status = { conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', lastTransitionTime: 'T0', lastUpdateTime: 'T0' }] };
    setCondition(status, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastTransitionTime: 'T1', lastUpdateTime: 'T1' });
    expect(status.conditions).toEqual([{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastTransitionTime: 'T0', lastUpdateTime: 'T1' }]);
  });

  it('reports progress, completion and a missed deadline', () => {
    const newRS = rs('web-abc', 2, 2);
    const progressing = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: '', lastUpdateTime: at(NOW - 700_000), lastTransitionTime: at(NOW - 700_000) };
    const stuck = deployment(2, {}, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, conditions: [progressing] });
    const done = rolloutStatus(stuck, [newRS], newRS, NOW);
    expect(done.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.' });
    const slow = rs('web-abc', 2, 0);
    const waiting = deployment(2, {}, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, conditions: [progressing] });
    expect(isTimedOut(waiting, waiting.status as Status, NOW)).toBe(true);
    const timedOut = rolloutStatus(waiting, [slow], slow, NOW);
    expect(timedOut.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' });
    const fresh = { ...progressing, lastUpdateTime: at(NOW - 100_000) };
    const recheck = stuckRecheckMs(waiting, { ...(waiting.status as Status), conditions: [fresh] }, NOW);
    expect(recheck).toBe(501_000);
  });

  it('marks a paused Deployment and its resumption', () => {
    const paused = pausedConditions(deployment(1, { paused: true }), NOW);
    expect(paused?.conditions?.[0]).toMatchObject({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    const resumed = pausedConditions(deployment(1, {}, paused as Status), NOW);
    expect(resumed?.conditions?.[0]).toMatchObject({ reason: 'DeploymentResumed', message: 'Deployment is resumed' });
    expect(pausedConditions(deployment(1), NOW)).toBeUndefined();
  });
});

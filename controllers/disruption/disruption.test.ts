import { describe, expect, it } from 'vitest';
import type { PdbObject, PodObject } from '../../server/api/kinds.js';
import { budgetStatus, expectedCounts } from './budget.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

const budget = (spec: NonNullable<PdbObject['spec']>, status?: PdbObject['status']): PdbObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default', generation: 2 }, spec, ...(status && { status }) });
const pod = (name: string, ready = true, deleting = false): PodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(deleting && { deletionTimestamp: '2026-01-01T11:59:00Z' }) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const scale = () => ({ key: 'rs', replicas: 3 });

describe('disruption budgets', () => {
  it('counts an integer minAvailable against the pods, percentages against the controller scale', () => {
    const pods = [pod('a'), pod('b')];
    expect(expectedCounts(budget({ minAvailable: 1 }), pods, scale)).toEqual({ expectedPods: 2, desiredHealthy: 1 });
    expect(expectedCounts(budget({ minAvailable: '50%' }), pods, scale)).toEqual({ expectedPods: 3, desiredHealthy: 2 });
    // maxUnavailable rounds the unavailable share up, so the desired healthy count down
    expect(expectedCounts(budget({ maxUnavailable: '50%' }), pods, scale)).toEqual({ expectedPods: 3, desiredHealthy: 1 });
    expect(() => expectedCounts(budget({ maxUnavailable: 1 }), pods, () => { throw new Error('found no controllers for pod "a"'); })).toThrow('found no controllers');
  });

  it('allows the healthy pods beyond the desired ones, leaving out deleting and just-evicted pods', () => {
    const pods = [pod('a'), pod('b'), pod('c'), pod('d', false), pod('e', true, true), pod('f')];
    const pdb = budget({ minAvailable: 2 }, { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0, disruptedPods: { f: '2026-01-01T11:59:30Z', a: '2026-01-01T11:50:00Z' } });
    const { status, nextExpiry } = budgetStatus(pdb, pods, { expectedPods: 6, desiredHealthy: 2 }, NOW);
    expect(status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 6, disruptionsAllowed: 1, observedGeneration: 2, disruptedPods: { f: '2026-01-01T11:59:30Z' } });
    expect(status.conditions?.[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' });
    expect(nextExpiry).toBe(Date.parse('2026-01-01T12:01:30Z'));
    const none = budgetStatus(pdb, [pod('a')], { expectedPods: 1, desiredHealthy: 2 }, NOW).status;
    expect(none).toMatchObject({ disruptionsAllowed: 0, conditions: [expect.objectContaining({ status: 'False', reason: 'InsufficientPods' })] });
  });
});

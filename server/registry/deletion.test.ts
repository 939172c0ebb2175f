import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { ApiError } from '../api/status.js';
import { deletionRequest, finalizersForPropagation, planDeletion, removedByUpdate } from './deletion.js';

const NOW = new Date('2024-05-01T10:00:00Z');
const object = (metadata: KubeObject['metadata'] = {}, rest: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...metadata }, ...rest });
const request = (options: Parameters<typeof deletionRequest>[0] = {}) => deletionRequest(options);
const podRules = { gracePeriod: (pod: KubeObject, requested: number | undefined) => requested ?? ((pod as { spec?: { terminationGracePeriodSeconds?: number } }).spec?.terminationGracePeriodSeconds ?? 0) };

describe('deletionRequest', () => {
  it('rejects an unknown policy and a policy together with orphanDependents, as 422 on DeleteOptions', () => {
    const unknown = (() => {
      try {
        deletionRequest({ propagationPolicy: 'Sometimes' });
      } catch (err) {
        return err as ApiError;
      }
    })();
    expect(unknown?.code).toBe(422);
    expect(unknown?.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"');
    expect(() => deletionRequest({ propagationPolicy: 'Orphan', orphanDependents: true })).toThrow('orphanDependents and deletionPropagation cannot be both set');
  });

  it('turns a negative grace period into 1', () => {
    expect(deletionRequest({ gracePeriodSeconds: -5 }).gracePeriodSeconds).toBe(1);
  });
});

describe('finalizersForPropagation', () => {
  it('adds orphan or foregroundDeletion from the policy, keeping other finalizers in order', () => {
    expect(finalizersForPropagation(['a/b'], request({ propagationPolicy: 'Orphan' }), {})).toEqual({ changed: true, finalizers: ['a/b', 'orphan'] });
    expect(finalizersForPropagation(['a/b'], request({ propagationPolicy: 'Foreground' }), {})).toEqual({ changed: true, finalizers: ['a/b', 'foregroundDeletion'] });
    expect(finalizersForPropagation(['orphan', 'a/b'], request({ propagationPolicy: 'Background' }), {})).toEqual({ changed: true, finalizers: ['a/b'] });
  });

  it('keeps what is there without a policy, and otherwise uses the kind default', () => {
    expect(finalizersForPropagation(['foregroundDeletion'], request(), { defaultPropagation: 'Orphan' })).toEqual({ changed: false, finalizers: ['foregroundDeletion'] });
    expect(finalizersForPropagation([], request(), { defaultPropagation: 'Orphan' })).toEqual({ changed: true, finalizers: ['orphan'] });
    expect(finalizersForPropagation([], request(), {})).toEqual({ changed: false, finalizers: [] });
  });

  it('reads orphanDependents=false as "do not orphan", not as foreground', () => {
    expect(finalizersForPropagation(['orphan'], request({ orphanDependents: false }), {})).toEqual({ changed: true, finalizers: [] });
  });
});

describe('planDeletion', () => {
  it('deletes an object without finalizers at once', () => {
    expect(planDeletion(object(), request(), {}, NOW)).toEqual({ action: 'delete' });
  });

  it('marks an object with finalizers: deletionTimestamp now, grace 0, generation bumped', () => {
    const plan = planDeletion(object({ finalizers: ['example.com/hold'], generation: 3 }), request(), {}, NOW);
    expect(plan).toMatchObject({ action: 'update', thenDelete: false, object: { metadata: { deletionTimestamp: '2024-05-01T10:00:00Z', deletionGracePeriodSeconds: 0, generation: 4 } } });
  });

  it('marks a foreground delete with its finalizer and keeps the first deletionTimestamp on a second delete', () => {
    const first = planDeletion(object(), request({ propagationPolicy: 'Foreground' }), {}, NOW);
    expect(first).toMatchObject({ action: 'update', object: { metadata: { finalizers: ['foregroundDeletion'] } } });
    const marked = first.action === 'update' ? first.object : object();
    const later = planDeletion(marked, request({ propagationPolicy: 'Orphan' }), {}, new Date('2024-05-01T11:00:00Z'));
    expect(later).toMatchObject({ action: 'update', object: { metadata: { finalizers: ['orphan'], deletionTimestamp: '2024-05-01T10:00:00Z' } } });
  });

  it('gives a pod its grace period, then accepts only a shorter one', () => {
    const pod = object({}, { spec: { terminationGracePeriodSeconds: 30 } });
    const plan = planDeletion(pod, request(), podRules, NOW);
    expect(plan).toMatchObject({ action: 'update', thenDelete: false, object: { metadata: { deletionTimestamp: '2024-05-01T10:00:30Z', deletionGracePeriodSeconds: 30 } } });
    const terminating = plan.action === 'update' ? plan.object : pod;
    expect(planDeletion(terminating, request(), podRules, NOW)).toEqual({ action: 'pending' });
    expect(planDeletion(terminating, request({ gracePeriodSeconds: 60 }), podRules, NOW)).toEqual({ action: 'pending' });
    expect(planDeletion(terminating, request({ gracePeriodSeconds: 10 }), podRules, NOW)).toMatchObject({
      action: 'update',
      object: { metadata: { deletionTimestamp: '2024-05-01T10:00:10Z', deletionGracePeriodSeconds: 10 } },
    });
    expect(planDeletion(terminating, request({ gracePeriodSeconds: 0 }), podRules, NOW)).toMatchObject({ action: 'update', thenDelete: true });
  });

  it('holds a namespace by its spec.finalizers and answers a second delete unchanged', () => {
    const rules = {
      holdsDeletion: (ns: KubeObject) => ((ns as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []).length > 0,
      onDeletionStarted: (ns: KubeObject) => void Object.assign(ns, { status: { phase: 'Terminating' } }),
    };
    const namespace = object({}, { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const plan = planDeletion(namespace, request(), rules, NOW);
    expect(plan).toMatchObject({ action: 'update', thenDelete: false, object: { status: { phase: 'Terminating' }, metadata: { deletionTimestamp: '2024-05-01T10:00:00Z' } } });
    expect(plan.action === 'update' && plan.object.metadata.deletionGracePeriodSeconds).toBe(undefined);
    expect(namespace.metadata.deletionTimestamp).toBeUndefined();
    expect(planDeletion(plan.action === 'update' ? plan.object : namespace, request(), rules, NOW)).toEqual({ action: 'pending' });
  });
});

describe('removedByUpdate', () => {
  it('removes a deleting object whose last finalizer went, unless a grace period still runs', () => {
    const old = object({ deletionTimestamp: '2024-05-01T10:00:00Z', deletionGracePeriodSeconds: 0, finalizers: ['a/b'] });
    expect(removedByUpdate(old, object({ ...old.metadata, finalizers: [] }), {})).toBe(true);
    expect(removedByUpdate(old, object({ ...old.metadata, finalizers: ['a/b'] }), {})).toBe(false);
    expect(removedByUpdate({ ...old, metadata: { ...old.metadata, deletionGracePeriodSeconds: 30 } }, object({ finalizers: [] }), {})).toBe(false);
    expect(removedByUpdate(object({ finalizers: ['a/b'] }), object(), {})).toBe(false);
  });
});

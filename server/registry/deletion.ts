/**
 * @module server/registry/deletion
 * Layer: registry. What a DELETE does to an object, decided before anything is written (mirrors
 * k8s.io/apiserver's rest.BeforeDelete and the generic Store's Delete): graceful deletion for kinds that have
 * it (pods), the garbage collector's `orphan` and `foregroundDeletion` finalizers from the propagation policy,
 * and whether the object goes now or stays, marked with a deletionTimestamp, until its finalizers are gone.
 */
import { field, invalidError } from '../api/field-errors.js';
import type { KubeObject } from '../api/object.js';
import { rfc3339 } from '../api/time.js';
import type { DeletionRules } from './resource.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'] as const;
export type PropagationPolicy = (typeof PROPAGATION_POLICIES)[number];

export interface DeletionRequest {
  gracePeriodSeconds: number | undefined;
  propagationPolicy: PropagationPolicy | undefined;
  orphanDependents: boolean | undefined;
}

/** The outcome of a DELETE on one version of an object. */
export type DeletionPlan =
  /** already being deleted gracefully: nothing changes, the object is the answer */
  | { action: 'pending' }
  /** remove it now, without a prior update */
  | { action: 'delete' }
  /** write `object` (deletionTimestamp, finalizers…); then remove it too when `thenDelete` */
  | { action: 'update'; object: KubeObject; thenDelete: boolean };

/** Checks upstream's ValidateDeleteOptions makes, as a 422 on DeleteOptions. */
export function deletionRequest(options: {
  gracePeriodSeconds?: number | null;
  propagationPolicy?: string | null;
  orphanDependents?: boolean | null;
}): DeletionRequest {
  const policy = options.propagationPolicy ?? undefined;
  const problems = [];
  if (policy !== undefined && !(PROPAGATION_POLICIES as readonly string[]).includes(policy)) {
    problems.push(field.notSupported('propagationPolicy', policy, [...PROPAGATION_POLICIES, 'nil']));
  } else if (policy !== undefined && options.orphanDependents != null) {
    problems.push(field.invalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (problems.length > 0) throw invalidError({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', problems);
  const grace = options.gracePeriodSeconds ?? undefined;
  return {
    gracePeriodSeconds: grace !== undefined && grace < 0 ? 1 : grace,
    propagationPolicy: policy as PropagationPolicy | undefined,
    orphanDependents: options.orphanDependents ?? undefined,
  };
}

/** The finalizers a DELETE leaves for the garbage collector (upstream deletionFinalizersForGarbageCollection). */
export function finalizersForPropagation(existing: readonly string[], request: DeletionRequest, rules: DeletionRules): { changed: boolean; finalizers: string[] } {
  const firstGcFinalizer = existing.find((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER);
  let orphan: boolean;
  let foreground: boolean;
  if (request.orphanDependents !== undefined) {
    orphan = request.orphanDependents;
    foreground = false;
  } else if (request.propagationPolicy !== undefined) {
    orphan = request.propagationPolicy === 'Orphan';
    foreground = request.propagationPolicy === 'Foreground';
  } else if (firstGcFinalizer !== undefined) {
    orphan = firstGcFinalizer === ORPHAN_FINALIZER;
    foreground = firstGcFinalizer === FOREGROUND_FINALIZER;
  } else {
    orphan = rules.defaultPropagation === 'Orphan';
    foreground = false;
  }
  const finalizers = existing.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) finalizers.push(ORPHAN_FINALIZER);
  if (foreground) finalizers.push(FOREGROUND_FINALIZER);
  const before = new Set(existing);
  const changed = before.size !== new Set(finalizers).size || finalizers.some((f) => !before.has(f));
  return { changed, finalizers: changed ? finalizers : [...existing] };
}

/** Decide what a DELETE does to `current` (a stored object, not changed here). */
export function planDeletion(current: KubeObject, request: DeletionRequest, rules: DeletionRules, now: Date): DeletionPlan {
  const meta = current.metadata;
  const object: KubeObject = { ...current, metadata: { ...meta } };
  const next = object.metadata;
  let graceful = false;
  let grace = 0;
  if (rules.gracePeriod) {
    const currentGrace = meta.deletionGracePeriodSeconds ?? 0;
    if (meta.deletionTimestamp && currentGrace > 0) {
      // Already terminating: only a shorter grace period changes anything.
      const requested = request.gracePeriodSeconds;
      if (requested === undefined || requested >= currentGrace) return { action: 'pending' };
      const started = Date.parse(meta.deletionTimestamp) - currentGrace * 1000;
      next.deletionTimestamp = rfc3339(new Date(started + requested * 1000));
      next.deletionGracePeriodSeconds = requested;
      graceful = true;
      grace = requested;
    } else if (!meta.deletionTimestamp) {
      grace = rules.gracePeriod(current, request.gracePeriodSeconds);
      next.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      next.deletionGracePeriodSeconds = grace;
      if (next.generation !== undefined && next.generation > 0) next.generation += 1;
      graceful = true;
    }
  }
  const held = rules.holdsDeletion?.(current) ?? false;
  // A kind held by something of its own (a namespace's spec.finalizers) answers later DELETEs unchanged.
  if (held && meta.deletionTimestamp) return { action: 'pending' };
  const propagation = finalizersForPropagation(meta.finalizers ?? [], request, rules);
  if (propagation.changed) {
    if (propagation.finalizers.length > 0) next.finalizers = propagation.finalizers;
    else delete next.finalizers;
  }
  const pendingFinalizers = propagation.finalizers.length > 0 || held;
  if (!graceful) {
    if (!pendingFinalizers) return { action: 'delete' };
    // Mark it as deleting and leave it to whoever owns the finalizers.
    if (!next.deletionTimestamp) {
      next.deletionTimestamp = rfc3339(now);
      if (next.generation !== undefined && next.generation > 0) next.generation += 1;
    }
    if (rules.onDeletionStarted) rules.onDeletionStarted(object);
    else next.deletionGracePeriodSeconds = 0;
    return { action: 'update', object, thenDelete: false };
  }
  return { action: 'update', object, thenDelete: !pendingFinalizers && grace === 0 };
}

/**
 * Whether an update must delete the object instead (upstream ShouldDeleteDuringUpdate): it is being deleted, its
 * last finalizer just went, and no grace period is still running.
 */
export function removedByUpdate(old: KubeObject, next: KubeObject, rules: DeletionRules): boolean {
  if (!old.metadata.deletionTimestamp) return false;
  if ((next.metadata.finalizers ?? []).length > 0) return false;
  if ((old.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  return !(rules.holdsDeletion?.(next) ?? false);
}

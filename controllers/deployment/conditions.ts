/**
 * @module controllers/deployment/conditions
 * Layer: controllers (pure). A Deployment's status (upstream calculateStatus) and conditions (progress.go,
 * deployment_util.go): Available by minimum availability, Progressing through created / found / updated /
 * available / paused / timed out, ReplicaFailure copied from its ReplicaSets, and when a stuck rollout must
 * be looked at again for its deadline.
 */
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { rfc3339At } from '../../server/api/time.js';
import type { DeploymentObject, ReplicaSetObject } from '../../server/api/kinds.js';
import { desiredReplicas, maxUnavailable, sumSpec, sumStatus } from './replica-sets.js';

export type Condition = DeploymentCondition;
export type Status = Omit<DeploymentStatus, 'conditions'> & { conditions?: Condition[] };

export const REASONS = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** progressDeadlineSeconds of MaxInt32 means no deadline. */
const NO_DEADLINE = 2147483647;

export function hasProgressDeadline(d: DeploymentObject): boolean {
  const seconds = d.spec?.progressDeadlineSeconds;
  return seconds !== undefined && seconds !== NO_DEADLINE;
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const at = rfc3339At(now);
  return { type, status, reason, message, lastUpdateTime: at, lastTransitionTime: at };
}

export function getCondition(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Upstream SetDeploymentCondition: the same status and reason change nothing; the same status keeps its
 * transition time; the condition moves to the end of the list.
 */
export function setCondition(status: Status, condition: Condition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: Status, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** Upstream calculateStatus. */
export function calculateStatus(d: DeploymentObject, all: readonly ReplicaSetObject[], newRS: ReplicaSetObject | undefined, now: number): Status {
  const available = sumStatus(all, 'availableReplicas');
  const status: Status = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sumStatus(all, 'replicas'),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpec(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASONS.minimumAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', REASONS.minimumUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Upstream DeploymentComplete: every replica updated and available, the latest spec observed. */
export function isComplete(d: DeploymentObject, status: Status): boolean {
  const replicas = desiredReplicas(d);
  return (status.updatedReplicas ?? 0) === replicas && (status.replicas ?? 0) === replicas && (status.availableReplicas ?? 0) === replicas && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Upstream DeploymentProgressing: the new status shows progress over the stored one. */
export function isProgressing(d: DeploymentObject, status: Status): boolean {
  const old = d.status ?? {};
  const oldStale = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newStale = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newStale < oldStale || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** Upstream DeploymentTimedOut. */
export function isTimedOut(d: DeploymentObject, status: Status, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition || condition.reason === REASONS.newRSAvailable) return false;
  if (condition.reason === REASONS.timedOut) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

function subject(d: DeploymentObject, newRS: ReplicaSetObject | undefined): string {
  return newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
}

/** The ReplicaFailure condition of the new ReplicaSet, else of any other (upstream getReplicaFailures). */
function replicaFailure(all: readonly ReplicaSetObject[], newRS: ReplicaSetObject | undefined): Condition | undefined {
  for (const rs of newRS ? [newRS, ...all.filter((r) => r !== newRS)] : all) {
    const failure = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    if (failure) {
      const at = failure.lastTransitionTime;
      return { type: 'ReplicaFailure', status: failure.status, ...(failure.reason && { reason: failure.reason }), ...(failure.message && { message: failure.message }), ...(at && { lastUpdateTime: at, lastTransitionTime: at }) };
    }
  }
  return undefined;
}

/** The status after a rollout step (upstream syncRolloutStatus, without the write). */
export function rolloutStatus(d: DeploymentObject, all: readonly ReplicaSetObject[], newRS: ReplicaSetObject | undefined, now: number): Status {
  const status = calculateStatus(d, all, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASONS.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    if (isComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', REASONS.newRSAvailable, `${subject(d, newRS)} has successfully progressed.`, now));
    } else if (isProgressing(d, status)) {
      const condition = newCondition('Progressing', 'True', REASONS.replicaSetUpdated, `${subject(d, newRS)} is progressing.`, now);
      if (current) {
        if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, condition);
    } else if (isTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', REASONS.timedOut, `${subject(d, newRS)} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');
  return status;
}

/**
 * When an unchanged, unfinished rollout must be looked at again to notice its deadline (upstream
 * requeueStuckDeployment): milliseconds from now, or undefined when nothing is pending.
 */
export function stuckRecheckMs(d: DeploymentObject, status: Status, now: number): number | undefined {
  const condition = getCondition(status, 'Progressing');
  if (!hasProgressDeadline(d) || !condition) return undefined;
  if (isComplete(d, status) || condition.reason === REASONS.timedOut) return undefined;
  const after = Date.parse(condition.lastUpdateTime ?? '') + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}

/** Upstream checkPausedConditions: the Progressing condition says paused or resumed; undefined when unchanged. */
export function pausedConditions(d: DeploymentObject, now: number): Status | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const condition = getCondition(d.status, 'Progressing');
  if (condition?.reason === REASONS.timedOut) return undefined;
  const pausedCondition = condition?.reason === REASONS.paused;
  const status: Status = { ...(d.status ?? {}), ...(d.status?.conditions && { conditions: d.status.conditions.map((c) => ({ ...c })) }) };
  if (d.spec?.paused && !pausedCondition) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASONS.paused, 'Deployment is paused', now));
    return status;
  }
  if (!d.spec?.paused && pausedCondition) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASONS.resumed, 'Deployment is resumed', now));
    return status;
  }
  return undefined;
}

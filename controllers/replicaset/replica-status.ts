/**
 * @module controllers/replicaset/replica-status
 * Layer: controllers (pure). A ReplicaSet's or ReplicationController's status from its active pods (upstream
 * calculateStatus): replicas, fullyLabeledReplicas (pods carrying every template label), ready and available
 * (ready for minReadySeconds) counts, and the ReplicaFailure condition while creating or deleting fails.
 */
import { fromMap } from '../../server/api/labels.js';
import { rfc3339At } from '../../server/api/time.js';
import { availableAt, isAvailable, isReady } from '../toolkit/pod-state.js';
import type { PodObject } from '../../server/api/kinds.js';

export interface ReplicaCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export interface ReplicaShape {
  replicas: number;
  minReadySeconds: number;
  templateLabels: Record<string, string> | undefined;
  conditions: readonly ReplicaCondition[] | undefined;
}

export interface StatusResult {
  status: ReplicaStatus;
  /** when the next ready pod becomes available (Infinity when none is waiting out minReadySeconds) */
  nextAvailable: number;
}

export function replicaStatus(shape: ReplicaShape, pods: readonly PodObject[], manageError: unknown, now: number): StatusResult {
  const template = fromMap(shape.templateLabels);
  let fullyLabeledReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  let nextAvailable = Infinity;
  for (const pod of pods) {
    if (template.matches(pod.metadata.labels ?? {})) fullyLabeledReplicas++;
    if (!isReady(pod)) continue;
    readyReplicas++;
    if (isAvailable(pod, shape.minReadySeconds, now)) availableReplicas++;
    else nextAvailable = Math.min(nextAvailable, availableAt(pod, shape.minReadySeconds, now));
  }
  let conditions = [...(shape.conditions ?? [])];
  const failing = conditions.some((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failing) {
    const reason = pods.length < shape.replicas ? 'FailedCreate' : pods.length > shape.replicas ? 'FailedDelete' : '';
    const message = manageError instanceof Error ? manageError.message : String(manageError);
    conditions.push({ type: 'ReplicaFailure', status: 'True', reason, message, lastTransitionTime: rfc3339At(now) });
  } else if (manageError === undefined && failing) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaStatus = { replicas: pods.length, fullyLabeledReplicas, readyReplicas, availableReplicas };
  if (conditions.length > 0) status.conditions = conditions;
  return { status, nextAvailable };
}

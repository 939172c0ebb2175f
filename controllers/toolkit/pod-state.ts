/**
 * @module controllers/toolkit/pod-state
 * Layer: controllers (pure). What controllers ask of a pod (upstream podutil and controller_utils): ready,
 * available after minReadySeconds, active (neither finished nor being deleted).
 */
import type { PodObject } from '../../server/api/kinds.js';

function readyCondition(pod: PodObject) {
  return (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

export function isReady(pod: PodObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds (upstream IsPodAvailable). */
export function isAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  if (!isReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  return availableAt(pod, minReadySeconds, now) < now;
}

/** When a ready pod counts as available: minReadySeconds after it became Ready (just after, as upstream compares). */
export function availableAt(pod: PodObject, minReadySeconds: number, now: number): number {
  const ready = readyCondition(pod);
  const since = ready?.status === 'True' && ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : now;
  return since + minReadySeconds * 1000;
}

export function isTerminal(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Neither finished nor being deleted (upstream IsPodActive). */
export function isActive(pod: PodObject): boolean {
  return !isTerminal(pod) && !pod.metadata.deletionTimestamp;
}

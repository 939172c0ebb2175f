/**
 * @module controllers/disruption/budget
 * Layer: controllers (pure). A PodDisruptionBudget's status (upstream disruption controller): expected pods
 * (the pods themselves for an integer minAvailable, else the sum of their controllers' desired scale),
 * desired and current healthy pods (ready, not being deleted, not just evicted), disruptions allowed, the
 * DisruptionAllowed condition, and the disrupted-pods map with its two-minute expiry.
 */
import type { PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { rfc3339At } from '../../server/api/time.js';
import { isPercent, scaledValue } from '../toolkit/int-or-percent.js';
import { isReady } from '../toolkit/pod-state.js';
import type { PdbObject, PodObject } from '../../server/api/kinds.js';

/** How long an eviction's entry in disruptedPods keeps its pod out of the healthy count. */
export const DISRUPTION_TIMEOUT_MS = 2 * 60_000;

export type BudgetStatus = PodDisruptionBudgetStatus;

export interface Counts {
  expectedPods: number;
  desiredHealthy: number;
}

/**
 * Expected and desired healthy pods (upstream getExpectedPodCount). `scaleOf` gives the desired replicas of
 * the controller a pod belongs to — the same number for pods of one controller, keyed by `controllerKey` —
 * or throws when the pod's controller cannot be found.
 */
export function expectedCounts(pdb: PdbObject, pods: readonly PodObject[], scaleOf: (pod: PodObject) => { key: string; replicas: number } | undefined): Counts {
  const spec = pdb.spec ?? {};
  if (spec.minAvailable !== undefined && !isPercent(spec.minAvailable)) {
    return { expectedPods: pods.length, desiredHealthy: spec.minAvailable as number };
  }
  const controllers = new Map<string, number>();
  for (const pod of pods) {
    const scale = scaleOf(pod);
    if (scale) controllers.set(scale.key, scale.replicas);
  }
  let expectedPods = 0;
  for (const replicas of controllers.values()) expectedPods += replicas;
  if (spec.maxUnavailable !== undefined) {
    const unavailable = scaledValue(spec.maxUnavailable, expectedPods, true);
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - unavailable) };
  }
  return { expectedPods, desiredHealthy: scaledValue(spec.minAvailable, expectedPods, true) };
}

/** Entries of disruptedPods still in force, and when the next one runs out (Infinity when none). */
export function liveDisruptions(status: BudgetStatus | undefined, pods: readonly PodObject[], now: number): { disrupted: Record<string, string>; nextExpiry: number } {
  const disrupted: Record<string, string> = {};
  let nextExpiry = Infinity;
  const byName = new Map(pods.map((pod) => [pod.metadata.name as string, pod]));
  for (const [name, at] of Object.entries(status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expiry = Date.parse(at) + DISRUPTION_TIMEOUT_MS;
    if (expiry <= now) continue;
    disrupted[name] = at;
    nextExpiry = Math.min(nextExpiry, expiry);
  }
  return { disrupted, nextExpiry };
}

/** Ready pods not being deleted and not in disruptedPods (upstream countHealthyPods). */
export function currentHealthy(pods: readonly PodObject[], disrupted: Readonly<Record<string, string>>): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || disrupted[pod.metadata.name as string] !== undefined) continue;
    if (isReady(pod)) healthy++;
  }
  return healthy;
}

/** The DisruptionAllowed condition (upstream UpdateDisruptionAllowedCondition), keeping its transition time. */
export function allowedCondition(status: BudgetStatus, previous: BudgetStatus | undefined, now: number, failure?: string) {
  const old = previous?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const allowed = failure === undefined && (status.disruptionsAllowed ?? 0) > 0;
  const reason = failure !== undefined ? 'SyncFailed' : allowed ? 'SufficientPods' : 'InsufficientPods';
  const conditionStatus = allowed ? 'True' : 'False';
  const keep = old && old.status === conditionStatus;
  return {
    type: 'DisruptionAllowed',
    status: conditionStatus,
    reason,
    message: failure ?? '',
    ...(status.observedGeneration !== undefined && { observedGeneration: status.observedGeneration }),
    lastTransitionTime: keep ? old.lastTransitionTime : rfc3339At(now),
  };
}

/** The whole status for a budget over its pods (upstream updatePdbStatus). */
export function budgetStatus(pdb: PdbObject, pods: readonly PodObject[], counts: Counts, now: number): { status: BudgetStatus; nextExpiry: number } {
  const { disrupted, nextExpiry } = liveDisruptions(pdb.status, pods, now);
  const healthy = currentHealthy(pods, disrupted);
  let allowed = healthy - counts.desiredHealthy;
  if (counts.expectedPods <= 0 || allowed <= 0) allowed = 0;
  const status: BudgetStatus = {
    currentHealthy: healthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedPods,
    disruptionsAllowed: allowed,
    observedGeneration: pdb.metadata.generation ?? 0,
    ...(Object.keys(disrupted).length > 0 && { disruptedPods: disrupted }),
  };
  status.conditions = [allowedCondition(status, pdb.status, now)];
  return { status, nextExpiry };
}

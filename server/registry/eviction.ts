/**
 * @module server/registry/eviction
 * Layer: registry. The pods/eviction policy (mirrors the apiserver's eviction REST): a pod may be evicted
 * unless that would break its PodDisruptionBudget — then 429 TooManyRequests, which `kubectl drain` retries.
 * Budgets are evaluated against the live pods, as the disruption controller would count them.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fromLabelSelector } from '../api/labels.js';
import type { Kube } from '../api/object.js';
import { ApiError, errors, StatusReason } from '../api/status.js';
import type { DeleteOptionsBody, Registry, WriteOptions } from './registry.js';

type PodObject = Kube<Pod>;
type BudgetObject = Kube<PodDisruptionBudget>;

export function isPodReady(pod: PodObject): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function scaled(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.replace('%', '')) / 100;
  return roundUp ? Math.ceil(percent * total) : Math.floor(percent * total);
}

/** Desired and current healthy pods of a budget (upstream's disruption controller arithmetic). */
export function budgetCounts(budget: BudgetObject, pods: readonly PodObject[]): { expected: number; desired: number; healthy: number } {
  const selector = fromLabelSelector(budget.spec?.selector);
  const matching = pods.filter((p) => selector.matches(p.metadata.labels) && !p.metadata.deletionTimestamp);
  const expected = matching.length;
  const healthy = matching.filter(isPodReady).length;
  const spec = budget.spec ?? {};
  let desired: number;
  if (spec.maxUnavailable !== undefined) desired = Math.max(0, expected - scaled(spec.maxUnavailable, expected, true));
  else if (spec.minAvailable !== undefined) desired = scaled(spec.minAvailable, expected, true);
  else desired = expected;
  return { expected, desired, healthy };
}

export async function evictPod(registry: Registry, namespace: string, name: string, deleteOptions: DeleteOptionsBody, options: WriteOptions): Promise<void> {
  const podsResource = registry.resource('', 'pods');
  const stored = registry.get(podsResource, namespace, name);
  if (!stored) throw errors.notFound(podsResource.groupResource, name);
  const pod = stored.object as PodObject;
  const phase = pod.status?.phase;
  // Terminal, pending or already terminating pods are not protected by budgets.
  const protectedPod = phase !== 'Succeeded' && phase !== 'Failed' && phase !== 'Pending' && !pod.metadata.deletionTimestamp;
  if (protectedPod) {
    const budgetsResource = registry.resource('policy', 'poddisruptionbudgets');
    const budgets = registry
      .list(budgetsResource, namespace)
      .map((s) => s.object as BudgetObject)
      .filter((b) => {
        try {
          return fromLabelSelector(b.spec?.selector).matches(pod.metadata.labels);
        } catch {
          return false;
        }
      });
    if (budgets.length > 1) {
      throw errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    const budget = budgets[0];
    if (budget) {
      const pods = registry.list(podsResource, namespace).map((s) => s.object as PodObject);
      const { desired, healthy } = budgetCounts(budget, pods);
      const ready = isPodReady(pod);
      const allowed = ready ? healthy - desired > 0 : budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || healthy >= desired;
      if (!allowed) {
        throw new ApiError(429, StatusReason.TooManyRequests, "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${budget.metadata.name} needs ${desired} healthy pods and has ${healthy} currently` }],
        });
      }
    }
  }
  await registry.delete(podsResource, namespace, name, deleteOptions, options);
}

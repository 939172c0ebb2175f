/**
 * @module server/registry/eviction
 * Layer: registry. The pods/eviction policy (mirrors the apiserver's eviction REST): a pod covered by a
 * PodDisruptionBudget may be evicted only while the budget's status — kept by the disruption controller —
 * allows a disruption; the eviction spends it (disruptionsAllowed down by one, the pod recorded in
 * disruptedPods) before the pod is deleted with a DisruptionTarget condition. Otherwise 429
 * TooManyRequests, which `kubectl drain` retries.
 */
import { fromLabelSelector } from '../api/labels.js';
import { ApiError, errors, isConflict, StatusReason } from '../api/status.js';
import { rfc3339At } from '../api/time.js';
import type { DeleteOptionsBody, Registry, WriteOptions } from './registry.js';
import type { PodObject, PdbObject as BudgetObject } from '../api/kinds.js';


/** Most pods a budget may have evicted and not yet seen go (upstream MaxDisruptedPodSize). */
const MAX_DISRUPTED_PODS = 2000;
const CONFLICT_RETRIES = 20;
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

function isPodReady(pod: PodObject): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, StatusReason.TooManyRequests, VIOLATION, { causes: [{ reason: 'DisruptionBudget', message }], ...(retryAfterSeconds > 0 && { retryAfterSeconds }) });
}

function budgetsFor(registry: Registry, namespace: string, pod: PodObject): BudgetObject[] {
  const resource = registry.resource('policy', 'poddisruptionbudgets');
  return registry
    .list(resource, namespace)
    .map((stored) => stored.object as BudgetObject)
    .filter((budget) => {
      try {
        return fromLabelSelector(budget.spec?.selector).matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
}

/** Spend one disruption of the budget for the pod, or refuse (upstream checkAndDecrement). Retries conflicts. */
async function spend(registry: Registry, namespace: string, budgetName: string, podName: string, options: WriteOptions): Promise<void> {
  const resource = registry.resource('policy', 'poddisruptionbudgets');
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const stored = registry.get(resource, namespace, budgetName);
    if (!stored) return;
    const budget = stored.object as BudgetObject;
    const status = budget.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 };
    if ((status.observedGeneration ?? 0) < (budget.metadata.generation ?? 0)) {
      throw tooManyRequests(`The disruption budget ${budgetName} is still being processed by the server.`, 10);
    }
    if (status.disruptionsAllowed < 0) throw errors.forbidden(resource.groupResource, budgetName, 'pdb disruptions allowed is negative');
    if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
      throw errors.forbidden(resource.groupResource, budgetName, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if (status.disruptionsAllowed === 0) {
      throw tooManyRequests(`The disruption budget ${budgetName} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`, 0);
    }
    if (options.dryRun) return;
    const allowed = status.disruptionsAllowed - 1;
    const conditions = (status.conditions ?? []).map((c) => (c.type === 'DisruptionAllowed' && allowed === 0 && c.status === 'True' ? { ...c, status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: rfc3339At(Date.now()) } : c));
    const next = { ...status, disruptionsAllowed: allowed, disruptedPods: { ...(status.disruptedPods ?? {}), [podName]: rfc3339At(Date.now()) }, ...(conditions.length > 0 && { conditions }) };
    try {
      await registry.update(resource, namespace, budgetName, { ...budget, status: next }, {}, 'status');
      return;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  throw errors.timeout(`couldn't update PodDisruptionBudget "${budgetName}" due to conflicts`, 10);
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
    const budgets = budgetsFor(registry, namespace, pod);
    if (budgets.length > 1) {
      throw errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    const budget = budgets[0];
    if (budget) {
      const status = budget.status;
      // An unhealthy pod may go without spending the budget when the budget is met anyway (IfHealthyBudget), or always (AlwaysAllow).
      const unhealthyMayGo =
        !isPodReady(pod) &&
        (budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || ((status?.currentHealthy ?? 0) >= (status?.desiredHealthy ?? 0) && (status?.desiredHealthy ?? 0) > 0));
      if (!unhealthyMayGo) await spend(registry, namespace, budget.metadata.name as string, name, options);
    }
  }
  await markDisruptionTarget(registry, namespace, name, options);
  await registry.delete(podsResource, namespace, name, deleteOptions, options);
}

/** The pod's DisruptionTarget condition, as upstream adds it before deleting an evicted pod. */
async function markDisruptionTarget(registry: Registry, namespace: string, name: string, options: WriteOptions): Promise<void> {
  if (options.dryRun) return;
  const pods = registry.resource('', 'pods');
  const stored = registry.get(pods, namespace, name);
  if (!stored) return;
  const pod = stored.object as PodObject;
  if (pod.metadata.deletionTimestamp) return;
  const condition = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339At(Date.now()) };
  const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), condition];
  try {
    await registry.update(pods, namespace, name, { ...pod, status: { ...pod.status, conditions } }, {}, 'status');
  } catch (error) {
    // The pod changed meanwhile: it is deleted without the condition rather than not at all.
    if (!isConflict(error)) throw error;
  }
}

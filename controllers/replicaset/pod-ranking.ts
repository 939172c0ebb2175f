/**
 * @module controllers/replicaset/pod-ranking
 * Layer: controllers (pure). Which pods a ReplicaSet deletes first when it has too many (upstream
 * getPodsToDelete with ActivePodsWithRanks, LogarithmicScaleDown and PodDeletionCost on): unscheduled before
 * scheduled, pending before unknown before running, not ready before ready, lower deletion cost, more
 * co-located with related pods, more recently ready, more restarts, newer — recency compared in powers of two.
 */
import { isReady } from '../toolkit/pod-state.js';
import type { PodObject } from '../../server/api/kinds.js';

export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: PodObject): number {
  const value = pod.metadata.annotations?.[DELETION_COST_ANNOTATION];
  if (value === undefined || !/^-?\d+$/.test(value)) return 0;
  const cost = Number(value);
  return cost >= -2147483648 && cost <= 2147483647 ? cost : 0;
}

function readySince(pod: PodObject): number {
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'True');
  return ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
}

function created(pod: PodObject): number {
  return pod.metadata.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : 0;
}

function maxRestarts(pod: PodObject): number {
  let most = 0;
  for (const status of pod.status?.containerStatuses ?? []) most = Math.max(most, status.restartCount);
  return most;
}

/** floor(log2(age in ns)), or -1 for a time not in the past — the bucket upstream compares. */
function logRank(time: number, now: number): number {
  const ageNs = (now - time) * 1e6;
  return ageNs <= 0 ? -1 : Math.floor(Math.log2(ageNs));
}

/** Negative when pod `a` (at time ta) should go before pod `b`: the more recent first, zero times first. */
function newerFirst(a: PodObject, ta: number, b: PodObject, tb: number, now: number): number {
  if (ta === 0 || tb === 0) return ta === 0 ? -1 : 1;
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff !== 0) return diff;
  const ua = a.metadata.uid ?? '';
  const ub = b.metadata.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Upstream ActivePodsWithRanks.Less as a comparator: negative when `a` is deleted before `b`. */
export function compareForDeletion(a: PodObject, rankA: number, b: PodObject, rankB: number, now: number): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isReady(a);
  const readyB = isReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const ta = readySince(a);
    const tb = readySince(b);
    if (ta !== tb) {
      const order = newerFirst(a, ta, b, tb, now);
      if (order !== 0) return order;
    }
  }
  const restartsA = maxRestarts(a);
  const restartsB = maxRestarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const ca = created(a);
  const cb = created(b);
  if (ca !== cb) return newerFirst(a, ca, b, cb, now);
  return 0;
}

/**
 * The `count` pods to delete from `pods`, ranked by how many active `related` pods (those of every
 * ReplicaSet with the same owner) share their node.
 */
export function podsToDelete(pods: readonly PodObject[], related: readonly PodObject[], count: number, now: number): PodObject[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const pod of related) {
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const node = pod.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => compareForDeletion(x.pod, x.rank, y.pod, y.rank, now));
  return ranked.slice(0, count).map((entry) => entry.pod);
}

/**
 * @module controllers/node-lifecycle/taints
 * Layer: controllers. The taints a node's conditions call for (upstream TaintNodesByCondition and the
 * NoExecute taints of the node lifecycle controller), and how to reconcile a node's taint list with them
 * while keeping every taint someone else set.
 */
import type { NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import type { NodeObject } from '../../server/api/kinds.js';

export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const PRESSURE: Readonly<Record<string, string>> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};
/** every key this controller manages */
const MANAGED = new Set([NOT_READY, UNREACHABLE, UNSCHEDULABLE, ...Object.values(PRESSURE)]);

function condition(conditions: readonly NodeCondition[], type: string): string | undefined {
  return conditions.find((c) => c.type === type)?.status;
}

/** The controller's taints for a node in this state (key + effect), without timeAdded. */
export function conditionTaints(node: NodeObject, evict: boolean): Taint[] {
  const conditions = node.status?.conditions ?? [];
  const taints: Taint[] = [];
  const ready = condition(conditions, 'Ready');
  if (ready === 'False') taints.push({ key: NOT_READY, effect: 'NoSchedule' });
  if (ready === 'Unknown') taints.push({ key: UNREACHABLE, effect: 'NoSchedule' });
  for (const [type, key] of Object.entries(PRESSURE)) if (condition(conditions, type) === 'True') taints.push({ key, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) taints.push({ key: UNSCHEDULABLE, effect: 'NoSchedule' });
  if (evict && ready === 'False') taints.push({ key: NOT_READY, effect: 'NoExecute' });
  if (evict && ready === 'Unknown') taints.push({ key: UNREACHABLE, effect: 'NoExecute' });
  return taints;
}

/** The node's taints with the managed ones made to match `wanted`; undefined when nothing changes. */
export function reconcileTaints(current: readonly Taint[], wanted: readonly Taint[], now: string): Taint[] | undefined {
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((taint) => !MANAGED.has(taint.key) || wanted.some((w) => same(w, taint)));
  const added = wanted.filter((w) => !current.some((taint) => same(w, taint))).map((taint) => ({ ...taint, timeAdded: now }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

/**
 * @module controllers/daemonset/rolling-update
 * Layer: controllers. The RollingUpdate step of the DaemonSet controller (mirrors update.go rollingUpdate):
 * from the pods on each node, which old pods to delete and on which nodes to start a new pod now — never more
 * unavailable nodes than maxUnavailable allows, never more surge pods than maxSurge.
 */
import type { DaemonSetObject, PodObject } from '../../server/api/kinds.js';
import { scaledValue } from '../toolkit/int-or-percent.js';
import { isAvailable } from '../toolkit/pod-state.js';
import { isUpdated } from './daemon-pods.js';

/** maxUnavailable and maxSurge for `desired` nodes (upstream updatedDesiredNodeCounts). */
export function budgets(ds: DaemonSetObject, desired: number): { maxUnavailable: number; maxSurge: number } {
  const rolling = ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
  let maxUnavailable = scaledValue(rolling?.maxUnavailable, desired, true);
  const maxSurge = scaledValue(rolling?.maxSurge, desired, true);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxUnavailable, maxSurge };
}

export interface NodePods {
  node: string;
  shouldRun: boolean;
  /** the node's pods that are not being deleted */
  pods: PodObject[];
}

export interface RollingDecision {
  deletePods: PodObject[];
  createOnNodes: string[];
}

export function rollingUpdate(ds: DaemonSetObject, hash: string, nodes: readonly NodePods[], now: number): RollingDecision {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const desired = nodes.filter((n) => n.shouldRun).length;
  const { maxUnavailable, maxSurge } = budgets(ds, desired);
  const split = (pods: PodObject[]) => {
    const fresh = pods.filter((p) => isUpdated(p, hash, ds));
    const old = pods.filter((p) => !isUpdated(p, hash, ds));
    return { fresh, old, ok: fresh.length <= 1 && old.length <= 1 };
  };
  const available = (pod: PodObject) => isAvailable(pod, minReady, now);
  const decision: RollingDecision = { deletePods: [], createOnNodes: [] };
  // Visit nodes in name order: deterministic, and upstream's (random) map order is no contract.
  const ordered = [...nodes].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));

  if (maxSurge === 0) {
    let unavailable = 0;
    const candidates: PodObject[] = [];
    for (const { pods } of ordered) {
      const { fresh, old, ok } = split(pods);
      if (!ok || pods.length === 0 || (fresh.length > 0 && old.length > 0)) {
        unavailable++;
        continue;
      }
      if (fresh.length > 0) {
        if (!available(fresh[0] as PodObject)) unavailable++;
        continue;
      }
      const oldPod = old[0] as PodObject;
      if (!available(oldPod)) {
        decision.deletePods.push(oldPod);
        unavailable++;
      } else if (unavailable < maxUnavailable) {
        candidates.push(oldPod);
      }
    }
    const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
    decision.deletePods.push(...candidates.slice(0, room));
    return decision;
  }

  let surging = 0;
  let availableCount = 0;
  const candidateNodes: string[] = [];
  const retiring: PodObject[] = [];
  for (const { node, shouldRun, pods } of ordered) {
    const { fresh, old, ok } = split(pods);
    if (!ok) {
      surging++;
      continue;
    }
    const oldPod = old[0];
    const newPod = fresh[0];
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) availableCount++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (shouldRun) decision.createOnNodes.push(node);
        else decision.deletePods.push(oldPod);
      } else if (!shouldRun) {
        retiring.push(oldPod);
      } else if (surging < maxSurge) {
        candidateNodes.push(node);
      }
      continue;
    }
    if (!available(newPod)) surging++;
    else decision.deletePods.push(oldPod);
  }
  // Old pods on nodes the DaemonSet left are retired only while enough others are available.
  let spare = availableCount - desired;
  for (const pod of retiring) {
    if (spare <= 0) break;
    decision.deletePods.push(pod);
    spare--;
  }
  const room = Math.max(0, Math.min(maxSurge - surging, candidateNodes.length));
  decision.createOnNodes.push(...candidateNodes.slice(0, room));
  return decision;
}

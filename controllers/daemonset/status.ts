/**
 * @module controllers/daemonset/status
 * Layer: controllers (pure). What a DaemonSet's status says, from the nodes' verdicts and the pods on them —
 * upstream's updateDaemonSetStatus counting — and the grouping of pods by the node they belong to.
 */
import { byAge, isUpdated, targetNode } from './daemon-pods.js';
import type { DaemonSetObject, PodObject } from '../../server/api/kinds.js';
import { availableAt, isAvailable, isReady } from '../toolkit/pod-state.js';

/** A node with the DaemonSet's verdict on it. */
export interface NodeVerdict {
  name: string;
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

export interface StatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  numberAvailable: number;
  updatedNumberScheduled: number;
  numberUnavailable: number;
}

/** Pods by the node they run on or are pinned to, oldest first (terminal pods being deleted left out). */
export function groupByNode(pods: readonly PodObject[]): Map<string, PodObject[]> {
  const byNode = new Map<string, PodObject[]>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp && (phase === 'Succeeded' || phase === 'Failed')) continue;
    const node = targetNode(pod);
    if (!node) continue;
    const list = byNode.get(node);
    if (list) list.push(pod);
    else byNode.set(node, [pod]);
  }
  for (const list of byNode.values()) if (list.length > 1) list.sort(byAge);
  return byNode;
}

/**
 * The status counts, judged by the oldest pod on each node, and when the next ready pod becomes available
 * (Infinity when none is waiting out minReadySeconds).
 */
export function statusCounts(ds: DaemonSetObject, nodes: readonly NodeVerdict[], byNode: ReadonlyMap<string, readonly PodObject[]>, hash: string, now: number): { counts: StatusCounts; nextAvailable: number } {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  let nextAvailable = Infinity;
  const counts: StatusCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, updatedNumberScheduled: 0, numberUnavailable: 0 };
  for (const { name, shouldRun } of nodes) {
    const pods = byNode.get(name) ?? [];
    if (!shouldRun) {
      if (pods.length > 0) counts.numberMisscheduled++;
      continue;
    }
    counts.desiredNumberScheduled++;
    const first = pods[0];
    if (!first) continue;
    counts.currentNumberScheduled++;
    if (isReady(first)) {
      counts.numberReady++;
      if (isAvailable(first, minReady, now)) counts.numberAvailable++;
      else nextAvailable = Math.min(nextAvailable, availableAt(first, minReady, now));
    }
    if (isUpdated(first, hash, ds)) counts.updatedNumberScheduled++;
  }
  counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  return { counts, nextAvailable };
}

/**
 * @module test/support/availability
 * Layer: tests. Watches a DaemonSet's pods event by event (an in-process watch, so no change is missed
 * between polls) and records the most nodes that were ever without an available daemon pod at once.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../server/api/object.js';
import { InProcessClient } from '../../server/registry/in-process-client.js';
import type { Registry } from '../../server/registry/registry.js';

type PodObject = Kube<Pod>;

export interface AvailabilityTracker {
  /** the largest number of the given nodes that lacked an available (Ready, not deleting) pod at one time */
  readonly worstUnavailable: number;
  /** the largest number of pods of the DaemonSet alive at once on one node */
  readonly worstPodsPerNode: number;
  /** the largest number of pods of the DaemonSet alive at once on all the given nodes */
  readonly mostPodsAlive: number;
  stop(): void;
}

export function trackAvailability(registry: Registry, namespace: string, daemonSet: string, nodes: readonly string[]): AvailabilityTracker {
  const client = new InProcessClient(registry, 'test-watcher');
  const ref = { group: '', resource: 'pods' };
  const listed = client.list<PodObject>(ref, namespace);
  const watch = client.watch<PodObject>(ref, namespace, listed.resourceVersion);
  const state = { worstUnavailable: 0, worstPodsPerNode: 0, mostPodsAlive: 0, stopped: false };
  const tracked = new Set(nodes);
  // Per node: the DaemonSet's live pods there, and which of them are available. Kept incrementally, so
  // each event costs O(1) however many nodes there are.
  const alive = new Map<string, Set<string>>(nodes.map((n) => [n, new Set()]));
  const available = new Map<string, Set<string>>(nodes.map((n) => [n, new Set()]));
  const placed = new Map<string, string>();
  let unavailable = nodes.length;
  const forget = (name: string) => {
    const node = placed.get(name);
    if (node === undefined) return;
    placed.delete(name);
    alive.get(node)?.delete(name);
    const set = available.get(node) as Set<string>;
    if (set.delete(name) && set.size === 0) unavailable++;
  };
  const observe = (pod: PodObject, gone: boolean) => {
    const name = pod.metadata.name as string;
    forget(name);
    const node = pod.spec?.nodeName;
    const ours = pod.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.name === daemonSet) ?? false;
    if (gone || !ours || !node || !tracked.has(node) || pod.metadata.deletionTimestamp) return;
    placed.set(name, node);
    const here = alive.get(node) as Set<string>;
    here.add(name);
    state.worstPodsPerNode = Math.max(state.worstPodsPerNode, here.size);
    state.mostPodsAlive = Math.max(state.mostPodsAlive, placed.size);
    if ((pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) {
      const set = available.get(node) as Set<string>;
      set.add(name);
      if (set.size === 1) unavailable--;
    }
  };
  for (const pod of listed.items) observe(pod, false);
  state.worstUnavailable = unavailable;
  void (async () => {
    while (!state.stopped && !watch.closed) {
      for (const event of watch.next()) {
        observe(event.object, event.type === 'DELETED');
        state.worstUnavailable = Math.max(state.worstUnavailable, unavailable);
      }
      await Promise.race([watch.wait(), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  })();
  return {
    get worstUnavailable() {
      return state.worstUnavailable;
    },
    get worstPodsPerNode() {
      return state.worstPodsPerNode;
    },
    get mostPodsAlive() {
      return state.mostPodsAlive;
    },
    stop() {
      state.stopped = true;
      watch.close();
    },
  };
}

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
  stop(): void;
}

export function trackAvailability(registry: Registry, namespace: string, daemonSet: string, nodes: readonly string[]): AvailabilityTracker {
  const client = new InProcessClient(registry, 'test-watcher');
  const ref = { group: '', resource: 'pods' };
  const listed = client.list<PodObject>(ref, namespace);
  const pods = new Map(listed.items.map((p) => [p.metadata.name as string, p]));
  const watch = client.watch<PodObject>(ref, namespace, listed.resourceVersion);
  const state = { worstUnavailable: 0, worstPodsPerNode: 0, stopped: false };
  const ours = (pod: PodObject) => pod.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.name === daemonSet) ?? false;
  const measure = () => {
    let unavailable = 0;
    for (const node of nodes) {
      const here = [...pods.values()].filter((p) => ours(p) && p.spec?.nodeName === node && !p.metadata.deletionTimestamp);
      state.worstPodsPerNode = Math.max(state.worstPodsPerNode, here.length);
      if (!here.some((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))) unavailable++;
    }
    state.worstUnavailable = Math.max(state.worstUnavailable, unavailable);
  };
  measure();
  void (async () => {
    while (!state.stopped && !watch.closed) {
      for (const event of watch.next()) {
        if (event.type === 'DELETED') pods.delete(event.object.metadata.name as string);
        else pods.set(event.object.metadata.name as string, event.object);
        measure();
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
    stop() {
      state.stopped = true;
      watch.close();
    },
  };
}

/**
 * @module test/support/availability
 * Layer: tests. Watches pods event by event (an in-process watch, so no change is missed between polls):
 * for a DaemonSet, the most nodes ever without an available daemon pod at once; for a Deployment, the
 * fewest available and the most live pods it ever had.
 */
import { InProcessClient } from '../../server/registry/in-process-client.js';
import type { Registry } from '../../server/registry/registry.js';
import type { PodObject } from '../../server/api/kinds.js';


export interface AvailabilityTracker {
  /** the largest number of the given nodes that lacked an available (Ready, not deleting) pod at one time */
  readonly worstUnavailable: number;
  /** the largest number of pods of the DaemonSet alive at once on one node */
  readonly worstPodsPerNode: number;
  /** the largest number of pods of the DaemonSet alive at once on all the given nodes */
  readonly mostPodsAlive: number;
  stop(): void;
}

/** List the namespace's pods, then follow every change; `after` runs after each batch. Returns the stop function. */
function followPods(registry: Registry, namespace: string, observe: (pod: PodObject, gone: boolean) => void, after: () => void): () => void {
  const client = new InProcessClient(registry, 'test-watcher');
  const ref = { group: '', resource: 'pods' };
  const listed = client.list<PodObject>(ref, namespace);
  const watch = client.watch<PodObject>(ref, namespace, listed.resourceVersion);
  let stopped = false;
  for (const pod of listed.items) observe(pod, false);
  after();
  void (async () => {
    while (!stopped && !watch.closed) {
      for (const event of watch.next()) {
        observe(event.object, event.type === 'DELETED');
        after();
      }
      await Promise.race([watch.wait(), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  })();
  return () => {
    stopped = true;
    watch.close();
  };
}

function isReady(pod: PodObject): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function trackAvailability(registry: Registry, namespace: string, daemonSet: string, nodes: readonly string[]): AvailabilityTracker {
  const state = { worstUnavailable: 0, worstPodsPerNode: 0, mostPodsAlive: 0 };
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
    if (isReady(pod)) {
      const set = available.get(node) as Set<string>;
      set.add(name);
      if (set.size === 1) unavailable--;
    }
  };
  const stop = followPods(registry, namespace, observe, () => (state.worstUnavailable = Math.max(state.worstUnavailable, unavailable)));
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
    stop,
  };
}

export interface ReplicaTracker {
  /** the fewest pods that were Ready and not being deleted at one time (after the first one became available) */
  readonly fewestAvailable: number;
  /** the most pods alive (not being deleted, not finished) at one time */
  readonly mostAlive: number;
  /** the most pods that existed at one time, those being deleted included */
  readonly mostExisting: number;
  stop(): void;
}

/** Follow the pods carrying `label=value` in a namespace. */
export function trackReplicas(registry: Registry, namespace: string, label: string, value: string): ReplicaTracker {
  const existing = new Set<string>();
  const alive = new Set<string>();
  const ready = new Set<string>();
  const state = { fewestAvailable: Infinity, mostAlive: 0, mostExisting: 0 };
  const observe = (pod: PodObject, gone: boolean) => {
    const name = pod.metadata.name as string;
    existing.delete(name);
    alive.delete(name);
    ready.delete(name);
    if (gone || pod.metadata.labels?.[label] !== value) return;
    existing.add(name);
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') return;
    alive.add(name);
    if (isReady(pod)) ready.add(name);
  };
  const stop = followPods(registry, namespace, observe, () => {
    state.mostAlive = Math.max(state.mostAlive, alive.size);
    state.mostExisting = Math.max(state.mostExisting, existing.size);
    state.fewestAvailable = Math.min(state.fewestAvailable, ready.size);
  });
  return {
    get fewestAvailable() {
      return state.fewestAvailable;
    },
    get mostAlive() {
      return state.mostAlive;
    },
    get mostExisting() {
      return state.mostExisting;
    },
    stop,
  };
}

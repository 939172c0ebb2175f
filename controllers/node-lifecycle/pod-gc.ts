/**
 * @module controllers/node-lifecycle/pod-gc
 * Layer: controllers. Mirrors kube-controller-manager's PodGC for orphans: a pod bound to a node that does
 * not exist is, after a quarantine (40 s by default) and a live check, marked Failed with
 * DisruptionTarget=True (DeletionByPodGC, "PodGC: node no longer exists") and force-deleted.
 */
import { rfc3339At } from '../../server/api/time.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { keyOf, splitKey } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import type { NodeObject } from '../../server/api/kinds.js';
import type { PodObject } from '../../server/api/kinds.js';
import { NODES, PODS } from '../../server/api/kinds.js';



export class PodGarbageCollector extends Controller {
  private readonly nodes;
  private readonly pods;
  private readonly quarantineMs: number;
  /** when each orphan was first seen */
  private readonly orphanedAt = new Map<string, number>();

  constructor(
    private readonly context: ControllerContext,
    options: { quarantineMs?: number } = {},
  ) {
    super('pod-garbage-collector', context.options);
    this.quarantineMs = options.quarantineMs ?? 40_000;
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.pods.addIndex('node', (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
    this.nodes.addEventHandler({
      delete: (node) => {
        for (const pod of this.pods.byIndex('node', node.metadata.name as string)) this.enqueue(keyOf(pod));
      },
    });
    this.pods.addEventHandler({ add: (pod) => this.enqueue(keyOf(pod)), delete: (pod) => this.orphanedAt.delete(keyOf(pod)) });
  }

  protected async sync(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || this.nodes.get(undefined, nodeName)) {
      this.orphanedAt.delete(key);
      return;
    }
    const now = this.clock.now();
    const since = this.orphanedAt.get(key) ?? now;
    this.orphanedAt.set(key, since);
    if (now < since + this.quarantineMs) {
      this.queue.addAfter(key, since + this.quarantineMs - now);
      return;
    }
    if (this.context.client.get(NODES, undefined, nodeName)) return; // it came back
    const { namespace, name } = splitKey(key);
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: rfc3339At(now) });
    try {
      await this.context.client.updateStatus(PODS, { ...pod, status: { ...pod.status, ...(!terminal && { phase: 'Failed' }), conditions } });
      await this.context.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid as string } });
    } catch (error) {
      if (isNotFound(error)) return;
      if (isConflict(error)) return this.retrySoon(key);
      throw error;
    }
    this.orphanedAt.delete(key);
  }
}

/**
 * @module controllers/node-lifecycle/taint-eviction
 * Layer: controllers. Mirrors the taint-eviction-controller: a pod on a node with NoExecute taints it does
 * not tolerate is deleted at once; one that tolerates them all for a while (tolerationSeconds, the smallest
 * of the matching tolerations) is deleted when that time has passed, counted from when the controller saw
 * the taint. Before deleting it marks the pod DisruptionTarget=True (DeletionByTaintManager), as upstream.
 */
import { rfc3339At } from '../../server/api/time.js';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../server/api/object.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { keyOf, splitKey } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import type { NodeObject } from '../../server/api/kinds.js';
import type { PodObject } from '../../server/api/kinds.js';
import { tolerates } from '../scheduler/filters.js';
import { NODES, PODS } from '../../server/api/kinds.js';


/** When a pod must leave a node with these NoExecute taints: 0 = now, Infinity = never (ms after the taint was seen). */
export function evictionDelay(tolerations: readonly Toleration[], taints: readonly Taint[]): number {
  let delay = Infinity;
  for (const taint of taints) {
    const matching = tolerations.find((t) => tolerates(t, taint));
    if (!matching) return 0;
    if (matching.tolerationSeconds !== undefined && matching.tolerationSeconds !== null) delay = Math.min(delay, Math.max(0, matching.tolerationSeconds) * 1000);
  }
  return delay;
}


export class TaintEvictionController extends Controller {
  private readonly nodes;
  private readonly pods;
  private readonly recorder: EventRecorder;
  /** when the controller first saw each pod under NoExecute taints */
  private readonly since = new Map<string, number>();

  constructor(private readonly context: ControllerContext) {
    super('taint-eviction-controller', context.options);
    this.recorder = new EventRecorder(context.client, { component: 'taint-eviction-controller' }, { clock: this.clock });
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.pods.addIndex('node', (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
    const podsOf = (node: NodeObject) => {
      for (const pod of this.pods.byIndex('node', node.metadata.name as string)) this.enqueue(keyOf(pod));
    };
    this.nodes.addEventHandler({ add: podsOf, update: (_old, node) => podsOf(node) });
    this.pods.addEventHandler({
      add: (pod) => this.enqueue(keyOf(pod)),
      update: (old, pod) => {
        if (old.spec?.nodeName !== pod.spec?.nodeName || old.spec?.tolerations !== pod.spec?.tolerations) this.enqueue(keyOf(pod));
      },
      delete: (pod) => this.since.delete(keyOf(pod)),
    });
  }

  protected async sync(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    const node = pod?.spec?.nodeName ? this.nodes.get(undefined, pod.spec.nodeName) : undefined;
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (!pod || !node || taints.length === 0 || pod.metadata.deletionTimestamp) {
      this.since.delete(key);
      return;
    }
    const delay = evictionDelay(pod.spec?.tolerations ?? [], taints);
    if (delay === Infinity) {
      this.since.delete(key);
      return;
    }
    const now = this.clock.now();
    const seen = this.since.get(key) ?? now;
    this.since.set(key, seen);
    if (now < seen + delay) {
      this.queue.addAfter(key, seen + delay - now);
      return;
    }
    await this.evict(pod, key);
  }

  private async evict(pod: PodObject, key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    this.recorder.event(pod as KubeObject, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339At(this.clock.now()) });
    try {
      await this.context.client.updateStatus(PODS, { ...pod, status: { ...pod.status, conditions } });
      await this.context.client.delete(PODS, namespace, name, { preconditions: { uid: pod.metadata.uid as string } });
    } catch (error) {
      if (isNotFound(error)) return;
      if (isConflict(error)) return this.retrySoon(key);
      throw error;
    }
    this.since.delete(key);
  }
}

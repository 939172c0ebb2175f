/**
 * @module controllers/node-lifecycle/node-lifecycle
 * Layer: controllers. Mirrors kube-controller-manager's node lifecycle controller: a node whose kubelet has
 * neither renewed its Lease nor posted status within the grace period (40 s by default, as 1.30) has its
 * conditions set to Unknown ("Kubelet stopped posting node status."), its pods marked not ready, and the
 * unreachable taints; a NotReady node gets the not-ready taints; conditions and cordoning become NoSchedule
 * taints. A kubelet that resumes clears them. When every node is down no NoExecute taint is set (upstream's
 * full-disruption rule), so a cluster that lost all its kubelets does not evict everything.
 */
import { rfc3339At } from '../../server/api/time.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import type { Kube, KubeObject } from '../../server/api/object.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import type { ControllerContext } from '../manager.js';
import type { NodeObject } from '../../server/api/kinds.js';
import type { PodObject } from '../../server/api/kinds.js';
import { conditionTaints, reconcileTaints } from './taints.js';
import { LEASES, NODES, PODS } from '../../server/api/kinds.js';

const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface NodeLifecycleOptions {
  /** how long a kubelet may be silent before its node is Unknown (default 40 s) */
  gracePeriodMs?: number;
  /** the same for a node that never reported Ready (default 60 s) */
  startupGracePeriodMs?: number;
  /** how often nodes are checked (default 5 s) */
  monitorPeriodMs?: number;
}


export class NodeLifecycleController extends Controller {
  private readonly nodes;
  private readonly leases;
  private readonly pods;
  private readonly recorder: EventRecorder;
  private readonly graceMs: number;
  private readonly startupGraceMs: number;
  private readonly periodMs: number;

  constructor(
    private readonly context: ControllerContext,
    options: NodeLifecycleOptions = {},
  ) {
    super('node-lifecycle-controller', context.options);
    this.graceMs = options.gracePeriodMs ?? 40_000;
    this.startupGraceMs = options.startupGracePeriodMs ?? 60_000;
    this.periodMs = Math.min(options.monitorPeriodMs ?? 5000, this.graceMs);
    this.recorder = new EventRecorder(context.client, { component: 'node-controller' }, { clock: this.clock });
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.leases = context.informers.informer<Kube<Lease>>(LEASES);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.pods.addIndex('node', (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
    const touch = (node: NodeObject) => this.enqueue(node.metadata.name as string);
    this.nodes.addEventHandler({
      add: touch,
      update: (old, node) => {
        touch(node);
        // Whether any node is Ready decides NoExecute tainting everywhere.
        if (readyOf(old) !== readyOf(node)) for (const other of this.nodes.list()) touch(other);
      },
    });
  }

  /** The last sign of life from a node's kubelet (ms): lease renewal or status heartbeat. */
  private probeTime(node: NodeObject): number {
    let latest = Date.parse(node.metadata.creationTimestamp as string) || 0;
    const renew = this.leases.get('kube-node-lease', node.metadata.name as string)?.spec?.renewTime;
    if (renew) latest = Math.max(latest, Date.parse(renew));
    for (const c of node.status?.conditions ?? []) if (c.type === 'Ready' && c.lastHeartbeatTime) latest = Math.max(latest, Date.parse(c.lastHeartbeatTime));
    return latest;
  }

  protected async sync(name: string): Promise<void> {
    let node = this.nodes.get(undefined, name);
    if (!node) return;
    const now = this.clock.now();
    const hasReady = (node.status?.conditions ?? []).some((c) => c.type === 'Ready');
    const deadline = this.probeTime(node) + (hasReady ? this.graceMs : this.startupGraceMs);
    if (now > deadline) node = await this.markUnknown(node, now);
    if (!node) return;
    await this.reconcileTaints(node, now);
    this.queue.addWithin(name, now > deadline ? this.periodMs : Math.min(this.periodMs, deadline - now + 1));
  }

  private async markUnknown(node: NodeObject, now: number): Promise<NodeObject | undefined> {
    const conditions: NodeCondition[] = (node.status?.conditions ?? []).map((c) => ({ ...c }));
    let changed = false;
    for (const type of MONITORED) {
      const existing = conditions.find((c) => c.type === type);
      if (!existing) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp as string, lastTransitionTime: rfc3339At(now) });
        changed = true;
      } else if (existing.status !== 'Unknown') {
        Object.assign(existing, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339At(now) });
        changed = true;
      }
    }
    if (!changed) return node;
    const wasReady = readyOf(node) === 'True';
    let updated: NodeObject;
    try {
      updated = await this.context.client.updateStatus(NODES, { ...node, status: { ...node.status, conditions } });
    } catch (error) {
      if (isConflict(error)) this.retrySoon(node.metadata.name as string);
      if (isNotFound(error) || isConflict(error)) return undefined;
      throw error;
    }
    if (wasReady) {
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
      await this.markPodsNotReady(node.metadata.name as string);
    }
    return updated;
  }

  /** Upstream MarkPodsNotReady: each pod's Ready condition turns False (reason and message kept). */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    const now = rfc3339At(this.clock.now());
    for (const pod of this.pods.byIndex('node', nodeName)) {
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' && c.status !== 'False' ? { ...c, status: 'False', lastTransitionTime: now } : c));
      if (conditions.every((c, i) => c === pod.status?.conditions?.[i])) continue;
      try {
        await this.context.client.updateStatus(PODS, { ...pod, status: { ...pod.status, conditions } });
        this.recorder.event(pod as KubeObject, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
  }

  private async reconcileTaints(node: NodeObject, now: number): Promise<void> {
    const nodes = this.nodes.list();
    const anyReady = nodes.some((n) => readyOf(n) === 'True');
    const taints = reconcileTaints(node.spec?.taints ?? [], conditionTaints(node, anyReady), rfc3339At(now));
    if (!taints) return;
    try {
      const { taints: _old, ...spec } = node.spec ?? {};
      await this.context.client.update(NODES, { ...node, spec: taints.length > 0 ? { ...spec, taints } : spec });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
      this.retrySoon(node.metadata.name as string);
    }
  }
}

function readyOf(node: NodeObject): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/**
 * @module controllers/scheduler/scheduler
 * Layer: controllers. kube-scheduler in miniature: pods without a node (for the default scheduler, not
 * gated, not deleting) are filtered against every node (see filters.ts), scored by least-allocated
 * resources and PreferNoSchedule taints, and bound through pods/binding. A pod that fits nowhere gets
 * PodScheduled=False/Unschedulable and a FailedScheduling event worded as upstream, and is retried whenever a
 * node or a pod changes. kubemu does not preempt.
 */
import { rfc3339At } from '../../server/api/time.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Kube, KubeObject } from '../../server/api/object.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { keyOf, splitKey } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { filterNode, fits, leastAllocatedScore, preferNoScheduleCount } from './filters.js';
import type { NodeObject } from '../../server/api/kinds.js';
import { NodeInfo } from './node-info.js';
import type { PodObject } from '../../server/api/kinds.js';
import { NODES, PODS } from '../../server/api/kinds.js';

export const SCHEDULER_NAME = 'default-scheduler';
/**
 * Feasible nodes to find before scoring: upstream's minimum (minFeasibleNodesToFind). Upstream looks at more in
 * big clusters (percentageOfNodesToScore); on fake nodes the spread is as good with 100 rotating candidates,
 * and scheduling thousands of pods stays cheap.
 */
const FEASIBLE_TO_FIND = 100;

/** Reasons reported by plugins preemption cannot help (UnschedulableAndUnresolvable). */
function preemptionCannotHelp(reasons: readonly string[]): boolean {
  return !reasons.every((reason) => reason.startsWith('Insufficient ') || reason === 'Too many pods');
}

function isTerminal(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** The node names a pod's required affinity pins it to with matchFields metadata.name (upstream's PreFilter result). */
function pinnedNodes(pod: PodObject): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const union = new Set<string>();
  for (const term of terms) {
    const names = (term.matchFields ?? []).filter((f) => f.key === 'metadata.name' && f.operator === 'In');
    if (names.length === 0) return undefined; // a term without a name pin admits every node
    let within: Set<string> | undefined;
    for (const field of names) {
      const values = new Set(field.values ?? []);
      within = within ? new Set([...within].filter((n) => values.has(n))) : values;
    }
    for (const name of within ?? []) union.add(name);
  }
  return union;
}

export class Scheduler extends Controller {
  private readonly nodes;
  private readonly pods;
  private readonly infos = new Map<string, NodeInfo>();
  /** where each counted pod is, so a change can be subtracted */
  private readonly placed = new Map<string, { node: string; pod: PodObject }>();
  private readonly unschedulable = new Set<string>();
  /** pods assumed on a node whose binding is being written */
  private readonly binding = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recorder: EventRecorder;
  private nextStart = 0;
  /** the nodes, as one array kept between changes (listing thousands of nodes per pod adds up) */
  private nodeList: NodeObject[] | undefined;

  constructor(private readonly context: ControllerContext) {
    // Choosing a node and assuming the pod there happen in one synchronous step, so several workers never
    // decide on stale counts; they only overlap their bindings' writes.
    super('scheduler', { ...context.options, workers: 8 });
    this.recorder = new EventRecorder(context.client, { component: SCHEDULER_NAME }, { clock: this.clock });
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.nodes.addEventHandler({
      add: () => {
        this.nodeList = undefined;
        this.retryUnschedulable();
      },
      update: () => {
        this.nodeList = undefined;
        this.retryUnschedulable();
      },
      delete: (node) => {
        this.nodeList = undefined;
        this.infos.delete(node.metadata.name as string);
      },
    });
    this.pods.addEventHandler({
      add: (pod) => this.observe(pod),
      update: (_old, pod) => this.observe(pod),
      delete: (pod) => {
        this.unplace(keyOf(pod));
        this.unschedulable.delete(keyOf(pod));
        this.retryUnschedulable();
      },
    });
  }

  private wantsScheduling(pod: PodObject): boolean {
    return (
      !pod.spec?.nodeName &&
      (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME &&
      (pod.spec?.schedulingGates ?? []).length === 0 &&
      !pod.metadata.deletionTimestamp &&
      !isTerminal(pod)
    );
  }

  private observe(pod: PodObject): void {
    const key = keyOf(pod);
    if (pod.spec?.nodeName && !isTerminal(pod)) this.place(key, pod.spec.nodeName, pod);
    else if (!this.binding.has(key)) this.unplace(key);
    if (this.wantsScheduling(pod) && !this.unschedulable.has(key)) this.enqueue(key);
  }

  private place(key: string, node: string, pod: PodObject): void {
    const current = this.placed.get(key);
    if (current?.node === node) return;
    if (current) this.unplace(key);
    let info = this.infos.get(node);
    if (!info) {
      info = new NodeInfo();
      this.infos.set(node, info);
    }
    info.add(key, pod);
    this.placed.set(key, { node, pod });
  }

  private unplace(key: string): void {
    const current = this.placed.get(key);
    if (!current) return;
    this.infos.get(current.node)?.remove(key, current.pod);
    this.placed.delete(key);
    this.retryUnschedulable();
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.enqueue(key);
    this.unschedulable.clear();
  }

  protected async sync(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || !this.wantsScheduling(pod) || this.binding.has(key)) return;
    this.nodeList ??= this.nodes.list();
    const nodes = this.nodeList;
    const { chosen, reasons } = this.schedule(pod, nodes);
    if (!chosen) return this.reportUnschedulable(pod, nodes.length, reasons);
    // Assume the pod is there at once, and bind in the background (upstream's binding cycle), so scheduling
    // the next pod does not wait for this write.
    this.place(key, chosen, pod);
    this.binding.add(key);
    const bound = this.bind(key, pod, chosen).finally(() => {
      this.binding.delete(key);
      this.inFlight.delete(bound);
    });
    this.inFlight.add(bound);
  }

  private async bind(key: string, pod: PodObject, node: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    try {
      await this.context.client.bindPod(namespace as string, name, node);
      this.recorder.event(pod as KubeObject, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    } catch (error) {
      this.unplace(key);
      if (!isNotFound(error) && !isConflict(error)) {
        this.queue.addRateLimited(key);
        process.stderr.write(`kubemu: scheduler: binding ${key} to ${node} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }

  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all(this.inFlight);
  }

  /** Filter (from a rotating start, stopping once enough nodes fit) and score; reasons per node when none fits. */
  private schedule(pod: PodObject, nodes: readonly NodeObject[]): { chosen: string | undefined; reasons: Map<string, string[]> } {
    const pinned = pinnedNodes(pod);
    const wanted = Math.min(nodes.length, FEASIBLE_TO_FIND);
    const feasible: NodeObject[] = [];
    if (pinned) {
      // Pinned pods (DaemonSet pods) only ever look at their own nodes.
      for (const name of pinned) {
        const node = this.nodes.get(undefined, name);
        if (node && fits(pod, node, this.infos.get(name))) feasible.push(node);
      }
      if (feasible.length === 0) return { chosen: undefined, reasons: this.explain(pod, nodes, pinned) };
      return { chosen: this.best(pod, feasible), reasons: new Map() };
    }
    const start = nodes.length === 0 ? 0 : this.nextStart % nodes.length;
    let checked = 0;
    for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
      const node = nodes[(start + i) % nodes.length] as NodeObject;
      checked++;
      const name = node.metadata.name as string;
      if (fits(pod, node, this.infos.get(name))) feasible.push(node);
    }
    this.nextStart = start + checked;
    if (feasible.length === 0) return { chosen: undefined, reasons: this.explain(pod, nodes, undefined) };
    return { chosen: this.best(pod, feasible), reasons: new Map() };
  }

  /** The highest-scoring of the feasible nodes. */
  private best(pod: PodObject, feasible: readonly NodeObject[]): string | undefined {
    let best: NodeObject | undefined;
    let bestScore = -Infinity;
    for (const node of feasible) {
      const info = this.infos.get(node.metadata.name as string);
      const score = leastAllocatedScore(pod, node, info) - 3 * preferNoScheduleCount(pod, node);
      if (score > bestScore) {
        best = node;
        bestScore = score;
      }
    }
    return best?.metadata.name;
  }

  /** Why each node turned the pod down, as the filter plugins word it. */
  private explain(pod: PodObject, nodes: readonly NodeObject[], pinned: Set<string> | undefined): Map<string, string[]> {
    const reasons = new Map<string, string[]>();
    for (const node of nodes) {
      const name = node.metadata.name as string;
      reasons.set(name, pinned && !pinned.has(name) ? ['node is filtered out by the prefilter result'] : filterNode(pod, node, this.infos.get(name)));
    }
    return reasons;
  }

  private async reportUnschedulable(pod: PodObject, nodeCount: number, reasons: Map<string, string[]>): Promise<void> {
    const message = fitErrorMessage(pod, nodeCount, reasons);
    this.unschedulable.add(keyOf(pod));
    this.recorder.event(pod as KubeObject, 'Warning', 'FailedScheduling', message.length > 1024 ? `${message.slice(0, 1020)} ...` : message);
    const current = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    const transitioned = current?.status !== 'False';
    conditions.push({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null as unknown as string,
      lastTransitionTime: transitioned ? rfc3339At(this.clock.now()) : (current?.lastTransitionTime as string),
    });
    try {
      await this.context.client.updateStatus<Kube<Pod>>(PODS, { ...pod, status: { ...pod.status, conditions } });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}

/** Upstream FitError.Error() with the DefaultPreemption post-filter message (kubemu finds no victims). */
export function fitErrorMessage(pod: PodObject, nodeCount: number, reasons: Map<string, string[]>): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const histogram = (entries: Iterable<string>) => {
    const counts = new Map<string, number>();
    for (const reason of entries) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    return [...counts].map(([reason, count]) => `${count} ${reason}`).sort();
  };
  let message = `0/${nodeCount} nodes are available: ${histogram([...reasons.values()].flat()).join(', ')}.`;
  if (pod.spec?.preemptionPolicy === 'Never') return `${message} preemption: not eligible due to preemptionPolicy=Never.`;
  const verdicts = [...reasons.values()].map((r) => (preemptionCannotHelp(r) ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod'));
  message += ` preemption: 0/${nodeCount} nodes are available: ${histogram(verdicts).join(', ')}.`;
  return message;
}

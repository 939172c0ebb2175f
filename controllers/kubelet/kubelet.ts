/**
 * @module controllers/kubelet/kubelet
 * Layer: controllers. The fake kubelets: one controller serving every simulated node (kubemu runs thousands
 * in one process). Per node it registers the Node (or adopts it after a restart), renews its Lease every
 * 10 s, and re-posts status when it changes or every 5 minutes. Per pod bound to one of its nodes it reports
 * the status the pod's timeline gives (see pod-timeline.ts), records the kubelet's events, and finishes
 * graceful deletions: containers stop, then the pod is deleted with grace 0 and a uid precondition.
 * Everything is level-triggered: a sync recomputes from the objects, so overwritten status is re-asserted.
 */
import { BEHAVIOR_ANNOTATION, KUBELET_ANNOTATION } from '../../server/api/annotations.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../server/api/equality.js';
import type { Kube, KubeObject } from '../../server/api/object.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../server/api/status.js';
import { rfc3339Micro } from '../../server/api/time.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { splitKey } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { podCidr, PodIpPool, SlotAllocator, slotOfCidr } from './addresses.js';
import { imageMatches, type Behavior, type KubeletConfig, type NodePool } from './config.js';
import { nodeStatus, registeredNode, standardLabels, statusChanged } from './node-status.js';
import type { NodeObject } from '../../server/api/kinds.js';
import { containerEvents } from './pod-events.js';
import { podTimeline } from './pod-timeline.js';
import type { PodObject } from '../../server/api/kinds.js';
import { LEASES, NODES, PODS } from '../../server/api/kinds.js';

const LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;
const STATUS_REPORT_MS = 5 * 60_000;

interface NodeState {
  slot: number;
  ips: PodIpPool;
  recorder: EventRecorder;
  lastReport: number;
  lastRenew: number;
  /** the node version this kubelet last wrote or checked: unchanged since, its status needs no second look */
  checkedVersion: string | undefined;
}

function stripNulls(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, item: unknown) => (item === null ? undefined : item)));
}

export class Kubelets extends Controller {
  private readonly nodes;
  private readonly pods;
  private readonly leases;
  private readonly slots = new SlotAllocator();
  private readonly states = new Map<string, NodeState>();
  private readonly pools = new Map<string, NodePool>();
  /** pool nodes registered in this run: deleting one later does not bring it back */
  private readonly registered = new Set<string>();
  private readonly admitted = new Map<string, number>();
  /** pods whose containers were told to stop (their Killing events are recorded once) */
  private readonly stopping = new Set<string>();
  private readonly podIps = new Map<string, { node: string; ip: string }>();

  constructor(
    private readonly context: ControllerContext,
    private readonly config: KubeletConfig,
  ) {
    // Many workers: each pod sync mostly waits on its status write, and more writes in flight share each group commit.
    super('kubelet', { ...context.options, workers: 64 });
    for (const pool of config.pools) for (let i = 1; i <= pool.count; i++) this.pools.set(`${pool.namePrefix}${i}`, pool);
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.leases = context.informers.informer<Kube<Lease>>(LEASES);
    this.pods.addIndex('node', (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
    this.nodes.addEventHandler({
      add: (node) => this.enqueue(`node/${node.metadata.name}`),
      update: (old, node) => {
        this.enqueue(`node/${node.metadata.name}`);
        // A kubelet that comes back (or is enabled) looks at all its pods again.
        if (old.metadata.annotations?.[KUBELET_ANNOTATION] !== node.metadata.annotations?.[KUBELET_ANNOTATION]) this.enqueuePodsOf(node.metadata.name as string);
      },
      delete: (node) => this.forgetNode(node),
    });
    const podChanged = (pod: PodObject) => {
      if (pod.spec?.nodeName) this.enqueue(`pod/${pod.metadata.namespace}/${pod.metadata.name}`);
    };
    this.pods.addEventHandler({ add: podChanged, update: (_old, pod) => podChanged(pod), delete: (pod) => this.forgetPod(pod) });
  }

  override start(): void {
    for (const node of this.nodes.list()) {
      const slot = slotOfCidr(node.spec?.podCIDR);
      if (slot !== undefined) this.slots.claim(slot);
    }
    for (const name of this.pools.keys()) this.enqueue(`node/${name}`);
    super.start();
  }

  private enqueuePodsOf(node: string): void {
    for (const pod of this.pods.byIndex('node', node)) this.enqueue(`pod/${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  protected async sync(key: string): Promise<void> {
    if (key.startsWith('node/')) return this.syncNode(key.slice('node/'.length));
    const { namespace, name } = splitKey(key.slice('pod/'.length));
    return this.syncPod(namespace as string, name);
  }

  // ------------------------------------------------------------ nodes

  /** Whether a kubelet runs for this node: not opted out, not stopped. */
  private serves(node: NodeObject | undefined): node is NodeObject {
    const mode = node?.metadata.annotations?.[KUBELET_ANNOTATION];
    return node !== undefined && mode !== 'disabled' && mode !== 'stopped';
  }

  private async syncNode(name: string): Promise<void> {
    let node = this.nodes.get(undefined, name);
    const now = this.clock.now();
    if (!node) {
      const pool = this.pools.get(name);
      if (!pool || this.registered.has(name)) return;
      this.registered.add(name);
      const slot = this.slots.allocate();
      try {
        node = await this.context.client.create(NODES, registeredNode(name, slot, pool, now));
      } catch (error) {
        this.slots.release(slot);
        if (!isAlreadyExists(error)) throw error;
        return; // its informer event brings us back
      }
      const state = this.stateOf(node);
      state.lastReport = now;
      state.recorder.event(node, 'Normal', 'Starting', 'Starting kubelet.');
      state.recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
    }
    if (!this.serves(node)) return;
    this.registered.add(name);
    node = await this.ensureSpec(node);
    const state = this.stateOf(node);
    if (node.metadata.resourceVersion !== state.checkedVersion || now - state.lastReport >= STATUS_REPORT_MS) {
      state.checkedVersion = await this.reportStatus(node, state, now);
    }
    if (now - state.lastRenew >= this.config.leaseRenewMs - 50) {
      await this.renewLease(node, now);
      state.lastRenew = now;
    }
    const nextReport = state.lastReport + STATUS_REPORT_MS;
    const nextRenew = state.lastRenew + this.config.leaseRenewMs;
    this.queue.addAfter(`node/${name}`, Math.min(nextReport, nextRenew) - now);
  }

  /** Post the node's status when it differs from what a healthy kubelet reports, or the report period passed. */
  private async reportStatus(node: NodeObject, state: NodeState, now: number): Promise<string | undefined> {
    const name = node.metadata.name as string;
    const pool = this.pools.get(name);
    const labels = node.metadata.labels ?? {};
    const shape = {
      capacity: pool?.capacity ?? node.status?.capacity ?? {},
      os: labels['kubernetes.io/os'] ?? pool?.os ?? 'linux',
      arch: labels['kubernetes.io/arch'] ?? pool?.arch ?? 'amd64',
    };
    const desired = nodeStatus(name, state.slot, shape, node.status, now);
    const wasReady = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!statusChanged(node.status, desired) && now - state.lastReport < STATUS_REPORT_MS && state.lastReport !== 0) return node.metadata.resourceVersion;
    let written: NodeObject;
    try {
      written = await this.context.client.updateStatus(NODES, { ...node, status: desired });
    } catch (error) {
      if (!isConflict(error)) throw error;
      this.retrySoon(`node/${name}`);
      return undefined;
    }
    state.lastReport = now;
    if (!wasReady) state.recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
    return written.metadata.resourceVersion;
  }

  /** A node made through the API gets what a kubelet and node IPAM would give it: labels, pod CIDR, provider ID. */
  private async ensureSpec(node: NodeObject): Promise<NodeObject> {
    const name = node.metadata.name as string;
    const labels = node.metadata.labels ?? {};
    const missingLabels = Object.entries(standardLabels(name, labels['kubernetes.io/os'] ?? 'linux', labels['kubernetes.io/arch'] ?? 'amd64')).filter(([k]) => !(k in labels));
    if (node.spec?.podCIDR && node.spec.providerID && missingLabels.length === 0) return node;
    let slot = slotOfCidr(node.spec?.podCIDR);
    if (slot === undefined) slot = this.slots.allocate();
    return this.context.client.update(NODES, {
      ...node,
      metadata: { ...node.metadata, labels: { ...labels, ...Object.fromEntries(missingLabels) } },
      spec: { ...node.spec, podCIDR: node.spec?.podCIDR ?? podCidr(slot), podCIDRs: node.spec?.podCIDRs ?? [node.spec?.podCIDR ?? podCidr(slot)], providerID: node.spec?.providerID ?? `kubemu://${name}` },
    });
  }

  private stateOf(node: NodeObject): NodeState {
    const name = node.metadata.name as string;
    let state = this.states.get(name);
    if (!state) {
      const slot = slotOfCidr(node.spec?.podCIDR) ?? this.slots.allocate();
      this.slots.claim(slot);
      const ips = new PodIpPool(node.spec?.podCIDR ?? podCidr(slot));
      for (const pod of this.pods.byIndex('node', name)) if (pod.status?.podIP) ips.claim(pod.status.podIP);
      state = {
        slot,
        ips,
        recorder: new EventRecorder(this.context.client, { component: 'kubelet', host: name }, { clock: this.clock }),
        lastReport: 0,
        lastRenew: 0,
        checkedVersion: undefined,
      };
      this.states.set(name, state);
    }
    return state;
  }

  private async renewLease(node: NodeObject, now: number): Promise<void> {
    const name = node.metadata.name as string;
    const lease = this.leases.get(LEASE_NAMESPACE, name);
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: rfc3339Micro(new Date(now)) };
    try {
      if (lease) {
        await this.context.client.update(LEASES, { ...lease, spec: { ...lease.spec, ...spec } });
      } else {
        await this.context.client.create(LEASES, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid as string }] },
          spec,
        });
      }
    } catch (error) {
      // Someone else wrote it meanwhile: the next renewal takes the fresh copy.
      if (!isConflict(error) && !isAlreadyExists(error)) throw error;
    }
  }

  private forgetNode(node: NodeObject): void {
    const name = node.metadata.name as string;
    const state = this.states.get(name);
    if (state) this.slots.release(state.slot);
    this.states.delete(name);
  }

  // ------------------------------------------------------------ pods

  private behaviors(pod: PodObject): Map<string, Behavior> {
    const forced = pod.metadata.annotations?.[BEHAVIOR_ANNOTATION] as Behavior | undefined;
    const result = new Map<string, Behavior>();
    for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const rule = this.config.rules.find((r) => imageMatches(r.image, container.image ?? ''));
      const behavior = forced ?? rule?.behavior;
      if (behavior) result.set(container.name, behavior);
    }
    return result;
  }

  private async syncPod(namespace: string, name: string): Promise<void> {
    const pod = this.pods.get(namespace, name);
    if (!pod?.spec?.nodeName) return;
    const node = this.nodes.get(undefined, pod.spec.nodeName);
    if (!this.serves(node)) return;
    const state = this.stateOf(node);
    const uid = pod.metadata.uid as string;
    const now = this.clock.now();
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, state, now);
    if (phase === 'Succeeded' || phase === 'Failed') return;
    let admittedAt = this.admitted.get(uid);
    if (admittedAt === undefined) {
      admittedAt = pod.status?.startTime ? Date.parse(pod.status.startTime) : now;
      this.admitted.set(uid, admittedAt);
    }
    const hostIp = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    const podIp = this.podIpFor(pod, state);
    const timeline = podTimeline({ pod, behaviors: this.behaviors(pod), timings: this.config.timings, admittedAt, now, hostIp, podIp });
    if (!deepEqual(stripNulls(timeline.status), stripNulls(pod.status ?? {}))) {
      try {
        await this.context.client.updateStatus(PODS, { ...pod, status: timeline.status });
      } catch (error) {
        if (isNotFound(error)) return;
        if (isConflict(error)) return this.retrySoon(`pod/${namespace}/${name}`);
        throw error;
      }
      this.recordContainerEvents(pod, pod.status, timeline.status, state);
    }
    if (timeline.nextChangeAt !== undefined) this.queue.addAfter(`pod/${namespace}/${name}`, timeline.nextChangeAt - now);
  }

  private podIpFor(pod: PodObject, state: NodeState): string {
    const uid = pod.metadata.uid as string;
    const held = this.podIps.get(uid);
    if (held) return held.ip;
    let ip = pod.status?.podIP && !pod.spec?.hostNetwork ? pod.status.podIP : undefined;
    if (ip) state.ips.claim(ip);
    else ip = pod.spec?.hostNetwork ? '' : (state.ips.allocate() ?? '');
    this.podIps.set(uid, { node: pod.spec?.nodeName as string, ip });
    return ip;
  }

  private recordContainerEvents(pod: PodObject, before: PodStatus | undefined, after: PodStatus, state: NodeState): void {
    const specs = new Map<string, { image: string; init: boolean }>();
    for (const c of pod.spec?.initContainers ?? []) specs.set(c.name, { image: c.image ?? '', init: true });
    for (const c of pod.spec?.containers ?? []) specs.set(c.name, { image: c.image ?? '', init: false });
    const ref = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    for (const event of containerEvents(before, after, specs, ref)) state.recorder.event(pod as KubeObject, event.type, event.reason, event.message, event.fieldPath);
  }

  /** Graceful termination: containers stop (within the grace period), then the pod is removed for good. */
  private async terminate(pod: PodObject, state: NodeState, now: number): Promise<void> {
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    const requestedAt = Date.parse(pod.metadata.deletionTimestamp as string) - grace;
    const stopAt = requestedAt + Math.min(grace, this.config.timings.terminate);
    const uid = pod.metadata.uid as string;
    if (!this.stopping.has(uid)) {
      this.stopping.add(uid);
      for (const status of pod.status?.containerStatuses ?? []) {
        if (status.state?.running) state.recorder.event(pod as KubeObject, 'Normal', 'Killing', `Stopping container ${status.name}`, `spec.containers{${status.name}}`);
      }
    }
    if (now < stopAt) {
      this.queue.addAfter(`pod/${pod.metadata.namespace}/${pod.metadata.name}`, stopAt - now);
      return;
    }
    try {
      await this.context.client.delete(PODS, pod.metadata.namespace, pod.metadata.name as string, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  private forgetPod(pod: PodObject): void {
    const uid = pod.metadata.uid as string;
    this.admitted.delete(uid);
    this.stopping.delete(uid);
    const held = this.podIps.get(uid);
    if (held) {
      this.states.get(held.node)?.ips.release(held.ip);
      this.podIps.delete(uid);
    }
  }

  /** Let tests and the fixture API wait for events written so far. */
  async flushEvents(): Promise<void> {
    await Promise.all([...this.states.values()].map((state) => state.recorder.flush()));
  }
}

/**
 * @module controllers/replicaset/replicaset-controller
 * Layer: controllers. The ReplicaSet controller as kube-controller-manager runs it (replica_set.go), for
 * ReplicaSets and ReplicationControllers alike: keep `spec.replicas` active pods matching the selector —
 * create from the template in slow-start batches, delete the surplus in upstream's order, adopt and release
 * by selector, replace finished pods — and publish the status. Expectations keep a sync from acting again
 * before the watch has shown the effects of the last one.
 */
import { deepEqual } from '../../server/api/equality.js';
import type { Selector } from '../../server/api/labels.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { keyOf, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { claim, claimCandidates, controllerOf, controllerReference, indexByController, refersTo } from '../toolkit/controller-ref.js';
import { Expectations } from '../toolkit/expectations.js';
import { BURST_REPLICAS, PodControl, slowStartBatch } from '../toolkit/pod-control.js';
import { isActive, isReady } from '../toolkit/pod-state.js';
import { PODS, type PodObject } from '../../server/api/kinds.js';
import { podsToDelete } from './pod-ranking.js';
import { replicasOf, statusOf, templateOf, type ReplicaKind, type ReplicaOwner } from './replica-kinds.js';
import { replicaStatus } from './replica-status.js';

/**
 * Pod events wake the owner after this short pause, so that a burst of them (hundreds of pods starting at
 * once) costs one sync; bigger owners wait a little longer, as each sync looks at all their pods.
 */
const POD_EVENT_COALESCE_MS = 10;

export class ReplicaSetController extends Controller {
  private readonly owners: Informer<ReplicaOwner>;
  private readonly pods: Informer<PodObject>;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly expectations: Expectations;

  constructor(
    private readonly context: ControllerContext,
    private readonly kind: ReplicaKind,
  ) {
    super(kind.controller, context.options);
    this.recorder = new EventRecorder(context.client, { component: kind.component }, { clock: this.clock });
    this.podControl = new PodControl(context.client, this.recorder);
    this.expectations = new Expectations(this.clock);
    this.owners = context.informers.informer<ReplicaOwner>(kind.resource);
    this.pods = context.informers.informer<PodObject>(PODS);
    indexByController(this.pods);
    // Ranking pods for deletion counts the pods of every ReplicaSet with the same owner (a Deployment's).
    indexByController(this.owners);
    this.owners.addEventHandler({
      add: (owner) => this.enqueue(keyOf(owner)),
      update: (_old, owner) => this.enqueue(keyOf(owner)),
      delete: (owner) => {
        this.expectations.delete(keyOf(owner));
        this.enqueue(keyOf(owner));
      },
    });
    this.pods.addEventHandler({
      add: (pod) => this.podAdded(pod),
      update: (old, pod) => this.podUpdated(old, pod),
      delete: (pod) => this.podDeleted(pod),
    });
  }

  // ------------------------------------------------------------ events → keys

  private ownerOf(pod: PodObject): ReplicaOwner | undefined {
    const ref = controllerOf(pod);
    if (!refersTo(ref, this.kind.group, this.kind.kind)) return undefined;
    const owner = this.owners.get(pod.metadata.namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  }

  private matching(pod: PodObject): ReplicaOwner[] {
    const out: ReplicaOwner[] = [];
    for (const owner of this.owners.list()) {
      if (owner.metadata.namespace !== pod.metadata.namespace) continue;
      const selector = this.selectorOf(owner);
      if (selector && !selector.empty && selector.matches(pod.metadata.labels ?? {})) out.push(owner);
    }
    return out;
  }

  private selectorOf(owner: ReplicaOwner): Selector | undefined {
    try {
      return this.kind.selector(owner);
    } catch {
      return undefined;
    }
  }

  private soon(owner: ReplicaOwner): void {
    const size = this.pods.countByIndex('controller', owner.metadata.uid as string);
    this.queue.addWithin(keyOf(owner), Math.min(500, Math.max(POD_EVENT_COALESCE_MS, size / 25)));
  }

  private podAdded(pod: PodObject): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const owner = this.ownerOf(pod);
    if (owner) {
      this.expectations.creationObserved(keyOf(owner));
      this.soon(owner);
    } else if (!controllerOf(pod)) {
      for (const candidate of this.matching(pod)) this.enqueue(keyOf(candidate));
    }
  }

  private podUpdated(old: PodObject, pod: PodObject): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      // Being deleted: as good as gone for the count, and the owner replaces it now.
      const owner = this.ownerOf(pod);
      if (owner) {
        this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid as string);
        this.enqueue(keyOf(owner));
      }
      if (labelsChanged) {
        const previous = this.ownerOf(old);
        if (previous) this.enqueue(keyOf(previous));
      }
      return;
    }
    const refChanged = controllerOf(old)?.uid !== controllerOf(pod)?.uid;
    if (refChanged) {
      const previous = this.ownerOf(old);
      if (previous) this.enqueue(keyOf(previous));
    }
    const owner = this.ownerOf(pod);
    if (owner) {
      this.soon(owner);
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isReady(old) && isReady(pod)) this.queue.addAfter(keyOf(owner), (minReady + 1) * 1000);
      return;
    }
    if (!controllerOf(pod) && (labelsChanged || refChanged)) for (const candidate of this.matching(pod)) this.enqueue(keyOf(candidate));
  }

  private podDeleted(pod: PodObject): void {
    const owner = this.ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid as string);
    this.enqueue(keyOf(owner));
  }

  // ------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const owner = this.owners.getByKey(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const selector = this.selectorOf(owner);
    if (!selector) return;
    const needsSync = this.expectations.satisfied(key);
    const candidates = claimCandidates(this.pods, owner).filter(isActive);
    const pods = await claim({ client: this.context.client, ownerResource: this.kind.resource, owner, reference: this.reference(owner), selector }, candidates, PODS);
    let manageError: unknown;
    if (needsSync && !owner.metadata.deletionTimestamp) manageError = await this.manage(owner, pods);
    await this.updateStatus(owner, pods, manageError);
    if (manageError !== undefined) throw manageError;
  }

  private reference(owner: ReplicaOwner) {
    return controllerReference(owner, this.kind.apiVersion, this.kind.kind);
  }

  /** Create or delete pods towards spec.replicas (upstream manageReplicas); the first error met. */
  private async manage(owner: ReplicaOwner, pods: readonly PodObject[]): Promise<unknown> {
    const key = keyOf(owner);
    const diff = pods.length - replicasOf(owner);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      const expected = this.expectations.expect(key, count);
      const batch = await slowStartBatch(count, () => this.podControl.create(owner, this.newPod(owner)));
      // Creates that failed or were skipped will never show; the next sync retries them.
      this.expectations.lower(key, expected, count - batch.successes);
      return batch.error;
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.relatedPods(owner), count, this.clock.now());
      const expected = this.expectations.expect(key, 0, victims.map((pod) => pod.metadata.uid as string));
      const errors = await Promise.all(
        victims.map(async (pod) => {
          const error = await this.podControl.delete(owner, pod);
          if (error !== undefined) this.expectations.lower(key, expected, 0, [pod.metadata.uid as string]);
          return error;
        }),
      );
      return errors.find((error) => error !== undefined);
    }
    return undefined;
  }

  /** The pods of every owner with the same controller as this one (a Deployment's ReplicaSets), or its own. */
  private relatedPods(owner: ReplicaOwner): PodObject[] {
    const parent = controllerOf(owner);
    const siblings = parent ? this.owners.byIndex('controller', parent.uid) : [owner];
    return siblings.flatMap((sibling) => this.pods.byIndex('controller', sibling.metadata.uid as string));
  }

  /** The pod the owner creates (upstream GetPodFromTemplate). */
  private newPod(owner: ReplicaOwner): PodObject {
    const template = templateOf(owner) ?? {};
    const name = owner.metadata.name as string;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${name}-`,
        namespace: owner.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        ...(template.metadata?.annotations && { annotations: { ...template.metadata.annotations } }),
        ...(template.metadata?.finalizers && { finalizers: [...template.metadata.finalizers] }),
        ownerReferences: [this.reference(owner)],
      },
      spec: structuredClone(template.spec ?? { containers: [] }),
    };
  }

  private async updateStatus(owner: ReplicaOwner, pods: readonly PodObject[], manageError: unknown): Promise<void> {
    const now = this.clock.now();
    const current = statusOf(owner);
    const { status, nextAvailable } = replicaStatus(
      { replicas: replicasOf(owner), minReadySeconds: owner.spec?.minReadySeconds ?? 0, templateLabels: templateOf(owner)?.metadata?.labels, conditions: current.conditions },
      pods,
      manageError,
      now,
    );
    // Look again when the next ready pod becomes available.
    if (nextAvailable !== Infinity) this.queue.addAfter(keyOf(owner), nextAvailable - now + 1);
    const generation = owner.metadata.generation ?? 0;
    const unchanged =
      (current.replicas ?? 0) === status.replicas &&
      (current.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
      (current.readyReplicas ?? 0) === status.readyReplicas &&
      (current.availableReplicas ?? 0) === status.availableReplicas &&
      deepEqual(current.conditions ?? [], status.conditions ?? []) &&
      current.observedGeneration === generation;
    if (unchanged) return;
    const next = { ...status, observedGeneration: generation };
    try {
      await this.context.client.updateStatus(this.kind.resource, { ...owner, status: next });
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isConflict(error)) throw error;
      // One more try on the live object, as upstream's updateReplicaSetStatus does.
      const live = this.context.client.get<ReplicaOwner>(this.kind.resource, owner.metadata.namespace, owner.metadata.name as string);
      if (!live) return;
      await this.context.client.updateStatus(this.kind.resource, { ...live, status: next });
    }
  }

  /** For tests: wait for the controller's events to be written. */
  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }
}

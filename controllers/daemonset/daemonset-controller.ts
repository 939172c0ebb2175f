/**
 * @module controllers/daemonset/daemonset-controller
 * Layer: controllers. The DaemonSet controller, as kube-controller-manager runs it (daemon_controller.go): one
 * pod per eligible node, pinned with matchFields and bound by the scheduler; ControllerRevisions for every
 * template; adoption and release by selector; failed pods replaced with back-off; RollingUpdate
 * (maxUnavailable / maxSurge) and OnDelete; status computed over all nodes. Expectations keep a sync from
 * acting again before the watch has shown the effects of the last one.
 */
import { fromLabelSelector } from '../../server/api/labels.js';
import { deepEqual } from '../../server/api/equality.js';
import type { KubeObject } from '../../server/api/object.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { keyOf } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { FailureBackoff } from '../toolkit/backoff.js';
import { claim, claimCandidates, controllerOf, indexByController, refersTo } from '../toolkit/controller-ref.js';
import { Expectations } from '../toolkit/expectations.js';
import { PodControl, slowStartBatch } from '../toolkit/pod-control.js';
import { isAvailable, isReady } from '../toolkit/pod-state.js';
import { CONTROLLER_REVISIONS as REVISIONS, DAEMONSETS, NODES, PODS, type DaemonSetObject, type NodeObject, type PodObject, type RevisionObject } from '../../server/api/kinds.js';
import { isUpdated, newDaemonPod, nodeShouldRunDaemonPod } from './daemon-pods.js';
import { controllerRef, HASH_LABEL, matches, newRevision, templateHash } from './history.js';
import { rollingUpdate, type NodePods } from './rolling-update.js';
import { groupByNode, statusCounts, type NodeVerdict, type StatusCounts } from './status.js';

/** Most pods one sync creates or deletes (upstream's BurstReplicas for DaemonSets). */
const BURST = 250;
/**
 * Pod events wake the DaemonSet after this short pause, so a burst of them (hundreds of pods starting at once)
 * costs one sync — each sync looks at every node and pod of the DaemonSet.
 */
const POD_EVENT_COALESCE_MS = 20;
export class DaemonSetController extends Controller {
  private readonly daemonSets;
  private readonly pods;
  private readonly nodes;
  private readonly revisions;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly expectations: Expectations;
  private readonly backoff = new FailureBackoff();

  constructor(private readonly context: ControllerContext) {
    super('daemonset-controller', context.options);
    this.recorder = new EventRecorder(context.client, { component: 'daemonset-controller' }, { clock: this.clock });
    this.podControl = new PodControl(context.client, this.recorder);
    this.expectations = new Expectations(this.clock);
    this.daemonSets = context.informers.informer<DaemonSetObject>(DAEMONSETS);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.revisions = context.informers.informer<RevisionObject>(REVISIONS);
    // What a DaemonSet looks at on every sync: what it controls, and the orphans it might adopt.
    indexByController(this.pods);
    indexByController(this.revisions);
    this.daemonSets.addEventHandler({
      add: (ds) => this.enqueue(keyOf(ds)),
      // A change to the status alone (most often the controller's own write) only needs a look soon, with
      // the pod events; anything else is looked at now.
      update: (old, ds) => (statusOnlyChange(old, ds) ? this.soon(keyOf(ds)) : this.enqueue(keyOf(ds))),
      delete: (ds) => {
        this.expectations.delete(keyOf(ds));
        this.enqueue(keyOf(ds));
      },
    });
    this.pods.addEventHandler({
      add: (pod) => this.podChanged(undefined, pod),
      update: (old, pod) => this.podChanged(old, pod),
      delete: (pod) => {
        this.observeDeletion(pod);
        this.enqueueOwner(pod);
      },
    });
    this.nodes.addEventHandler({
      add: (node) => this.nodeChanged(undefined, node),
      update: (old, node) => this.nodeChanged(old, node),
      // Upstream has no handler here; looking again at once keeps status and stray pods prompt.
      delete: () => this.enqueueAll(),
    });
    this.revisions.addEventHandler({
      add: (revision) => this.enqueueOwnerOrMatching(revision),
      update: (_old, revision) => this.enqueueOwnerOrMatching(revision),
      delete: (revision) => this.enqueueOwnerOrMatching(revision),
    });
  }

  // ------------------------------------------------------------ events → keys

  private ownerOf(object: KubeObject): DaemonSetObject | undefined {
    const ref = controllerOf(object);
    if (!refersTo(ref, 'apps', 'DaemonSet')) return undefined;
    const ds = this.daemonSets.get(object.metadata.namespace, ref.name);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  private matching(object: KubeObject): DaemonSetObject[] {
    return this.daemonSets.list().filter((ds) => ds.metadata.namespace === object.metadata.namespace && fromLabelSelector(ds.spec?.selector).matches(object.metadata.labels ?? {}));
  }

  private enqueueOwner(object: KubeObject): void {
    const owner = this.ownerOf(object);
    if (owner) this.soon(keyOf(owner));
  }

  private soon(key: string): void {
    // Bigger DaemonSets take longer to sync: let more events gather before the next one.
    const size = this.pods.countByIndex('controller', this.daemonSets.getByKey(key)?.metadata.uid ?? '');
    this.queue.addWithin(key, Math.min(500, Math.max(POD_EVENT_COALESCE_MS, size / 25)));
  }

  private enqueueOwnerOrMatching(object: KubeObject): void {
    const owner = this.ownerOf(object);
    if (owner) this.enqueue(keyOf(owner));
    else if (!controllerOf(object)) for (const ds of this.matching(object)) this.enqueue(keyOf(ds));
  }

  private enqueueAll(): void {
    for (const ds of this.daemonSets.list()) this.enqueue(keyOf(ds));
  }

  private podChanged(old: PodObject | undefined, pod: PodObject): void {
    if (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) this.observeDeletion(pod);
    const owner = this.ownerOf(pod);
    if (!old && owner) this.expectations.creationObserved(keyOf(owner));
    if (old) {
      const previous = this.ownerOf(old);
      if (previous && previous.metadata.uid !== owner?.metadata.uid) this.enqueue(keyOf(previous));
    }
    if (owner) {
      this.soon(keyOf(owner));
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && old && !isReady(old) && isReady(pod)) this.queue.addAfter(keyOf(owner), (minReady + 1) * 1000);
    } else if (!controllerOf(pod)) {
      for (const ds of this.matching(pod)) this.enqueue(keyOf(ds));
    }
  }

  private observeDeletion(pod: PodObject): void {
    const owner = this.ownerOf(pod);
    if (owner) this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid as string);
  }

  private nodeChanged(old: NodeObject | undefined, node: NodeObject): void {
    for (const ds of this.daemonSets.list()) {
      const now = nodeShouldRunDaemonPod(ds, node);
      if (!old) {
        if (now.shouldRun) this.enqueue(keyOf(ds));
        continue;
      }
      const before = nodeShouldRunDaemonPod(ds, old);
      if (before.shouldRun !== now.shouldRun || before.shouldContinueRunning !== now.shouldContinueRunning) this.enqueue(keyOf(ds));
    }
  }

  // ------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const ds = this.daemonSets.getByKey(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const selector = ds.spec?.selector;
    if (selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodeView(ds);
    const hash = await this.constructHistory(ds);
    if (hash === undefined) return;
    if (!this.expectations.satisfied(key)) return this.updateStatus(ds, nodes, this.ownedByNode(ds), hash, false);
    const byNode = await this.podsByNode(ds);
    const { acted, createError } = await this.manage(ds, nodes, byNode, hash);
    if (!acted && this.expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
      await this.rollingUpdate(ds, nodes, byNode, hash);
    }
    await this.cleanupHistory(ds, byNode, hash);
    // The status is written even when pods could not be created (quota, admission), then the sync fails
    // so that it is retried with backoff — as upstream's syncDaemonSet does.
    // The pods as this sync saw them: what it created or deleted shows in the next one, as upstream's lister.
    await this.updateStatus(ds, nodes, byNode, hash, true);
    if (createError !== undefined) throw createError;
  }

  /** Every node with the DaemonSet's verdict on it, worked out once per sync. */
  private nodeView(ds: DaemonSetObject): NodeVerdict[] {
    return this.nodes.list().map((node) => ({ name: node.metadata.name as string, ...nodeShouldRunDaemonPod(ds, node) }));
  }

  /** The DaemonSet's pods after adoption and release, by target node (terminal pods being deleted left out). */
  private async podsByNode(ds: DaemonSetObject): Promise<Map<string, PodObject[]>> {
    return groupByNode(await this.claim(ds, claimCandidates(this.pods, ds), PODS));
  }

  /** The pods the DaemonSet already controls, by target node. */
  private ownedByNode(ds: DaemonSetObject): Map<string, PodObject[]> {
    return groupByNode(this.pods.byIndex('controller', ds.metadata.uid as string));
  }

  /** Upstream ClaimPods / ClaimControllerRevisions: keep, release or adopt by selector. */
  private claim<T extends KubeObject>(ds: DaemonSetObject, candidates: readonly T[], resource: typeof PODS): Promise<T[]> {
    return claim({ client: this.context.client, ownerResource: DAEMONSETS, owner: ds, reference: controllerRef(ds), selector: fromLabelSelector(ds.spec?.selector) }, candidates, resource);
  }

  // ------------------------------------------------------------ manage

  /** Create and delete pods node by node (upstream manage + syncNodes); true when anything was done. */
  private async manage(ds: DaemonSetObject, nodes: readonly NodeVerdict[], byNode: Map<string, PodObject[]>, hash: string): Promise<{ acted: boolean; createError: unknown }> {
    const createOn: string[] = [];
    const remove: PodObject[] = [];
    const surge = ds.spec?.updateStrategy?.type === 'RollingUpdate' && (ds.spec.updateStrategy.rollingUpdate?.maxSurge ?? 0) !== 0 && ds.spec.updateStrategy.rollingUpdate?.maxSurge !== '0%';
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = this.clock.now();
    const known = new Set<string>();
    for (const { name, shouldRun, shouldContinueRunning } of nodes) {
      known.add(name);
      const pods = byNode.get(name) ?? [];
      if (shouldRun && pods.length === 0) {
        createOn.push(name);
        continue;
      }
      if (!shouldContinueRunning) {
        remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
        continue;
      }
      const running: PodObject[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          const wait = this.backoff.waitFor(`${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${name}`, now);
          if (wait > 0) {
            this.queue.addAfter(keyOf(ds), wait);
            continue;
          }
          this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to kill it`);
          remove.push(pod);
          continue;
        }
        if (phase === 'Succeeded') {
          this.recorder.event(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to delete it`);
          remove.push(pod);
          continue;
        }
        running.push(pod);
      }
      if (!surge) {
        if (running.length > 1) remove.push(...running.slice(1));
        continue;
      }
      if (running.length === 0 && shouldRun) {
        createOn.push(name);
        continue;
      }
      if (running.length < 2) continue;
      const fresh = running.find((p) => isUpdated(p, hash, ds));
      const old = running.find((p) => !isUpdated(p, hash, ds));
      remove.push(...running.filter((p) => p !== fresh && p !== old));
      if (fresh && old && (!isReady(old) || isAvailable(fresh, minReady, now))) remove.push(old);
    }
    // Unbound pods aimed at nodes that are gone (bound ones are PodGC's).
    for (const [node, pods] of byNode) {
      if (!known.has(node)) remove.push(...pods.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp));
    }
    const createError = await this.syncNodes(ds, createOn, remove, hash);
    return { acted: createOn.length > 0 || remove.length > 0, createError };
  }

  /** Creates in slow-start batches, then deletes; expectations set first (upstream syncNodes). Returns a create's error. */
  private async syncNodes(ds: DaemonSetObject, createOn: readonly string[], remove: readonly PodObject[], hash: string): Promise<unknown> {
    const key = keyOf(ds);
    const creates = createOn.slice(0, BURST);
    const deletes = remove.slice(0, BURST);
    const expected = this.expectations.expect(key, creates.length, deletes.map((p) => p.metadata.uid as string));
    const batch = await slowStartBatch(creates.length, (i) => this.podControl.create(ds, newDaemonPod(ds, creates[i] as string, hash)));
    // Creates that failed or were skipped will never show; the next sync retries them.
    this.expectations.lower(key, expected, creates.length - batch.successes);
    await Promise.all(
      deletes.map(async (pod) => {
        await this.podControl.delete(ds, pod);
        // The delete is done, or failed for good: either way nothing more to wait for.
        this.expectations.lower(key, expected, 0, [pod.metadata.uid as string]);
      }),
    );
    return batch.error;
  }

  private async rollingUpdate(ds: DaemonSetObject, nodes: readonly NodeVerdict[], byNode: Map<string, PodObject[]>, hash: string): Promise<void> {
    const view: NodePods[] = [];
    for (const { name, shouldRun } of nodes) {
      const pods = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (shouldRun || pods.length > 0) view.push({ node: name, shouldRun, pods });
    }
    const decision = rollingUpdate(ds, hash, view, this.clock.now());
    if (decision.deletePods.length > 0 || decision.createOnNodes.length > 0) await this.syncNodes(ds, decision.createOnNodes, decision.deletePods, hash);
  }

  // ------------------------------------------------------------ history

  /** The current revision's hash, creating, deduplicating or renumbering revisions as needed (constructHistory). */
  private async constructHistory(ds: DaemonSetObject): Promise<string | undefined> {
    const owned = await this.claim(ds, claimCandidates(this.revisions, ds), REVISIONS);
    for (const revision of owned) {
      if (!revision.metadata.labels?.[HASH_LABEL]) {
        await this.context.client.patch(REVISIONS, revision.metadata.namespace, revision.metadata.name as string, 'merge', { metadata: { labels: { [HASH_LABEL]: revision.metadata.name } } });
      }
    }
    const current = owned.filter((r) => matches(ds, r));
    const old = owned.filter((r) => !matches(ds, r));
    const nextRevision = Math.max(0, ...old.map((r) => r.revision ?? 0)) + 1;
    if (current.length === 0) return this.createRevision(ds, nextRevision);
    current.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
    const kept = current[0] as RevisionObject;
    const hash = kept.metadata.labels?.[HASH_LABEL] ?? (kept.metadata.name as string);
    for (const duplicate of current.slice(1)) {
      // Pods of a duplicate move to the kept revision's hash before it goes (dedupCurHistories).
      for (const pod of this.pods.byIndex('controller', ds.metadata.uid as string)) {
        if (pod.metadata.labels?.[HASH_LABEL] !== hash) {
          await this.context.client.patch(PODS, pod.metadata.namespace, pod.metadata.name as string, 'merge', { metadata: { labels: { [HASH_LABEL]: hash } } }).catch(ignoreNotFound);
        }
      }
      await this.context.client.delete(REVISIONS, duplicate.metadata.namespace, duplicate.metadata.name as string).catch(ignoreNotFound);
    }
    if ((kept.revision ?? 0) < nextRevision) {
      // A rollback: the revision rolled back to becomes the newest.
      await this.context.client.patch(REVISIONS, kept.metadata.namespace, kept.metadata.name as string, 'merge', { revision: nextRevision });
    }
    return hash;
  }

  private async createRevision(ds: DaemonSetObject, revision: number): Promise<string | undefined> {
    const hash = templateHash(ds, ds.status?.collisionCount);
    const wanted = newRevision(ds, hash, revision);
    try {
      await this.context.client.create(REVISIONS, wanted);
      return hash;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    // A revision of that name exists: ours (same data) or a hash collision.
    const existing = this.context.client.get<RevisionObject>(REVISIONS, ds.metadata.namespace, wanted.metadata.name as string);
    if (existing && matches(ds, existing)) return hash;
    const live = this.context.client.get<DaemonSetObject>(DAEMONSETS, ds.metadata.namespace, ds.metadata.name as string);
    if (!live || (live.status?.collisionCount ?? 0) !== (ds.status?.collisionCount ?? 0)) throw new Error(`collision count of ${keyOf(ds)} changed; retrying`);
    await this.context.client.updateStatus(DAEMONSETS, { ...live, status: { ...live.status, collisionCount: (live.status?.collisionCount ?? 0) + 1 } });
    throw new Error(`found a hash collision for DaemonSet ${ds.metadata.name}; bumped collisionCount to resolve it`);
  }

  /** Drop the oldest unused revisions beyond revisionHistoryLimit (cleanupHistory). */
  private async cleanupHistory(ds: DaemonSetObject, byNode: Map<string, PodObject[]>, hash: string): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    const old = this.revisions.byIndex('controller', ds.metadata.uid as string).filter((r) => r.metadata.labels?.[HASH_LABEL] !== hash);
    let toKill = old.length - limit;
    if (toKill <= 0) return;
    const live = new Set<string>();
    for (const pods of byNode.values()) for (const pod of pods) if (pod.metadata.labels?.[HASH_LABEL]) live.add(pod.metadata.labels[HASH_LABEL]);
    for (const revision of old.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
      if (toKill <= 0) break;
      if (live.has(revision.metadata.labels?.[HASH_LABEL] ?? '')) continue;
      await this.context.client.delete(REVISIONS, revision.metadata.namespace, revision.metadata.name as string).catch(ignoreNotFound);
      toKill--;
    }
  }

  // ------------------------------------------------------------ status

  private async updateStatus(ds: DaemonSetObject, nodes: readonly NodeVerdict[], byNode: ReadonlyMap<string, readonly PodObject[]>, hash: string, observed: boolean): Promise<void> {
    const now = this.clock.now();
    const { counts, nextAvailable } = statusCounts(ds, nodes, byNode, hash, now);
    // Look again when the next ready pod becomes available (an absolute time, the same on every sync).
    if (nextAvailable !== Infinity) this.queue.addAfter(keyOf(ds), nextAvailable - now + 1);
    const status: NonNullable<DaemonSetObject['status']> = ds.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    const generation = ds.metadata.generation ?? 0;
    const observedGeneration = observed ? generation : status.observedGeneration;
    const unchanged = (Object.keys(counts) as (keyof StatusCounts)[]).every((k) => (status[k] ?? 0) === counts[k]) && (status.observedGeneration ?? 0) >= generation;
    if (unchanged && status.observedGeneration === observedGeneration) return;
    const next = { ...status, ...counts, ...(observedGeneration !== undefined && { observedGeneration }) };
    try {
      await this.context.client.updateStatus(DAEMONSETS, { ...ds, status: next });
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isConflict(error)) throw error;
      // One more try on the live object, as upstream's storeDaemonSetStatus does.
      const live = this.context.client.get<DaemonSetObject>(DAEMONSETS, ds.metadata.namespace, ds.metadata.name as string);
      if (!live) return;
      await this.context.client.updateStatus(DAEMONSETS, { ...live, status: { ...live.status, ...counts, ...(observedGeneration !== undefined && { observedGeneration }) } });
    }
  }

  /** For tests: wait for the controller's events to be written. */
  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }
}

function statusOnlyChange(old: DaemonSetObject, ds: DaemonSetObject): boolean {
  const before = old.metadata;
  const after = ds.metadata;
  return (
    before.generation === after.generation &&
    Boolean(before.deletionTimestamp) === Boolean(after.deletionTimestamp) &&
    deepEqual(before.labels ?? {}, after.labels ?? {}) &&
    deepEqual(before.annotations ?? {}, after.annotations ?? {}) &&
    deepEqual(before.ownerReferences ?? [], after.ownerReferences ?? [])
  );
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}


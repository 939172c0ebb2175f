/**
 * @module controllers/deployment/deployment-controller
 * Layer: controllers. The Deployment controller as kube-controller-manager runs it (deployment_controller.go,
 * sync.go, rolling.go, recreate.go, progress.go): a ReplicaSet per pod template, named by its hash and
 * numbered by revision; RollingUpdate within maxSurge/maxUnavailable, Recreate, proportional scaling, pause,
 * history cleanup; the Available, Progressing and ReplicaFailure conditions. The sizing decisions are the
 * pure modules beside it; this file reads the caches, applies them and writes the status.
 */
import { deepEqual } from '../../server/api/equality.js';
import { fromLabelSelector, type Selector } from '../../server/api/labels.js';
import { hasStatusCause, isAlreadyExists, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { keyOf, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { claim, claimCandidates, controllerOf, controllerReference, indexByController, refersTo } from '../toolkit/controller-ref.js';
import { computeHash } from '../toolkit/hash.js';
import { DEPLOYMENTS, PODS, REPLICASETS, type DeploymentObject, type PodObject, type ReplicaSetObject } from '../../server/api/kinds.js';
import { calculateStatus, getCondition, hasProgressDeadline, isComplete, newCondition, pausedConditions, REASONS, rolloutStatus, setCondition, stuckRecheckMs, type Status } from './conditions.js';
import {
  active,
  desiredReplicas,
  findNewReplicaSet,
  isScalingEvent,
  maxRevision,
  maxSurge,
  newReplicaSetAnnotations,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  replicaAnnotationsUpdate,
  specReplicas,
} from './replica-sets.js';
import { historyToDelete, newRSReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets, scaleSteps, type ScaleStep } from './rollout.js';

/** The Deployment being synced, as far as this sync has written it. */
interface Current {
  d: DeploymentObject;
}

interface ReplicaSets {
  newRS: ReplicaSetObject | undefined;
  old: ReplicaSetObject[];
}

export class DeploymentController extends Controller {
  private readonly deployments: Informer<DeploymentObject>;
  private readonly replicaSets: Informer<ReplicaSetObject>;
  private readonly pods: Informer<PodObject>;
  private readonly recorder: EventRecorder;

  constructor(private readonly context: ControllerContext) {
    super('deployment-controller', context.options);
    this.recorder = new EventRecorder(context.client, { component: 'deployment-controller' }, { clock: this.clock });
    this.deployments = context.informers.informer<DeploymentObject>(DEPLOYMENTS);
    this.replicaSets = context.informers.informer<ReplicaSetObject>(REPLICASETS);
    this.pods = context.informers.informer<PodObject>(PODS);
    indexByController(this.replicaSets);
    indexByController(this.pods);
    this.deployments.addEventHandler({
      add: (d) => this.enqueue(keyOf(d)),
      update: (_old, d) => this.enqueue(keyOf(d)),
      delete: (d) => this.enqueue(keyOf(d)),
    });
    this.replicaSets.addEventHandler({
      add: (rs) => this.replicaSetChanged(undefined, rs),
      update: (old, rs) => this.replicaSetChanged(old, rs),
      delete: (rs) => {
        const owner = this.ownerOf(rs);
        if (owner) this.enqueue(keyOf(owner));
      },
    });
    this.pods.addEventHandler({
      // A Recreate rollout waits for the old pods to be gone.
      delete: (pod) => {
        const rs = this.replicaSetOf(pod);
        const owner = rs && this.ownerOf(rs);
        if (owner?.spec?.strategy?.type === 'Recreate') this.enqueue(keyOf(owner));
      },
    });
  }

  // ------------------------------------------------------------ events → keys

  private ownerOf(rs: ReplicaSetObject): DeploymentObject | undefined {
    const ref = controllerOf(rs);
    if (!refersTo(ref, 'apps', 'Deployment')) return undefined;
    const d = this.deployments.get(rs.metadata.namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private replicaSetOf(pod: PodObject): ReplicaSetObject | undefined {
    const ref = controllerOf(pod);
    if (!refersTo(ref, 'apps', 'ReplicaSet')) return undefined;
    const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  private replicaSetChanged(old: ReplicaSetObject | undefined, rs: ReplicaSetObject): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const owner = this.ownerOf(rs);
    if (old && controllerOf(old)?.uid !== controllerOf(rs)?.uid) {
      const previous = this.ownerOf(old);
      if (previous) this.enqueue(keyOf(previous));
    }
    if (owner) return this.enqueue(keyOf(owner));
    if (controllerOf(rs)) return;
    // An orphan: every Deployment that would adopt it looks.
    for (const d of this.deployments.list()) {
      if (d.metadata.namespace !== rs.metadata.namespace) continue;
      const selector = selectorOf(d);
      if (selector && !selector.empty && selector.matches(rs.metadata.labels ?? {})) this.enqueue(keyOf(d));
    }
  }

  // ------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const cached = this.deployments.getByKey(key);
    if (!cached) return;
    const current: Current = { d: cached };
    const selector = selectorOf(cached);
    if (!selector) return;
    if (selector.empty) {
      this.recorder.event(cached, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      const generation = cached.metadata.generation ?? 0;
      if ((cached.status?.observedGeneration ?? 0) < generation) await this.writeStatus(current, { ...(cached.status ?? {}), observedGeneration: generation });
      return;
    }
    const owned = await claim(
      { client: this.context.client, ownerResource: DEPLOYMENTS, owner: cached, reference: controllerReference(cached, 'apps/v1', 'Deployment'), selector },
      claimCandidates(this.replicaSets, cached),
      REPLICASETS,
    );
    if (cached.metadata.deletionTimestamp) return this.syncStatusOnly(current, owned);
    const paused = pausedConditions(cached, this.clock.now());
    if (paused) await this.writeStatus(current, paused);
    if (current.d.spec?.paused) return this.syncScaling(current, owned);
    if (isScalingEvent(current.d, owned)) return this.syncScaling(current, owned);
    if (current.d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(current, owned);
    return this.rolloutRolling(current, owned);
  }

  /** Write the Deployment's status (and annotations), keeping the written version for the rest of the sync. */
  private async writeStatus(current: Current, status: Status, annotations?: Record<string, string>): Promise<void> {
    const metadata = annotations ? { ...current.d.metadata, annotations } : current.d.metadata;
    current.d = await this.context.client.updateStatus(DEPLOYMENTS, { ...current.d, metadata, status });
  }

  // ------------------------------------------------------------ replica sets

  /**
   * The new ReplicaSet (created when asked and missing) and the old ones, with the revision annotations in
   * step (upstream getAllReplicaSetsAndSyncRevision).
   */
  private async replicaSetsOf(current: Current, owned: readonly ReplicaSetObject[], create: boolean): Promise<ReplicaSets> {
    const d = current.d;
    const existing = findNewReplicaSet(d, owned);
    const old = owned.filter((rs) => rs !== existing);
    const newRevision = maxRevision(old) + 1;
    if (existing) {
      const annotations = newReplicaSetAnnotations(d, existing, newRevision, true);
      if (annotations || (existing.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
        const spec = { ...existing.spec, minReadySeconds: d.spec?.minReadySeconds ?? 0 } as NonNullable<ReplicaSetObject['spec']>;
        const updated = await this.context.client.update(REPLICASETS, { ...existing, metadata: { ...existing.metadata, annotations: annotations ?? existing.metadata.annotations }, spec });
        return { newRS: updated, old };
      }
      const revision = existing.metadata.annotations?.[REVISION_ANNOTATION] ?? '';
      const status: Status = structuredClone(d.status ?? {});
      let needsUpdate = false;
      let dAnnotations: Record<string, string> | undefined;
      if (d.metadata.annotations?.[REVISION_ANNOTATION] !== revision) {
        dAnnotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
        needsUpdate = true;
      }
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', REASONS.foundNewRS, `Found new replica set "${existing.metadata.name}"`, this.clock.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(current, status, dAnnotations);
      return { newRS: existing, old };
    }
    if (!create) return { newRS: undefined, old };
    return { newRS: await this.createNewReplicaSet(current, old, newRevision), old };
  }

  private async createNewReplicaSet(current: Current, old: readonly ReplicaSetObject[], newRevision: number): Promise<ReplicaSetObject> {
    const d = current.d;
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const draft: ReplicaSetObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: d.metadata.namespace, ownerReferences: [controllerReference(d, 'apps/v1', 'Deployment')], labels: { ...template.metadata.labels } },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSReplicas(d, [...old, draft], draft);
    (draft.spec as NonNullable<ReplicaSetObject['spec']>).replicas = replicas;
    const annotations = newReplicaSetAnnotations(d, draft, newRevision, false);
    if (annotations) draft.metadata.annotations = annotations;
    let created: ReplicaSetObject;
    let alreadyExisted = false;
    try {
      created = await this.context.client.create(REPLICASETS, draft);
    } catch (error) {
      if (isAlreadyExists(error)) {
        const found = this.context.client.get<ReplicaSetObject>(REPLICASETS, d.metadata.namespace, name);
        if (found && controllerOf(found)?.uid === d.metadata.uid && findNewReplicaSet(d, [found])) {
          created = found;
          alreadyExisted = true;
        } else {
          // A hash collision: a different template already has this name. A new count gives a new hash.
          await this.writeStatus(current, { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
          throw error;
        }
      } else {
        if (hasStatusCause(error, 'NamespaceTerminating')) throw error;
        const message = `Failed to create new replica set "${name}": ${error instanceof Error ? error.message : String(error)}`;
        if (hasProgressDeadline(d)) {
          const status: Status = structuredClone(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'False', REASONS.failedRSCreate, message, this.clock.now()));
          await this.writeStatus(current, status).catch(() => undefined);
        }
        this.recorder.event(d, 'Warning', REASONS.failedRSCreate, message);
        throw error;
      }
    }
    if (!alreadyExisted && replicas > 0) this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    const status: Status = structuredClone(current.d.status ?? {});
    let needsUpdate = false;
    let dAnnotations: Record<string, string> | undefined;
    if (current.d.metadata.annotations?.[REVISION_ANNOTATION] !== String(newRevision)) {
      dAnnotations = { ...(current.d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(newRevision) };
      needsUpdate = true;
    }
    if (!alreadyExisted && hasProgressDeadline(current.d)) {
      setCondition(status, newCondition('Progressing', 'True', REASONS.newReplicaSet, `Created new replica set "${created.metadata.name}"`, this.clock.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(current, status, dAnnotations);
    return created;
  }

  /** Resize a ReplicaSet and refresh its replica annotations (upstream scaleReplicaSet); true when its size changed. */
  private async scale(current: Current, rs: ReplicaSetObject, replicas: number, operation?: ScaleStep['operation']): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
    const d = current.d;
    const size = specReplicas(rs);
    const resize = size !== replicas;
    const annotations = replicaAnnotationsUpdate(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));
    if (!resize && !annotations) return { scaled: false, rs };
    const spec = { ...rs.spec, replicas } as NonNullable<ReplicaSetObject['spec']>;
    const updated = await this.context.client.update(REPLICASETS, { ...rs, metadata: { ...rs.metadata, annotations: annotations ?? rs.metadata.annotations }, spec });
    if (resize) {
      const verb = operation ?? (size < replicas ? 'up' : 'down');
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} from ${size} to ${replicas}`);
    }
    return { scaled: resize, rs: updated };
  }

  /** Apply scale steps in order (a ReplicaSet may appear twice); whether any size changed, and the written versions. */
  private async applySteps(current: Current, steps: readonly ScaleStep[], sets: ReplicaSetObject[]): Promise<boolean> {
    let scaled = false;
    for (const step of steps) {
      const at = sets.findIndex((rs) => rs.metadata.uid === step.rs.metadata.uid);
      const latest = at >= 0 ? (sets[at] as ReplicaSetObject) : step.rs;
      const result = await this.scale(current, latest, step.replicas, step.operation);
      if (at >= 0) sets[at] = result.rs;
      scaled ||= result.scaled;
    }
    return scaled;
  }

  private async cleanup(current: Current, old: readonly ReplicaSetObject[]): Promise<void> {
    for (const rs of historyToDelete(current.d, old)) {
      try {
        await this.context.client.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name as string);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  // ------------------------------------------------------------ strategies

  /** Paused or resized: scale only, then the plain status (upstream sync). */
  private async syncScaling(current: Current, owned: readonly ReplicaSetObject[]): Promise<void> {
    const { newRS, old } = await this.replicaSetsOf(current, owned, false);
    const sets = [...old, ...(newRS ? [newRS] : [])];
    await this.applySteps(current, scaleSteps(current.d, newRS, old), sets);
    const latestNew = newRS && sets.find((rs) => rs.metadata.uid === newRS.metadata.uid);
    if (current.d.spec?.paused) await this.cleanup(current, sets.filter((rs) => rs !== latestNew));
    await this.syncPlainStatus(current, sets, latestNew);
  }

  private async syncStatusOnly(current: Current, owned: readonly ReplicaSetObject[]): Promise<void> {
    const { newRS, old } = await this.replicaSetsOf(current, owned, false);
    await this.syncPlainStatus(current, [...old, ...(newRS ? [newRS] : [])], newRS);
  }

  private async syncPlainStatus(current: Current, all: readonly ReplicaSetObject[], newRS: ReplicaSetObject | undefined): Promise<void> {
    const status = calculateStatus(current.d, all, newRS, this.clock.now());
    if (!deepEqual(current.d.status ?? {}, status)) await this.writeStatus(current, status);
  }

  private async rolloutRolling(current: Current, owned: readonly ReplicaSetObject[]): Promise<void> {
    const { newRS, old } = await this.replicaSetsOf(current, owned, true);
    if (!newRS) return;
    const sets = [...old, newRS];
    const step = reconcileNewReplicaSet(current.d, sets, newRS);
    if (step && (await this.applySteps(current, [step], sets))) return this.syncRolloutStatus(current, sets, newRS);
    const oldSteps = reconcileOldReplicaSets(current.d, sets, active(old), sets[sets.length - 1] as ReplicaSetObject);
    if (await this.applySteps(current, oldSteps, sets)) return this.syncRolloutStatus(current, sets, newRS);
    if (isComplete(current.d, current.d.status ?? {})) await this.cleanup(current, sets.slice(0, -1));
    return this.syncRolloutStatus(current, sets, newRS);
  }

  private async rolloutRecreate(current: Current, owned: readonly ReplicaSetObject[]): Promise<void> {
    let { newRS, old } = await this.replicaSetsOf(current, owned, false);
    const sets = [...old, ...(newRS ? [newRS] : [])];
    const down = active(old).map((rs) => ({ rs, replicas: 0 }));
    if (await this.applySteps(current, down, sets)) return this.syncRolloutStatus(current, sets, newRS);
    if (this.oldPodsRunning(newRS, sets)) return this.syncRolloutStatus(current, sets, newRS);
    if (!newRS) {
      ({ newRS, old } = await this.replicaSetsOf(current, owned, true));
      if (!newRS) return;
      sets.push(newRS);
    }
    await this.applySteps(current, [{ rs: newRS, replicas: desiredReplicas(current.d) }], sets);
    if (isComplete(current.d, current.d.status ?? {})) await this.cleanup(current, old);
    return this.syncRolloutStatus(current, sets, newRS);
  }

  /** Whether pods of old ReplicaSets still run (terminating ones count), so Recreate must wait. */
  private oldPodsRunning(newRS: ReplicaSetObject | undefined, sets: readonly ReplicaSetObject[]): boolean {
    for (const rs of sets) {
      if (rs.metadata.uid === newRS?.metadata.uid) continue;
      if ((rs.status?.replicas ?? 0) > 0) return true;
      for (const pod of this.pods.byIndex('controller', rs.metadata.uid as string)) {
        const phase = pod.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  /** Upstream syncRolloutStatus: the status with progress conditions; a recheck for the deadline when unchanged. */
  private async syncRolloutStatus(current: Current, sets: readonly ReplicaSetObject[], newRS: ReplicaSetObject | undefined): Promise<void> {
    const latestNew = newRS && sets.find((rs) => rs.metadata.uid === newRS.metadata.uid);
    const now = this.clock.now();
    const status = rolloutStatus(current.d, sets, latestNew, now);
    if (!deepEqual(current.d.status ?? {}, status)) return this.writeStatus(current, status);
    const recheck = stuckRecheckMs(current.d, status, now);
    if (recheck === 0) this.retrySoon(keyOf(current.d));
    else if (recheck !== undefined) this.queue.addAfter(keyOf(current.d), recheck);
  }

  /** For tests: wait for the controller's events to be written. */
  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }
}

function selectorOf(d: DeploymentObject): Selector | undefined {
  try {
    return fromLabelSelector(d.spec?.selector);
  } catch {
    return undefined;
  }
}

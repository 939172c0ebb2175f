/**
 * @module controllers/disruption/disruption-controller
 * Layer: controllers. The disruption controller (upstream disruption.go): keeps every PodDisruptionBudget's
 * status — expected, desired and current healthy pods, disruptions allowed, the DisruptionAllowed condition
 * — as its pods and their controllers change; the eviction subresource spends from that status. Expected
 * pods come from the desired scale of the pods' controllers (ReplicationController, Deployment through its
 * ReplicaSet, ReplicaSet, StatefulSet).
 */
import { deepEqual } from '../../server/api/equality.js';
import { fromLabelSelector, type Selector } from '../../server/api/labels.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { EventRecorder } from '../events/recorder.js';
import { keyOf, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { controllerOf, refersTo } from '../toolkit/controller-ref.js';
import {
  DEPLOYMENTS,
  PODDISRUPTIONBUDGETS,
  PODS,
  REPLICASETS,
  REPLICATION_CONTROLLERS,
  STATEFULSETS,
  type DeploymentObject,
  type PdbObject,
  type PodObject,
  type ReplicaSetObject,
  type ReplicationControllerObject,
  type StatefulSetObject,
} from '../../server/api/kinds.js';
import { allowedCondition, budgetStatus, expectedCounts, type BudgetStatus } from './budget.js';

/** Pod changes wake their budgets after this pause, so that a burst of them costs one sync. */
const POD_EVENT_COALESCE_MS = 20;

export class DisruptionController extends Controller {
  private readonly budgets: Informer<PdbObject>;
  private readonly pods: Informer<PodObject>;
  private readonly replicaSets: Informer<ReplicaSetObject>;
  private readonly deployments: Informer<DeploymentObject>;
  private readonly controllers: Informer<ReplicationControllerObject>;
  private readonly statefulSets: Informer<StatefulSetObject>;
  private readonly recorder: EventRecorder;

  constructor(private readonly context: ControllerContext) {
    super('disruption-controller', context.options);
    this.recorder = new EventRecorder(context.client, { component: 'controllermanager' }, { clock: this.clock });
    this.budgets = context.informers.informer<PdbObject>(PODDISRUPTIONBUDGETS);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.replicaSets = context.informers.informer<ReplicaSetObject>(REPLICASETS);
    this.deployments = context.informers.informer<DeploymentObject>(DEPLOYMENTS);
    this.controllers = context.informers.informer<ReplicationControllerObject>(REPLICATION_CONTROLLERS);
    this.statefulSets = context.informers.informer<StatefulSetObject>(STATEFULSETS);
    this.pods.addIndex('namespace', (pod) => [pod.metadata.namespace ?? '']);
    this.budgets.addEventHandler({
      add: (pdb) => this.enqueue(keyOf(pdb)),
      update: (_old, pdb) => this.enqueue(keyOf(pdb)),
    });
    this.pods.addEventHandler({
      add: (pod) => this.podChanged(undefined, pod),
      update: (old, pod) => this.podChanged(old, pod),
      delete: (pod) => this.podChanged(undefined, pod),
    });
    // A controller's scale feeds the expected pods of percentage budgets.
    const scaleChanged = (object: { metadata: { namespace?: string } }) => {
      for (const pdb of this.budgets.list()) if (pdb.metadata.namespace === object.metadata.namespace) this.queue.addWithin(keyOf(pdb), POD_EVENT_COALESCE_MS);
    };
    for (const informer of [this.replicaSets, this.deployments, this.controllers, this.statefulSets] as const) {
      informer.addEventHandler({ add: scaleChanged, update: (_old, object) => scaleChanged(object), delete: scaleChanged });
    }
  }

  private podChanged(old: PodObject | undefined, pod: PodObject): void {
    for (const pdb of this.budgets.list()) {
      if (pdb.metadata.namespace !== pod.metadata.namespace) continue;
      const selector = selectorOf(pdb);
      if (selector?.matches(pod.metadata.labels ?? {}) || (old && selector?.matches(old.metadata.labels ?? {}))) this.queue.addWithin(keyOf(pdb), POD_EVENT_COALESCE_MS);
    }
  }

  /** The desired replicas of the controller a pod belongs to (upstream's finders), keyed by that controller. */
  private scaleOf(pod: PodObject): { key: string; replicas: number } | undefined {
    const ref = controllerOf(pod);
    if (!ref) return undefined;
    const namespace = pod.metadata.namespace;
    if (refersTo(ref, '', 'ReplicationController')) {
      const rc = this.controllers.get(namespace, ref.name);
      if (rc?.metadata.uid === ref.uid) return { key: ref.uid, replicas: rc.spec?.replicas ?? 1 };
    }
    if (refersTo(ref, 'apps', 'ReplicaSet')) {
      const rs = this.replicaSets.get(namespace, ref.name);
      if (rs?.metadata.uid === ref.uid) {
        const parent = controllerOf(rs);
        if (refersTo(parent, 'apps', 'Deployment')) {
          const d = this.deployments.get(namespace, parent.name);
          if (d?.metadata.uid === parent.uid) return { key: parent.uid, replicas: d.spec?.replicas ?? 1 };
        } else {
          return { key: ref.uid, replicas: rs.spec?.replicas ?? 1 };
        }
      }
    }
    if (refersTo(ref, 'apps', 'StatefulSet')) {
      const sts = this.statefulSets.get(namespace, ref.name);
      if (sts?.metadata.uid === ref.uid) return { key: ref.uid, replicas: sts.spec?.replicas ?? 1 };
    }
    throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
  }

  protected async sync(key: string): Promise<void> {
    const pdb = this.budgets.getByKey(key);
    if (!pdb) return;
    const selector = selectorOf(pdb);
    const pods = selector ? this.pods.byIndex('namespace', pdb.metadata.namespace ?? '').filter((pod) => selector.matches(pod.metadata.labels ?? {})) : [];
    const now = this.clock.now();
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts;
    try {
      counts = expectedCounts(pdb, pods, (pod) => this.scaleOf(pod));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${message}`);
      return this.failSafe(pdb, message, now);
    }
    const unmanaged = pods.some((pod) => !controllerOf(pod));
    if (unmanaged && (pdb.spec?.maxUnavailable !== undefined || typeof pdb.spec?.minAvailable === 'string')) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${selector?.toString() ?? ''}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const { status, nextExpiry } = budgetStatus(pdb, pods, counts, now);
    if (nextExpiry !== Infinity) this.queue.addAfter(key, nextExpiry - now + 1);
    await this.write(pdb, status);
  }

  /** After a failed sync: no disruptions allowed, and a SyncFailed condition saying why. */
  private async failSafe(pdb: PdbObject, message: string, now: number): Promise<void> {
    const status: BudgetStatus = { ...(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 }), disruptionsAllowed: 0 };
    status.conditions = [allowedCondition(status, pdb.status, now, message)];
    await this.write(pdb, status);
  }

  private async write(pdb: PdbObject, status: BudgetStatus): Promise<void> {
    if (deepEqual(pdb.status ?? {}, status)) return;
    try {
      await this.context.client.updateStatus(PODDISRUPTIONBUDGETS, { ...pdb, status });
    } catch (error) {
      if (isNotFound(error)) return;
      // An eviction spent from the budget meanwhile: look again with its version.
      if (isConflict(error)) return this.retrySoon(keyOf(pdb));
      throw error;
    }
  }
}

function selectorOf(pdb: PdbObject): Selector | undefined {
  try {
    return fromLabelSelector(pdb.spec?.selector);
  } catch {
    return undefined;
  }
}

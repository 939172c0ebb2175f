/**
 * @module controllers/namespace/namespace-controller
 * Layer: controllers. Mirrors kube-controller-manager's namespace controller: a namespace being deleted has
 * all its content deleted (each resource's deletecollection, Background), waits for graceful pods and
 * finalizers, reports progress in its status conditions, then drops the `kubernetes` finalizer through
 * /finalize — which removes it. Unlike upstream it also re-checks a terminating namespace as soon as any of
 * its content goes, instead of polling on estimates alone.
 */
import { rfc3339At } from '../../server/api/time.js';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { ResourceInfo } from '../../server/api/client.js';
import type { Kube, KubeObject } from '../../server/api/object.js';
import { isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import type { ControllerContext } from '../manager.js';
import { namespaceConditions, type ContentReport } from './conditions.js';
import { NAMESPACES, PODS } from '../../server/api/kinds.js';

type NamespaceObject = Kube<Namespace>;
const FINALIZER = 'kubernetes';
/** upstream's estimate for content held only by finalizers */
const FINALIZER_ESTIMATE_SECONDS = 15;
const DELETION_GRACE_MS = 5000;

export interface NamespaceControllerOptions {
  /**
   * wait this long after a namespace is marked before the first pass (default 5 s, upstream's
   * namespaceDeletionGracePeriod: `kubectl delete -f` of a bundle with its own namespace deletes the rest
   * itself meanwhile)
   */
  deletionDelayMs?: number;
}

export class NamespaceController extends Controller {
  private readonly namespaces;
  private readonly content: ResourceInfo[];
  private readonly delayMs: number;
  /** when each terminating namespace's first pass may run */
  private readonly notBefore = new Map<string, number>();

  constructor(
    private readonly context: ControllerContext,
    options: NamespaceControllerOptions = {},
  ) {
    super('namespace-controller', context.options);
    this.delayMs = options.deletionDelayMs ?? DELETION_GRACE_MS;
    this.namespaces = context.informers.informer<NamespaceObject>(NAMESPACES);
    const schedule = (namespace: NamespaceObject) => {
      if (!namespace.metadata.deletionTimestamp) return;
      const name = namespace.metadata.name as string;
      if (!this.notBefore.has(name)) this.notBefore.set(name, this.clock.now() + this.delayMs);
      this.queue.addWithin(name, this.delayMs);
    };
    this.namespaces.addEventHandler({ add: schedule, update: (_old, namespace) => schedule(namespace), delete: (namespace) => this.notBefore.delete(namespace.metadata.name as string) });
    this.content = context.client
      .resources()
      .filter((info) => info.namespaced && info.verbs.includes('delete') && info.verbs.includes('list'));
    // Content leaving a terminating namespace is progress: look again at once.
    const progress = (object: KubeObject) => {
      const name = object.metadata.namespace;
      if (name && this.namespaces.get(undefined, name)?.metadata.deletionTimestamp) this.enqueue(name);
    };
    for (const info of this.content) {
      if (!info.verbs.includes('watch')) continue;
      context.informers.informer(info).addEventHandler({ delete: progress, update: (_old, object) => progress(object) });
    }
  }

  protected async sync(name: string): Promise<void> {
    const { client } = this.context;
    let namespace = client.get<NamespaceObject>(NAMESPACES, undefined, name);
    if (!namespace?.metadata.deletionTimestamp) return;
    // Content events of a terminating namespace wake this early; the grace period still holds.
    const wait = (this.notBefore.get(name) ?? 0) - this.clock.now();
    if (wait > 0) {
      this.queue.addAfter(name, wait);
      return;
    }
    if (namespace.status?.phase !== 'Terminating') {
      namespace = await client.updateStatus(NAMESPACES, { ...namespace, status: { ...namespace.status, phase: 'Terminating' } });
    }
    if ((namespace.spec?.finalizers ?? []).length === 0) return;
    const { report, estimateSeconds } = await this.deleteAllContent(namespace);
    await this.reportConditions(name, report);
    if (report.failures.length > 0) throw new Error(`deletion of namespace ${name} failed: ${report.failures.join(', ')}`);
    if (estimateSeconds > 0 || report.remaining.size > 0) {
      this.queue.addWithin(name, (estimateSeconds / 2 + 1) * 1000);
      return;
    }
    await this.finalize(name);
  }

  private async deleteAllContent(namespace: NamespaceObject): Promise<{ report: ContentReport; estimateSeconds: number }> {
    const name = namespace.metadata.name as string;
    const report: ContentReport = { remaining: new Map(), finalizers: new Map(), failures: [] };
    let estimateSeconds = 0;
    for (const info of this.content) {
      let estimate = info.group === '' && info.resource === 'pods' ? this.podEstimate(namespace) : 0;
      try {
        if (info.verbs.includes('deletecollection')) {
          await this.context.client.deleteCollection(info, name, { propagationPolicy: 'Background' });
        } else {
          for (const item of this.context.client.list(info, name).items) {
            await this.context.client.delete(info, name, item.metadata.name as string, { propagationPolicy: 'Background' }).catch((error: unknown) => {
              if (!isNotFound(error)) throw error;
            });
          }
        }
      } catch (error) {
        report.failures.push(`${info.resource}${info.group ? `.${info.group}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const left = this.context.client.list(info, name).items;
      if (left.length === 0) continue;
      report.remaining.set(`${info.resource}.${info.group}`, left.length);
      let held = false;
      for (const item of left) {
        for (const finalizer of item.metadata.finalizers ?? []) {
          held = true;
          report.finalizers.set(finalizer, (report.finalizers.get(finalizer) ?? 0) + 1);
        }
      }
      if (estimate === 0 && held) estimate = FINALIZER_ESTIMATE_SECONDS;
      estimateSeconds = Math.max(estimateSeconds, estimate);
    }
    return { report, estimateSeconds };
  }

  /** The longest grace period of a pod still running, or 0 once that long has passed since deletion began. */
  private podEstimate(namespace: NamespaceObject): number {
    const pods = this.context.client.list<Kube<Pod>>(PODS, namespace.metadata.name).items;
    let estimate = 0;
    for (const pod of pods) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      estimate = Math.max(estimate, pod.spec?.terminationGracePeriodSeconds ?? 0);
    }
    const elapsed = (this.clock.now() - Date.parse(namespace.metadata.deletionTimestamp as string)) / 1000;
    return elapsed >= estimate ? 0 : estimate;
  }

  private async reportConditions(name: string, report: ContentReport): Promise<void> {
    const namespace = this.context.client.get<NamespaceObject>(NAMESPACES, undefined, name);
    if (!namespace) return;
    const now = rfc3339At(this.clock.now());
    const { conditions, changed } = namespaceConditions(namespace.status?.conditions ?? [], report, now);
    if (!changed) return;
    await this.context.client.updateStatus(NAMESPACES, { ...namespace, status: { ...namespace.status, conditions } }).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }

  private async finalize(name: string): Promise<void> {
    const namespace = this.context.client.get<NamespaceObject>(NAMESPACES, undefined, name);
    if (!namespace) return;
    const finalizers = [...new Set((namespace.spec?.finalizers ?? []).filter((f) => f !== FINALIZER))].sort();
    try {
      await this.context.client.update(NAMESPACES, { ...namespace, spec: { ...namespace.spec, finalizers } }, { subresource: 'finalize' });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

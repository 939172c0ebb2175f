/**
 * @module controllers/resource-quota
 * Layer: controllers. kube-controller-manager's resource quota controller: keeps every ResourceQuota's
 * `status.hard` equal to its spec and `status.used` equal to what the objects in its namespace charge (over the
 * quota's scopes). Pod changes recount at once; other kinds are recounted every few seconds, as upstream's
 * replenishment and resync do. Admission refuses creates over a quota; this publishes the totals.
 */
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../server/api/equality.js';
import type { Kube, KubeObject } from '../server/api/object.js';
import { formatQuantity } from '../server/api/quantity.js';
import { targetOfName, totalUsage, type QuotaTarget } from '../server/api/quota.js';
import { isConflict, isNotFound } from '../server/api/status.js';
import { Controller } from './controller.js';
import { keyOf } from './informer.js';
import type { ControllerContext } from './manager.js';
import { PODS, RESOURCE_QUOTAS as QUOTAS } from '../server/api/kinds.js';

type QuotaObject = Kube<ResourceQuota>;
/** How often quotas on kinds other than pods are recounted (upstream resyncs every 5 minutes). */
const RECOUNT_MS = 3_000;

export class ResourceQuotaController extends Controller {
  private readonly quotas;

  constructor(private readonly context: ControllerContext) {
    super('resourcequota-controller', context.options);
    this.quotas = context.informers.informer<QuotaObject>(QUOTAS);
    this.quotas.addIndex('namespace', (quota) => [quota.metadata.namespace ?? '']);
    const enqueueQuota = (quota: QuotaObject) => this.enqueue(keyOf(quota));
    this.quotas.addEventHandler({ add: enqueueQuota, update: (_old, quota) => enqueueQuota(quota) });
    const recountNamespace = (pod: Kube<Pod>) => {
      for (const quota of this.quotas.byIndex('namespace', pod.metadata.namespace ?? '')) enqueueQuota(quota);
    };
    context.informers.informer<Kube<Pod>>(PODS).addEventHandler({ add: recountNamespace, update: (_old, pod) => recountNamespace(pod), delete: recountNamespace });
  }

  protected async sync(key: string): Promise<void> {
    const quota = this.quotas.getByKey(key);
    if (!quota) return;
    const namespace = quota.metadata.namespace as string;
    const hard = (quota.spec?.hard ?? {}) as Record<string, string>;
    const byTarget = new Map<string, { target: QuotaTarget; names: string[] }>();
    for (const name of Object.keys(hard)) {
      const target = targetOfName(name);
      if (!target) continue;
      const id = `${target.group}/${target.plural}`;
      const entry = byTarget.get(id) ?? { target, names: [] };
      entry.names.push(name);
      byTarget.set(id, entry);
    }
    const used: Record<string, string> = {};
    const now = this.clock.now();
    for (const { target, names } of byTarget.values()) {
      const { values, binary } = totalUsage(quota, target, this.objects(target, namespace), names, now);
      for (const [name, value] of values) used[name] = formatQuantity(value, binary.has(name));
    }
    if ([...byTarget.values()].some(({ target }) => target.group !== '' || target.plural !== 'pods')) this.queue.addWithin(key, RECOUNT_MS);
    const status = { hard: { ...hard }, used };
    if (deepEqual(quota.status ?? {}, status)) return;
    try {
      await this.context.client.updateStatus(QUOTAS, { ...quota, status });
    } catch (error) {
      if (isNotFound(error)) return;
      if (isConflict(error)) return this.retrySoon(key);
      throw error;
    }
  }

  private objects(target: QuotaTarget, namespace: string): readonly KubeObject[] {
    try {
      return this.context.client.list({ group: target.group, resource: target.plural }, namespace).items;
    } catch (error) {
      // A quota may name a kind kubemu does not serve: it stays at zero.
      if (isNotFound(error)) return [];
      throw error;
    }
  }
}

/**
 * @module controllers/endpoints/service-pods
 * Layer: controllers. What both endpoint controllers watch (upstream's shared event wiring): Services and
 * pods, a pod change waking every Service in its namespace whose selector matches the pod before or after;
 * and the pods a Service selects. Each controller adds its own sync.
 */
import { deepEqual } from '../../server/api/equality.js';
import { fromMap } from '../../server/api/labels.js';
import { Controller } from '../controller.js';
import { keyOf, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { PODS, SERVICES, type PodObject, type ServiceObject } from '../../server/api/kinds.js';
import { hasSelector } from './pod-endpoints.js';

/** Pod changes wake their Services after this pause, so a burst of them costs one sync. */
const POD_EVENT_COALESCE_MS = 20;

export abstract class ServiceEndpointsController extends Controller {
  protected readonly services: Informer<ServiceObject>;
  protected readonly pods: Informer<PodObject>;

  constructor(
    name: string,
    protected readonly context: ControllerContext,
  ) {
    super(name, context.options);
    this.services = context.informers.informer<ServiceObject>(SERVICES);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.pods.addIndex('namespace', (pod) => [pod.metadata.namespace ?? '']);
    this.services.addEventHandler({
      add: (service) => this.enqueue(keyOf(service)),
      update: (_old, service) => this.enqueue(keyOf(service)),
      delete: (service) => this.enqueue(keyOf(service)),
    });
    this.pods.addEventHandler({
      add: (pod) => this.podChanged(undefined, pod),
      update: (old, pod) => this.podChanged(old, pod),
      delete: (pod) => this.podChanged(undefined, pod),
    });
  }

  private podChanged(old: PodObject | undefined, pod: PodObject): void {
    if (old && old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = old !== undefined && !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
    for (const service of this.services.list()) {
      if (service.metadata.namespace !== pod.metadata.namespace || !hasSelector(service)) continue;
      const selector = fromMap(service.spec?.selector);
      if (selector.matches(pod.metadata.labels ?? {}) || (labelsChanged && selector.matches(old?.metadata.labels ?? {}))) {
        this.queue.addWithin(keyOf(service), POD_EVENT_COALESCE_MS);
      }
    }
  }

  /** The pods the Service's selector picks in its namespace. */
  protected podsOf(service: ServiceObject): PodObject[] {
    const selector = fromMap(service.spec?.selector);
    return this.pods.byIndex('namespace', service.metadata.namespace ?? '').filter((pod) => selector.matches(pod.metadata.labels ?? {}));
  }
}

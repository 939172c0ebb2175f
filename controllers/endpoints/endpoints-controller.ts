/**
 * @module controllers/endpoints/endpoints-controller
 * Layer: controllers. The Endpoints controller (upstream endpoints_controller.go): for every Service with a
 * selector, an Endpoints object of the same name with its pods' ready and not-ready addresses, the
 * Service's labels (plus the headless label), capped at 1,000 addresses; removed when the Service goes.
 */
import type { EndpointSubset } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../server/api/equality.js';
import { hasStatusCause, isNotFound } from '../../server/api/status.js';
import { EventRecorder } from '../events/recorder.js';
import { splitKey, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { ENDPOINTS, type EndpointsObject } from '../../server/api/kinds.js';
import { hasSelector, HEADLESS_LABEL, isHeadless } from './pod-endpoints.js';
import { ServiceEndpointsController } from './service-pods.js';
import { endpointSubsets, OVER_CAPACITY_ANNOTATION, truncate } from './subsets.js';

export class EndpointsController extends ServiceEndpointsController {
  private readonly endpoints: Informer<EndpointsObject>;
  private readonly recorder: EventRecorder;

  constructor(context: ControllerContext) {
    super('endpoints-controller', context);
    this.recorder = new EventRecorder(context.client, { component: 'endpoint-controller' }, { clock: this.clock });
    this.endpoints = context.informers.informer<EndpointsObject>(ENDPOINTS);
    // An Endpoints object deleted by hand comes back; one left over from a deleted Service goes.
    this.endpoints.addEventHandler({ add: (object) => this.leftover(object), delete: (object) => this.enqueue(`${object.metadata.namespace}/${object.metadata.name}`) });
  }

  private leftover(object: EndpointsObject): void {
    if (!this.services.get(object.metadata.namespace, object.metadata.name as string)) this.enqueue(`${object.metadata.namespace}/${object.metadata.name}`);
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.getByKey(key);
    const client = this.context.client;
    if (!service) {
      const stale = this.endpoints.getByKey(key);
      // Only Endpoints this controller would have written (not leader-election records) are removed.
      if (stale && !stale.metadata.annotations?.['control-plane.alpha.kubernetes.io/leader']) {
        await client.delete(ENDPOINTS, namespace, name).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
      }
      return;
    }
    if (!hasSelector(service)) return;
    const subsets: EndpointSubset[] = endpointSubsets(service, this.podsOf(service));
    const truncated = truncate(subsets);
    const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
    if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const current = this.endpoints.getByKey(key);
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata.labels ?? {}, labels) && deepEqual(current.metadata.annotations ?? {}, annotations)) return;
    const metadata = { ...(current?.metadata ?? { name, namespace }), labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    const object: EndpointsObject = { apiVersion: 'v1', kind: 'Endpoints', metadata, ...(subsets.length > 0 && { subsets }) };
    try {
      if (current) await client.update(ENDPOINTS, object);
      else await client.create(ENDPOINTS, object);
    } catch (error) {
      if (hasStatusCause(error, 'NamespaceTerminating')) return;
      const message = error instanceof Error ? error.message : String(error);
      if (current) this.recorder.event(service, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${message}`);
      else this.recorder.event(service, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${message}`);
      throw error;
    }
  }
}

/**
 * @module controllers/endpoints/endpointslice-controller
 * Layer: controllers. The EndpointSlice controller (upstream endpointslice_controller.go and reconciler):
 * for every Service with a selector, discovery.k8s.io/v1 slices of at most 100 endpoints each, owned by the
 * Service and labelled with its name and `endpointslice.kubernetes.io/managed-by`. The placement is the pure
 * slices module; this file reads the caches and applies its plan.
 */
import { hasStatusCause, isNotFound } from '../../server/api/status.js';
import type { Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { controllerOf } from '../toolkit/controller-ref.js';
import { ENDPOINT_SLICES, NODES, type EndpointSliceObject, type NodeObject } from '../../server/api/kinds.js';
import { hasSelector, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './pod-endpoints.js';
import { ServiceEndpointsController } from './service-pods.js';
import { desiredEndpoints, planSlices, ZONE_LABEL } from './slices.js';

export interface EndpointSliceOptions {
  /** most endpoints per slice (kube-controller-manager's --max-endpoints-per-slice, default 100) */
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceController extends ServiceEndpointsController {
  private readonly slices: Informer<EndpointSliceObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly max: number;

  constructor(context: ControllerContext, options: EndpointSliceOptions = {}) {
    super('endpointslice-controller', context);
    this.max = options.maxEndpointsPerSlice ?? 100;
    this.slices = context.informers.informer<EndpointSliceObject>(ENDPOINT_SLICES);
    this.nodes = context.informers.informer<NodeObject>(NODES);
    this.slices.addIndex('service', (slice) => {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      return service && slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY ? [`${slice.metadata.namespace}/${service}`] : [];
    });
    // A slice changed or deleted by someone else is put right.
    const owned = (slice: EndpointSliceObject) => {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (service && slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) this.queue.addWithin(`${slice.metadata.namespace}/${service}`, 20);
    };
    this.slices.addEventHandler({ update: (_old, slice) => owned(slice), delete: owned });
  }

  protected async sync(key: string): Promise<void> {
    const service = this.services.getByKey(key);
    // Slices of a deleted Service go with it: the garbage collector follows their owner references.
    if (!service || !hasSelector(service)) return;
    const existing = this.slices.byIndex('service', key).filter((slice) => !slice.metadata.deletionTimestamp && controllerOf(slice)?.uid === service.metadata.uid);
    const zoneOf = (node: string) => this.nodes.get(undefined, node)?.metadata.labels?.[ZONE_LABEL];
    const pods = this.podsOf(service);
    const plan = planSlices(service, desiredEndpoints(service, pods, zoneOf), existing, this.max);
    const client = this.context.client;
    try {
      for (const slice of plan.update) await client.update(ENDPOINT_SLICES, slice);
      if (!service.metadata.deletionTimestamp) for (const slice of plan.create) await client.create(ENDPOINT_SLICES, slice);
      for (const slice of plan.delete) {
        await client.delete(ENDPOINT_SLICES, slice.metadata.namespace, slice.metadata.name as string).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
      }
    } catch (error) {
      if (hasStatusCause(error, 'NamespaceTerminating')) return;
      throw error;
    }
  }
}

/**
 * @module controllers/endpoints/slices
 * Layer: controllers (pure). A Service's EndpointSlices (upstream endpointslice reconciler): the endpoints
 * its pods give — terminating ones included, with ready/serving/terminating conditions — grouped by the
 * ports they resolve to, then placed into at most 100-endpoint slices with as little churn as possible:
 * existing slices keep their endpoints, new ones fill slices already being written, then one that fits,
 * then new slices; emptied slices are reused or deleted; a service without endpoints keeps one empty slice.
 */
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { deepEqual } from '../../server/api/equality.js';
import { controllerReference } from '../toolkit/controller-ref.js';
import { isReady } from '../toolkit/pod-state.js';
import type { EndpointSliceObject, PodObject, ServiceObject } from '../../server/api/kinds.js';
import { findPort, HEADLESS_LABEL, hostnameFor, isHeadless, MANAGED_BY, MANAGED_BY_LABEL, podIp, podReference, SERVICE_NAME_LABEL, shouldBeInEndpoints } from './pod-endpoints.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface EndpointGroup {
  ports: EndpointPort[];
  /** by pod uid */
  endpoints: Map<string, Endpoint>;
}

export interface SlicePlan {
  create: EndpointSliceObject[];
  update: EndpointSliceObject[];
  delete: EndpointSliceObject[];
}

function portsKey(ports: readonly EndpointPort[]): string {
  return JSON.stringify([...ports].map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort());
}

/** The endpoints of the service's pods, by port mapping. `zoneOf` gives a node's zone label. */
export function desiredEndpoints(service: ServiceObject, pods: readonly PodObject[], zoneOf: (node: string) => string | undefined): Map<string, EndpointGroup> {
  const groups = new Map<string, EndpointGroup>();
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (!shouldBeInEndpoints(pod, true)) continue;
    const ports: EndpointPort[] = [];
    for (const servicePort of service.spec?.ports ?? []) {
      const number = findPort(pod, servicePort);
      if (number === undefined) continue;
      ports.push({ name: servicePort.name ?? '', port: number, protocol: servicePort.protocol ?? 'TCP', ...(servicePort.appProtocol && { appProtocol: servicePort.appProtocol }) });
    }
    const serving = isReady(pod);
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    const hostname = hostnameFor(pod, service);
    const node = pod.spec?.nodeName;
    const zone = node ? zoneOf(node) : undefined;
    const endpoint: Endpoint = {
      addresses: [podIp(pod) as string],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      ...(hostname && { hostname }),
      targetRef: podReference(pod),
      ...(node && { nodeName: node }),
      ...(zone && { zone }),
    };
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    group.endpoints.set(pod.metadata.uid as string, endpoint);
  }
  return groups;
}

/** The labels every slice of the service carries (upstream setEndpointSliceLabels). */
export function sliceLabels(service: ServiceObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.metadata.labels ?? {})) {
    if (key !== SERVICE_NAME_LABEL && key !== MANAGED_BY_LABEL && key !== HEADLESS_LABEL) labels[key] = value;
  }
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata.name as string;
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  return labels;
}

function newSlice(service: ServiceObject, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace,
      labels: sliceLabels(service),
      ownerReferences: [controllerReference(service, 'v1', 'Service')],
    },
    addressType: 'IPv4',
    ports,
    endpoints,
  };
}

function uidOf(endpoint: Endpoint): string {
  return endpoint.targetRef?.uid ?? endpoint.addresses[0] ?? '';
}

/** Which slices to create, update and delete so the service's slices hold exactly the desired endpoints. */
export function planSlices(service: ServiceObject, desired: ReadonlyMap<string, EndpointGroup>, existing: readonly EndpointSliceObject[], max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(service);
  const unchanged: EndpointSliceObject[] = [];
  const byPorts = new Map<string, EndpointSliceObject[]>();
  for (const slice of existing) {
    const key = portsKey(slice.ports ?? []);
    if (!desired.has(key)) {
      plan.delete.push(slice);
      continue;
    }
    const list = byPorts.get(key);
    if (list) list.push(slice);
    else byPorts.set(key, [slice]);
  }
  for (const [key, group] of desired) {
    const remaining = new Map(group.endpoints);
    const updating: EndpointSliceObject[] = [];
    const keeping: EndpointSliceObject[] = [];
    for (const slice of byPorts.get(key) ?? []) {
      const kept: Endpoint[] = [];
      let changed = false;
      for (const endpoint of slice.endpoints ?? []) {
        const uid = uidOf(endpoint);
        const wanted = remaining.get(uid);
        if (!wanted || kept.length >= max) {
          changed = true;
          continue;
        }
        remaining.delete(uid);
        if (!deepEqual(wanted, endpoint)) changed = true;
        kept.push(wanted);
      }
      if (kept.length === 0) {
        plan.delete.push(slice);
        continue;
      }
      const next = { ...slice, endpoints: kept, metadata: { ...slice.metadata, labels } };
      if (changed || !deepEqual(slice.metadata.labels ?? {}, labels)) updating.push(next);
      else keeping.push(slice);
    }
    // New endpoints go first into slices being written anyway, fullest first.
    updating.sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
    const queue = [...remaining.values()];
    for (const slice of updating) {
      while (queue.length > 0 && (slice.endpoints?.length ?? 0) < max) slice.endpoints?.push(queue.shift() as Endpoint);
    }
    // Then into the one unchanged slice that the rest fits best, if it fits.
    if (queue.length > 0 && queue.length < max) {
      const fits = keeping.filter((slice) => (slice.endpoints?.length ?? 0) + queue.length <= max).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0))[0];
      if (fits) {
        keeping.splice(keeping.indexOf(fits), 1);
        updating.push({ ...fits, endpoints: [...(fits.endpoints ?? []), ...queue.splice(0)], metadata: { ...fits.metadata, labels } });
      }
    }
    while (queue.length > 0) plan.create.push(newSlice(service, group.ports, queue.splice(0, max)));
    plan.update.push(...updating);
    unchanged.push(...keeping);
  }
  // Slices that would go are reused for new ones: an update instead of a delete and a create.
  while (plan.create.length > 0 && plan.delete.length > 0) {
    const created = plan.create.shift() as EndpointSliceObject;
    const reused = plan.delete.shift() as EndpointSliceObject;
    plan.update.push({ ...reused, metadata: { ...reused.metadata, labels }, addressType: 'IPv4', ports: created.ports ?? [], endpoints: created.endpoints });
  }
  // A service without endpoints keeps one empty slice.
  if (plan.create.length === 0 && plan.update.length === 0 && unchanged.length === 0) {
    const placeholder = plan.delete.find((slice) => (slice.endpoints ?? []).length === 0 && (slice.ports ?? []).length === 0);
    if (placeholder) {
      plan.delete.splice(plan.delete.indexOf(placeholder), 1);
      if (!deepEqual(placeholder.metadata.labels ?? {}, labels)) plan.update.push({ ...placeholder, metadata: { ...placeholder.metadata, labels } });
    } else {
      const reused = plan.delete.shift();
      if (reused) plan.update.push({ ...reused, metadata: { ...reused.metadata, labels }, ports: [], endpoints: [] });
      else plan.create.push(newSlice(service, [], []));
    }
  }
  return plan;
}

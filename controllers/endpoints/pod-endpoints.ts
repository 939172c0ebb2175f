/**
 * @module controllers/endpoints/pod-endpoints
 * Layer: controllers (pure). What a Service's pods contribute to its endpoints (upstream endpointslice/util
 * and podutil): which pods are in (an IP, not finished, not being deleted unless terminating ones are
 * wanted), the port a service port resolves to on a pod (a number as is, a name through the containers'
 * named ports of the same protocol), and the hostname a pod gets under a headless subdomain.
 */
import type { ServicePort } from 'kubernetes-types/core/v1.js';
import type { PodObject, ServiceObject } from '../../server/api/kinds.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** Upstream ShouldPodBeInEndpoints. */
export function shouldBeInEndpoints(pod: PodObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  const restart = pod.spec?.restartPolicy ?? 'Always';
  if (restart === 'Never' && (phase === 'Failed' || phase === 'Succeeded')) return false;
  if (restart === 'OnFailure' && phase === 'Succeeded') return false;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The pod's port for a service port (upstream FindPort), or undefined when none matches. */
export function findPort(pod: PodObject, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

export function podIp(pod: PodObject): string | undefined {
  return pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
}

/** A pod under a headless subdomain of this service gets its hostname in the endpoints (ShouldSetHostname). */
export function hostnameFor(pod: PodObject, service: ServiceObject): string | undefined {
  const hostname = pod.spec?.hostname;
  return hostname && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace ? hostname : undefined;
}

export function isHeadless(service: ServiceObject): boolean {
  const ip = service.spec?.clusterIP;
  return ip === undefined || ip === '' || ip === 'None';
}

/** Whether the controllers publish endpoints for the service: it has a selector and is not an ExternalName. */
export function hasSelector(service: ServiceObject): boolean {
  return service.spec?.type !== 'ExternalName' && service.spec?.selector !== undefined && Object.keys(service.spec.selector).length > 0;
}

export function podReference(pod: PodObject) {
  return { kind: 'Pod', namespace: pod.metadata.namespace as string, name: pod.metadata.name as string, uid: pod.metadata.uid as string };
}

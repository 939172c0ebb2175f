/**
 * @module controllers/endpoints/subsets
 * Layer: controllers (pure). A Service's core/v1 Endpoints subsets (upstream endpoints controller and
 * RepackSubsets): each pod's address under each port it resolves, not-ready winning over ready for a port,
 * then addresses grouped by the ports they share; addresses sorted by IP, ports by name; and the 1,000
 * address cap, ready addresses kept first.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';
import { isReady } from '../toolkit/pod-state.js';
import type { PodObject, ServiceObject } from '../../server/api/kinds.js';
import { findPort, hostnameFor, isHeadless, podIp, podReference, shouldBeInEndpoints } from './pod-endpoints.js';

export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/** A port key: the port itself, or the sentinel for services without ports. */
const NO_PORT = '';

function portKey(port: EndpointPort | undefined): string {
  return port ? JSON.stringify([port.name ?? '', port.port, port.protocol ?? 'TCP', port.appProtocol ?? '']) : NO_PORT;
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function byAddress(a: EndpointAddress, b: EndpointAddress): number {
  return compareIp(a.ip, b.ip) || ((a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : (a.targetRef?.uid ?? '') > (b.targetRef?.uid ?? '') ? 1 : 0);
}

/** The subsets for a service and its selected pods. */
export function endpointSubsets(service: ServiceObject, pods: readonly PodObject[]): EndpointSubset[] {
  const tolerateUnready = service.spec?.publishNotReadyAddresses === true;
  const servicePorts = service.spec?.ports ?? [];
  // port key → (address key → ready), and the objects behind the keys
  const byPort = new Map<string, Map<string, boolean>>();
  const ports = new Map<string, EndpointPort | undefined>();
  const addresses = new Map<string, EndpointAddress>();
  const offer = (port: EndpointPort | undefined, address: EndpointAddress, ready: boolean) => {
    const key = portKey(port);
    ports.set(key, port);
    const addressKey = `${address.ip}/${address.targetRef?.uid ?? ''}`;
    addresses.set(addressKey, address);
    let set = byPort.get(key);
    if (!set) byPort.set(key, (set = new Map()));
    const before = set.get(addressKey);
    set.set(addressKey, before === undefined ? ready : before && ready);
  };
  for (const pod of pods) {
    if (!shouldBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIp(pod) as string;
    const hostname = hostnameFor(pod, service);
    const address: EndpointAddress = { ip, ...(hostname && { hostname }), ...(pod.spec?.nodeName && { nodeName: pod.spec.nodeName }), targetRef: podReference(pod) };
    const ready = tolerateUnready || isReady(pod);
    if (servicePorts.length === 0) {
      if (isHeadless(service)) offer(undefined, address, ready);
      continue;
    }
    for (const servicePort of servicePorts) {
      const number = findPort(pod, servicePort);
      if (number === undefined) continue;
      offer({ ...(servicePort.name && { name: servicePort.name }), port: number, protocol: servicePort.protocol ?? 'TCP', ...(servicePort.appProtocol && { appProtocol: servicePort.appProtocol }) }, address, ready);
    }
  }
  // Ports that share exactly the same addresses (and readiness) form one subset.
  const groups = new Map<string, { ports: EndpointPort[]; members: Map<string, boolean> }>();
  for (const [key, members] of byPort) {
    const signature = [...members].map(([address, ready]) => `${address}=${ready}`).sort().join(',');
    let group = groups.get(signature);
    if (!group) groups.set(signature, (group = { ports: [], members }));
    const port = ports.get(key);
    if (port) group.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const { ports: groupPorts, members } of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [key, isReadyHere] of members) (isReadyHere ? ready : notReady).push(addresses.get(key) as EndpointAddress);
    ready.sort(byAddress);
    notReady.sort(byAddress);
    groupPorts.sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : a.port - b.port));
    subsets.push({ ...(ready.length > 0 && { addresses: ready }), ...(notReady.length > 0 && { notReadyAddresses: notReady }), ...(groupPorts.length > 0 && { ports: groupPorts }) });
  }
  const firstPort = (subset: EndpointSubset) => subset.ports?.[0]?.name ?? '';
  subsets.sort((a, b) => compareIp((a.addresses ?? a.notReadyAddresses ?? [])[0]?.ip ?? '', (b.addresses ?? b.notReadyAddresses ?? [])[0]?.ip ?? '') || (firstPort(a) < firstPort(b) ? -1 : firstPort(a) > firstPort(b) ? 1 : 0));
  return subsets;
}

/** Cap the subsets at 1,000 addresses, ready ones first (upstream truncateEndpoints); whether anything was cut. */
export function truncate(subsets: EndpointSubset[]): boolean {
  let ready = 0;
  let total = 0;
  for (const subset of subsets) {
    ready += subset.addresses?.length ?? 0;
    total += (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
  }
  if (total <= MAX_ENDPOINTS_ADDRESSES) return false;
  if (ready > MAX_ENDPOINTS_ADDRESSES) {
    // Keep a share of each subset's ready addresses; drop every not-ready one.
    let left = MAX_ENDPOINTS_ADDRESSES;
    for (const subset of subsets) {
      delete subset.notReadyAddresses;
      const keep = Math.min(left, Math.ceil(((subset.addresses?.length ?? 0) * MAX_ENDPOINTS_ADDRESSES) / ready));
      if (subset.addresses) subset.addresses = subset.addresses.slice(0, keep);
      left -= subset.addresses?.length ?? 0;
    }
  } else {
    let left = MAX_ENDPOINTS_ADDRESSES - ready;
    for (const subset of subsets) {
      if (!subset.notReadyAddresses) continue;
      subset.notReadyAddresses = subset.notReadyAddresses.slice(0, Math.max(0, left));
      left -= subset.notReadyAddresses.length;
      if (subset.notReadyAddresses.length === 0) delete subset.notReadyAddresses;
    }
  }
  return true;
}

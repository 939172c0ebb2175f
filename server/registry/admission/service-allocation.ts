/**
 * @module server/registry/admission/service-allocation
 * Layer: registry (admission). What kube-apiserver's service REST storage allocates on create: the IP
 * family fields, a cluster IP from the service range (10.96.0.0/12; 10.96.0.1 is the `kubernetes` service's)
 * and node ports from 30000–32767 — unique among existing services, or the user's own choice if it is free.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { field, invalidError } from '../../api/field-errors.js';
import { isIPv4 } from '../../api/names.js';
import type { Kube } from '../../api/object.js';
import type { AdmissionPlugin, AdmissionReader, AdmissionRequest } from './types.js';

type ServiceObject = Kube<Service>;

export const SERVICE_CIDR = '10.96.0.0/12';
const RANGE_START = ipToNumber('10.96.0.0');
const RANGE_SIZE = 1 << 20;
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

function inRange(ip: string): boolean {
  const n = ipToNumber(ip);
  return n > RANGE_START && n < RANGE_START + RANGE_SIZE - 1;
}

function existing(reader: AdmissionReader, resource: AdmissionRequest['resource']): ServiceObject[] {
  return reader.list(resource, undefined).map((stored) => stored.object as ServiceObject);
}

function allocateIp(used: Set<string>): string {
  // Random picks from the upper band, as upstream prefers, leaving the low addresses to users.
  for (let attempt = 0; attempt < 64; attempt++) {
    const candidate = numberToIp(RANGE_START + 256 + Math.floor(Math.random() * (RANGE_SIZE - 512)));
    if (!used.has(candidate)) return candidate;
  }
  for (let n = RANGE_START + 2; n < RANGE_START + RANGE_SIZE - 1; n++) if (!used.has(numberToIp(n))) return numberToIp(n);
  throw new Error('failed to allocate a serviceIP: range is full');
}

export const serviceAllocation: AdmissionPlugin = {
  name: 'ServiceAllocation',
  admit(request, reader) {
    if (request.resource.group !== '' || request.resource.plural !== 'services' || request.operation !== 'CREATE' || !request.object) return;
    const service = request.object as ServiceObject;
    const spec = (service.spec ??= {});
    if (spec.type === 'ExternalName') return;
    const others = existing(reader, request.resource);
    const headless = spec.clusterIP === 'None';
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headless && Object.keys(spec.selector ?? {}).length === 0 ? 'RequireDualStack' : 'SingleStack';
    spec.ipFamilies ??= spec.ipFamilyPolicy === 'RequireDualStack' ? ['IPv4', 'IPv6'] : ['IPv4'];
    const name = service.metadata.name ?? '';
    if (headless) {
      spec.clusterIPs = ['None'];
    } else {
      const used = new Set(others.flatMap((s) => s.spec?.clusterIPs ?? []));
      const wanted = spec.clusterIP || spec.clusterIPs?.[0];
      if (wanted) {
        const problem = !isIPv4(wanted)
          ? 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'
          : !inRange(wanted)
            ? `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`
            : used.has(wanted)
              ? `failed to allocate IP ${wanted}: provided IP is already allocated`
              : undefined;
        if (problem) throw invalidError({ group: '', kind: 'Service' }, name, [field.invalid('spec.clusterIPs', [wanted], problem)]);
        spec.clusterIP = wanted;
      } else {
        spec.clusterIP = allocateIp(used);
      }
      spec.clusterIPs = [spec.clusterIP];
    }
    if (spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)) {
      const taken = new Set(others.flatMap((s) => (s.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => Boolean(p))));
      (spec.ports ?? []).forEach((port, i) => {
        if (port.nodePort) {
          if (port.nodePort < NODE_PORT_MIN || port.nodePort > NODE_PORT_MAX) {
            throw invalidError({ group: '', kind: 'Service' }, name, [
              field.invalid(`spec.ports[${i}].nodePort`, port.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`),
            ]);
          }
          if (taken.has(port.nodePort)) throw invalidError({ group: '', kind: 'Service' }, name, [field.invalid(`spec.ports[${i}].nodePort`, port.nodePort, 'provided port is already allocated')]);
        } else {
          let candidate = NODE_PORT_MIN + 86 + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN - 86));
          while (taken.has(candidate)) candidate = candidate >= NODE_PORT_MAX ? NODE_PORT_MIN : candidate + 1;
          port.nodePort = candidate;
        }
        taken.add(port.nodePort);
      });
    }
  },
};


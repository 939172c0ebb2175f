/**
 * @module server/registry/resources/services
 * Layer: registry (kind declaration). core/v1 Service: defaults, validation, allocated values (clusterIP,
 * nodePorts — allocated by the service-allocation admission step) kept across updates, the printer.
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { formatLabels } from '../../api/labels.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../api/names.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { validateLabels } from '../validation/object-meta.js';
import { age } from './common.js';

export type ServiceObject = Kube<Service>;
const CORE = 'io.k8s.api.core.v1';
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];

function defaults(service: ServiceObject): void {
  const spec = (service.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  else if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const port of spec.ports ?? []) {
    port.protocol ??= 'TCP';
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
  if (external) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

function validatePort(port: ServicePort, at: string, count: number, spec: NonNullable<ServiceObject['spec']>): FieldError[] {
  const errors: FieldError[] = [];
  if (count > 1 && !port.name) errors.push(field.required(`${at}.name`));
  if (port.name) for (const message of isDNS1123Label(port.name)) errors.push(field.invalid(`${at}.name`, port.name, message));
  for (const message of isValidPortNum(port.port)) errors.push(field.invalid(`${at}.port`, port.port, message));
  if (!port.protocol) errors.push(field.required(`${at}.protocol`));
  else if (!PROTOCOLS.includes(port.protocol)) errors.push(field.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
  if (typeof port.targetPort === 'number') for (const message of isValidPortNum(port.targetPort)) errors.push(field.invalid(`${at}.targetPort`, port.targetPort, message));
  else if (typeof port.targetPort === 'string') for (const message of isValidPortName(port.targetPort)) errors.push(field.invalid(`${at}.targetPort`, port.targetPort, message));
  if (port.nodePort && spec.type === 'ClusterIP') errors.push(field.forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
  return errors;
}

function validate(service: ServiceObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = service.spec ?? {};
  if (!spec.type) errors.push(field.required('spec.type'));
  else if (!TYPES.includes(spec.type)) errors.push(field.notSupported('spec.type', spec.type, TYPES));
  if (spec.sessionAffinity && !AFFINITIES.includes(spec.sessionAffinity)) errors.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  const headless = spec.clusterIP === 'None';
  if (spec.type === 'ExternalName') {
    const name = (spec.externalName ?? '').replace(/\.$/, '');
    if (!name) errors.push(field.required('spec.externalName'));
    else for (const message of isDNS1123Subdomain(name)) errors.push(field.invalid('spec.externalName', spec.externalName, message));
  } else if ((spec.ports ?? []).length === 0 && !headless) {
    errors.push(field.required('spec.ports'));
  }
  if (headless && (spec.type === 'LoadBalancer' || spec.type === 'NodePort')) {
    errors.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  const names = new Set<string>();
  const ports = new Set<string>();
  (spec.ports ?? []).forEach((port, i) => {
    const at = `spec.ports[${i}]`;
    for (const problem of validatePort(port, at, (spec.ports ?? []).length, spec)) errors.push(problem);
    if (port.name) {
      if (names.has(port.name)) errors.push(field.duplicate(`${at}.name`, port.name));
      names.add(port.name);
    }
    const id = `${port.protocol}/${port.port}`;
    if (ports.has(id)) errors.push(field.duplicate(at, `${port.protocol}:${port.port}`));
    ports.add(id);
  });
  for (const problem of validateLabels(spec.selector, 'spec.selector')) errors.push(problem);
  return errors;
}

function validateUpdate(service: ServiceObject, old: ServiceObject): FieldError[] {
  const before = old.spec?.clusterIPs ?? [];
  const after = service.spec?.clusterIPs ?? [];
  if (before.length > 0 && after.length > 0 && before[0] !== after[0] && old.spec?.type !== 'ExternalName' && service.spec?.type !== 'ExternalName') {
    return [field.invalid('spec.clusterIPs[0]', after, 'may not change once set')];
  }
  return [];
}

/** Values the allocator assigned survive a PUT that leaves them out (upstream's patchAllocatedValues). */
function keepAllocated(service: ServiceObject, old: ServiceObject): void {
  const spec = (service.spec ??= {});
  const before = old.spec ?? {};
  if (spec.type === 'ExternalName' || before.type === 'ExternalName') return;
  if (!spec.clusterIP && before.clusterIP) spec.clusterIP = before.clusterIP;
  if (!spec.clusterIPs && before.clusterIPs) spec.clusterIPs = [...before.clusterIPs];
  if (!spec.ipFamilies && before.ipFamilies) spec.ipFamilies = [...before.ipFamilies];
  if (!spec.ipFamilyPolicy && before.ipFamilyPolicy) spec.ipFamilyPolicy = before.ipFamilyPolicy;
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    for (const port of spec.ports ?? []) {
      if (port.nodePort) continue;
      const match = (before.ports ?? []).find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (match?.nodePort) port.nodePort = match.nodePort;
    }
  }
}

function externalIP(service: ServiceObject): string {
  const spec = service.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = [...new Set((service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || ''))].filter(Boolean).sort();
      if (external.length > 0) return [...ingress, ...external].join(',');
      return ingress.length > 0 ? ingress.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function portsCell(service: ServiceObject): string {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

export const services = defineResource<ServiceObject>({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  deletion: { returnDeletedObject: true },
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  status: true,
  subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  validateName: isDNS1035Label,
  strategy: {
    defaults,
    prepareForCreate(service) {
      service.status = { loadBalancer: {} };
    },
    prepareForUpdate: keepAllocated,
    validate,
    validateUpdate,
  },
  fieldSelectors: {
    'spec.clusterIP': (service) => service.spec?.clusterIP ?? '',
    'spec.type': (service) => service.spec?.type ?? '',
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', description: [`${CORE}.ServiceSpec`, 'type'] },
      { name: 'Cluster-IP', type: 'string', description: [`${CORE}.ServiceSpec`, 'clusterIP'] },
      { name: 'External-IP', type: 'string', description: [`${CORE}.ServiceSpec`, 'externalIPs'] },
      { name: 'Port(s)', type: 'string', description: [`${CORE}.ServiceSpec`, 'ports'] },
      ageColumn,
      { name: 'Selector', type: 'string', priority: 1, description: [`${CORE}.ServiceSpec`, 'selector'] },
    ],
    cells: (service, now) => [
      service.metadata.name ?? '',
      service.spec?.type ?? '',
      service.spec?.clusterIPs?.[0] ?? '<none>',
      externalIP(service),
      portsCell(service),
      age(service, now),
      formatLabels(service.spec?.selector),
    ],
  },
});

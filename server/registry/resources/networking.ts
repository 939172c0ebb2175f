/**
 * @module server/registry/resources/networking
 * Layer: registry (kind declarations). networking.k8s.io/v1 NetworkPolicy, Ingress, IngressClass and
 * discovery.k8s.io/v1 EndpointSlice. kubemu stores them (nothing routes traffic).
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { formatLabelSelector } from '../../api/labels.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age, startGeneration } from './common.js';

type IngressObject = Kube<Ingress>;
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

export const networkpolicies = defineResource<Kube<NetworkPolicy>>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  strategy: {
    defaults(policy) {
      const spec = (policy.spec ??= { podSelector: {} });
      spec.podSelector ??= {};
      if (!spec.policyTypes || spec.policyTypes.length === 0) spec.policyTypes = (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const port of rule.ports ?? []) port.protocol ??= 'TCP';
    },
    prepareForCreate: startGeneration,
  },
  table: {
    columns: [nameColumn, { name: 'Pod-Selector', type: 'string', description: ['io.k8s.api.networking.v1.NetworkPolicySpec', 'podSelector'] }, ageColumn],
    cells: (policy, now) => [policy.metadata.name ?? '', formatLabelSelector(policy.spec?.podSelector ?? {}), age(policy, now)],
  },
});

function validateIngress(ingress: IngressObject): FieldError[] {
  const errors: FieldError[] = [];
  (ingress.spec?.rules ?? []).forEach((rule, i) => {
    (rule.http?.paths ?? []).forEach((path, j) => {
      const at = `spec.rules[${i}].http.paths[${j}]`;
      if (!path.pathType) errors.push(field.required(`${at}.pathType`, 'pathType must be specified'));
      else if (!PATH_TYPES.includes(path.pathType)) errors.push(field.notSupported(`${at}.pathType`, path.pathType, PATH_TYPES));
    });
  });
  return errors;
}

function hosts(ingress: IngressObject): string {
  const rules = ingress.spec?.rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === 3) {
      more = true;
      break;
    }
    if (rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  return list.join(',') + (more ? ` + ${rules.length - 3} more...` : '');
}

export const ingresses = defineResource<IngressObject>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  status: true,
  strategy: {
    prepareForCreate(ingress) {
      startGeneration(ingress);
      ingress.status = { loadBalancer: {} };
    },
    validate: validateIngress,
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for additional configuration' },
      { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule' },
      { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer' },
      { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open' },
      ageColumn,
    ],
    cells: (ingress, now) => [
      ingress.metadata.name ?? '',
      ingress.spec?.ingressClassName ?? '<none>',
      hosts(ingress),
      [...new Set((ingress.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || ''))].filter(Boolean).sort().join(','),
      (ingress.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      age(ingress, now),
    ],
  },
});

export const ingressclasses = defineResource<Kube<IngressClass>>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  strategy: {
    defaults(ingressClass) {
      if (ingressClass.spec?.parameters) ingressClass.spec.parameters.scope ??= 'Cluster';
    },
    prepareForCreate: startGeneration,
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class' },
      { name: 'Parameters', type: 'string', description: 'A reference to a resource with additional parameters' },
      ageColumn,
    ],
    cells: (ingressClass, now) => {
      const parameters = ingressClass.spec?.parameters;
      const text = parameters ? `${parameters.kind}${parameters.apiGroup ? `.${parameters.apiGroup}` : ''}/${parameters.name}` : '<none>';
      return [ingressClass.metadata.name ?? '', ingressClass.spec?.controller ?? '', text, age(ingressClass, now)];
    },
  },
});

function listWithMore(list: string[], total: number): string {
  if (list.length === 0) return '<unset>';
  return list.slice(0, 3).join(',') + (total > 3 ? ` + ${total - 3} more...` : '');
}

export const endpointslices = defineResource<Kube<EndpointSlice>>({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  strategy: {
    defaults(slice) {
      for (const port of slice.ports ?? []) {
        port.name ??= '';
        port.protocol ??= 'TCP';
      }
    },
    prepareForCreate: startGeneration,
  },
  table: {
    columns: [
      nameColumn,
      { name: 'AddressType', type: 'string', description: ['io.k8s.api.discovery.v1.EndpointSlice', 'addressType'] },
      { name: 'Ports', type: 'string', description: ['io.k8s.api.discovery.v1.EndpointSlice', 'ports'] },
      { name: 'Endpoints', type: 'string', description: ['io.k8s.api.discovery.v1.EndpointSlice', 'endpoints'] },
      ageColumn,
    ],
    cells: (slice, now) => {
      const ports = (slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name || '*'));
      const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
      return [slice.metadata.name ?? '', slice.addressType ?? '', listWithMore(ports, ports.length), listWithMore(addresses, addresses.length), age(slice, now)];
    },
  },
});

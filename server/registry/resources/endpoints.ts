/**
 * @module server/registry/resources/endpoints
 * Layer: registry (kind declaration). core/v1 Endpoints.
 */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type EndpointsObject = Kube<Endpoints>;

/** Up to three ip:port entries, then " + N more..." (kubectl's formatEndpoints). */
function endpointsCell(object: EndpointsObject): string {
  const subsets = object.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const address of addresses) if (list.length < 3) list.push(address.ip);
    } else {
      for (const port of ports) {
        count += addresses.length;
        for (const address of addresses) if (list.length < 3) list.push(address.ip.includes(':') ? `[${address.ip}]:${port.port}` : `${address.ip}:${port.port}`);
      }
    }
  }
  return list.join(',') + (count > 3 ? ` + ${count - 3} more...` : '');
}

export const endpoints = defineResource<EndpointsObject>({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  strategy: {
    defaults(object) {
      for (const subset of object.subsets ?? []) for (const port of subset.ports ?? []) port.protocol ??= 'TCP';
    },
    allowCreateOnUpdate: true,
  },
  table: {
    columns: [nameColumn, { name: 'Endpoints', type: 'string', description: ['io.k8s.api.core.v1.Endpoints', 'subsets'] }, ageColumn],
    cells: (object, now) => [object.metadata.name ?? '', endpointsCell(object), age(object, now)],
  },
});

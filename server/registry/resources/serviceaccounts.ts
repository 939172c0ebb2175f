/**
 * @module server/registry/resources/serviceaccounts
 * Layer: registry (kind declaration). core/v1 ServiceAccount (the token subresource answers TokenRequests).
 */
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

export const serviceaccounts = defineResource<Kube<ServiceAccount>>({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  deletion: { returnDeletedObject: true },
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  table: {
    columns: [nameColumn, { name: 'Secrets', type: 'string', description: ['io.k8s.api.core.v1.ServiceAccount', 'secrets'] }, ageColumn],
    cells: (object, now) => [object.metadata.name ?? '', (object.secrets ?? []).length, age(object, now)],
  },
});

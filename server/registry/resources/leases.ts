/**
 * @module server/registry/resources/leases
 * Layer: registry (kind declaration). coordination.k8s.io/v1 Lease (node heartbeats, leader election).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type LeaseObject = Kube<Lease>;

function validate(lease: LeaseObject): FieldError[] {
  const errors: FieldError[] = [];
  const duration = lease.spec?.leaseDurationSeconds;
  if (duration !== undefined && duration <= 0) errors.push(field.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = lease.spec?.leaseTransitions;
  if (transitions !== undefined && transitions < 0) errors.push(field.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return errors;
}

export const leases = defineResource<LeaseObject>({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  strategy: { validate },
  table: {
    columns: [nameColumn, { name: 'Holder', type: 'string', description: ['io.k8s.api.coordination.v1.LeaseSpec', 'holderIdentity'] }, ageColumn],
    cells: (lease, now) => [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, now)],
  },
});

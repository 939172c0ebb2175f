/**
 * @module server/registry/resources/replicasets
 * Layer: registry (kind declarations). apps/v1 ReplicaSet and core/v1 ReplicationController.
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { formatLabels, formatLabelSelector, fromMap } from '../../api/labels.js';
import type { Kube } from '../../api/object.js';
import { defineResource, type TableColumn } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { validateLabels } from '../validation/object-meta.js';
import { age, nonNegative, replicaScale, startGeneration, validateSelectorAndTemplate } from './common.js';
import { containerCells, defaultPodTemplate, validatePodTemplate } from './pod-spec.js';
import type { ReplicaSetObject } from '../../api/kinds.js';

type ControllerObject = Kube<ReplicationController>;

function replicaColumns(definition: string): TableColumn[] {
  return [
    nameColumn,
    { name: 'Desired', type: 'integer', description: [`${definition}Spec`, 'replicas'] },
    { name: 'Current', type: 'integer', description: [`${definition}Status`, 'replicas'] },
    { name: 'Ready', type: 'integer', description: [`${definition}Status`, 'readyReplicas'] },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
    { name: 'Selector', type: 'string', priority: 1, description: [`${definition}Spec`, 'selector'] },
  ];
}

function validateReplicaSet(rs: ReplicaSetObject): FieldError[] {
  const spec = rs.spec;
  if (!spec) return [field.required('spec')];
  const errors = nonNegative(spec.replicas, 'spec.replicas');
  for (const problem of nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')) errors.push(problem);
  for (const problem of validateSelectorAndTemplate(spec.selector, spec.template?.metadata?.labels, 'deployment')) errors.push(problem);
  if (spec.template) for (const problem of validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'] })) errors.push(problem);
  return errors;
}

export const replicasets = defineResource<ReplicaSetObject>({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  status: true,
  scale: replicaScale(),
  strategy: {
    defaults(rs) {
      if (!rs.spec) return;
      rs.spec.replicas ??= 1;
      defaultPodTemplate(rs.spec.template);
    },
    prepareForCreate(rs) {
      startGeneration(rs);
      rs.status = { replicas: 0 };
    },
    validate: validateReplicaSet,
    validateUpdate: (rs, old) => (deepEqual(rs.spec?.selector, old.spec?.selector) ? [] : [field.immutable('spec.selector', rs.spec?.selector)]),
  },
  fieldSelectors: { 'status.replicas': (rs) => String(rs.status?.replicas ?? 0) },
  table: {
    columns: replicaColumns('io.k8s.api.apps.v1.ReplicaSet'),
    cells: (rs, now) => [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs, now),
      ...containerCells(rs.spec?.template?.spec),
      formatLabelSelector(rs.spec?.selector),
    ],
  },
});

export const replicationcontrollers = defineResource<ControllerObject>({
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  // core/v1 keeps the pods of a deleted ReplicationController unless told otherwise (upstream, for compatibility).
  deletion: { defaultPropagation: 'Orphan' },
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  status: true,
  scale: replicaScale(true),
  strategy: {
    defaults(rc) {
      const spec = (rc.spec ??= {});
      spec.replicas ??= 1;
      const templateLabels = spec.template?.metadata?.labels;
      if (templateLabels && Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...templateLabels };
      if (templateLabels && Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...templateLabels };
      defaultPodTemplate(spec.template);
    },
    prepareForCreate(rc) {
      startGeneration(rc);
      rc.status = { replicas: 0 };
    },
    validate(rc) {
      const spec = rc.spec ?? {};
      const errors = nonNegative(spec.replicas, 'spec.replicas');
      if (Object.keys(spec.selector ?? {}).length === 0) errors.push(field.required('spec.selector'));
      for (const problem of validateLabels(spec.selector, 'spec.selector')) errors.push(problem);
      if (spec.template) {
        if (!fromMap(spec.selector).matches(spec.template.metadata?.labels)) {
          errors.push(field.invalid('spec.template.metadata.labels', spec.template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
        }
        for (const problem of validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'] })) errors.push(problem);
      }
      return errors;
    },
  },
  fieldSelectors: { 'status.replicas': (rc) => String(rc.status?.replicas ?? 0) },
  table: {
    columns: replicaColumns('io.k8s.api.core.v1.ReplicationController'),
    cells: (rc, now) => [
      rc.metadata.name ?? '',
      rc.spec?.replicas ?? 0,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      age(rc, now),
      ...containerCells(rc.spec?.template?.spec),
      formatLabels(rc.spec?.selector),
    ],
  },
});

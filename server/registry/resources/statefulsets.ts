/**
 * @module server/registry/resources/statefulsets
 * Layer: registry (kind declarations). apps/v1 StatefulSet and ControllerRevision, core/v1 PodTemplate.
 */
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age, nonNegative, replicaScale, startGeneration, validateSelectorAndTemplate } from './common.js';
import { containerCells, defaultPodTemplate, validatePodTemplate } from './pod-spec.js';

type StatefulSetObject = Kube<StatefulSet>;
type RevisionObject = Kube<ControllerRevision>;

const MUTABLE_SPEC = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validate(sts: StatefulSetObject): FieldError[] {
  const spec = sts.spec;
  if (!spec) return [field.required('spec')];
  const errors = nonNegative(spec.replicas, 'spec.replicas');
  for (const problem of validateSelectorAndTemplate(spec.selector, spec.template?.metadata?.labels, 'statefulset')) errors.push(problem);
  // Each claim template becomes a volume of every pod (as upstream 1.34 validates the template).
  const addedVolumes = (spec.volumeClaimTemplates ?? []).map((claim) => claim.metadata?.name ?? '').filter((name) => name !== '');
  for (const problem of validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'], addedVolumes })) errors.push(problem);
  if (spec.podManagementPolicy && !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
    errors.push(field.invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const type = spec.updateStrategy?.type;
  if (type && !['RollingUpdate', 'OnDelete'].includes(type)) errors.push(field.invalid('spec.updateStrategy', type, "must be 'RollingUpdate' or 'OnDelete'"));
  for (const problem of nonNegative(spec.updateStrategy?.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition')) errors.push(problem);
  return errors;
}

function validateUpdate(sts: StatefulSetObject, old: StatefulSetObject): FieldError[] {
  const strip = (spec: unknown) => Object.fromEntries(Object.entries((spec ?? {}) as Record<string, unknown>).filter(([k]) => !MUTABLE_SPEC.includes(k)));
  if (!deepEqual(strip(sts.spec), strip(old.spec))) {
    return [
      field.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    ];
  }
  return [];
}

export const statefulsets = defineResource<StatefulSetObject>({
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  status: true,
  scale: replicaScale(),
  strategy: {
    defaults(sts) {
      const spec = sts.spec;
      if (!spec) return;
      spec.podManagementPolicy ??= 'OrderedReady';
      if (!spec.updateStrategy?.type) spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0, ...(spec.updateStrategy?.rollingUpdate ?? {}) } };
      else if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate) spec.updateStrategy.rollingUpdate.partition ??= 0;
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      defaultPodTemplate(spec.template);
      for (const claim of spec.volumeClaimTemplates ?? []) {
        const meta = (claim.metadata ??= {}) as Record<string, unknown>;
        if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
        claim.spec ??= {};
        claim.spec.volumeMode ??= 'Filesystem';
        (claim as { status?: unknown }).status ??= { phase: 'Pending' };
      }
    },
    prepareForCreate(sts) {
      startGeneration(sts);
      sts.status = { replicas: 0, availableReplicas: 0 };
    },
    validate,
    validateUpdate,
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' },
      ageColumn,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
    ],
    cells: (sts, now) => [
      sts.metadata.name ?? '',
      `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`,
      age(sts, now),
      ...containerCells(sts.spec?.template?.spec),
    ],
  },
});

/** kubectl's CONTROLLER cell: `<kind.group>/<name>` of the controller owner, lower-cased. */
function controllerCell(revision: RevisionObject): string {
  const owner = (revision.metadata.ownerReferences ?? []).find((ref) => ref.controller);
  if (!owner) return '<none>';
  const group = owner.apiVersion.includes('/') ? owner.apiVersion.slice(0, owner.apiVersion.indexOf('/')) : '';
  return `${(group ? `${owner.kind}.${group}` : owner.kind).toLowerCase()}/${owner.name}`;
}

export const controllerrevisions = defineResource<RevisionObject>({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  strategy: {
    validate(revision) {
      const errors: FieldError[] = [];
      if (revision.data === undefined || revision.data === null) errors.push(field.required('data', 'data is mandatory'));
      for (const problem of nonNegative(revision.revision, 'revision')) errors.push(problem);
      return errors;
    },
    validateUpdate: (revision, old) => (deepEqual(revision.data, old.data) ? [] : [field.immutable('data', revision.data)]),
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Controller', type: 'string', description: 'Controller of the object' },
      { name: 'Revision', type: 'string', description: ['io.k8s.api.apps.v1.ControllerRevision', 'revision'] },
      ageColumn,
    ],
    cells: (revision, now) => [revision.metadata.name ?? '', controllerCell(revision), revision.revision ?? 0, age(revision, now)],
  },
});

export const podtemplates = defineResource<Kube<PodTemplate>>({
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  strategy: {
    defaults: (template) => defaultPodTemplate(template.template),
    validate: (template) => validatePodTemplate(template.template, 'template'),
  },
  table: {
    columns: [
      { name: 'Template', type: 'string', description: ['io.k8s.api.core.v1.PodTemplate', 'template'] },
      { name: 'Containers', type: 'string', description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.' },
      { name: 'Pod Labels', type: 'string', description: ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'labels'] },
    ],
    cells: (template) => [
      template.metadata.name ?? '',
      ...containerCells(template.template?.spec),
      Object.entries(template.template?.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>',
    ],
  },
});

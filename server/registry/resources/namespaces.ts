/**
 * @module server/registry/resources/namespaces
 * Layer: registry (kind declaration). core/v1 Namespace: the kubernetes.io/metadata.name label, the
 * `kubernetes` finalizer, phase Active (Terminating once deleted), status and finalize subresources.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { isDNS1123Label } from '../../api/names.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { validateFinalizers } from '../validation/object-meta.js';
import { age } from './common.js';

type NamespaceObject = Kube<Namespace>;

export const NAME_LABEL = 'kubernetes.io/metadata.name';

export const namespaces = defineResource<NamespaceObject>({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  deletion: {
    returnDeletedObject: true,
    // The namespace controller empties spec.finalizers (through /finalize) once the contents are gone.
    holdsDeletion: (namespace) => (namespace.spec?.finalizers ?? []).length > 0,
    onDeletionStarted(namespace) {
      namespace.status = { ...(namespace.status ?? {}), phase: 'Terminating' };
    },
  },
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  status: {
    validateUpdate(object) {
      const phase = object.status?.phase;
      if (phase === 'Active' && object.metadata.deletionTimestamp) {
        return [field.invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty")];
      }
      if (phase === 'Terminating' && !object.metadata.deletionTimestamp) {
        return [field.invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
      }
      return [];
    },
  },
  subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  updateSubresources: {
    finalize: (requested, old) => ({ ...structuredClone(old), spec: { ...(old.spec ?? {}), finalizers: [...(requested.spec?.finalizers ?? [])] } }),
  },
  validateName: isDNS1123Label,
  strategy: {
    defaults(object) {
      // The name label is always present and always right (upstream sets it on create and update).
      object.metadata.labels = { ...(object.metadata.labels ?? {}), [NAME_LABEL]: object.metadata.name as string };
    },
    prepareForCreate(object) {
      const finalizers = object.spec?.finalizers ?? [];
      object.spec = { ...(object.spec ?? {}), finalizers: finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'] };
      object.status = { phase: 'Active' };
    },
    prepareForUpdate(object, old) {
      // spec.finalizers change only through /finalize.
      object.spec = old.spec ? structuredClone(old.spec) : {};
    },
    validate(object): FieldError[] {
      return validateFinalizers(object.spec?.finalizers, 'spec.finalizers');
    },
  },
  fieldSelectors: { 'status.phase': (object) => object.status?.phase ?? '' },
  table: {
    columns: [nameColumn, { name: 'Status', type: 'string', description: 'The status of the namespace' }, ageColumn],
    cells: (object, now) => [object.metadata.name ?? '', object.status?.phase ?? '', age(object, now)],
  },
});

/**
 * @module server/registry/resources/storage-classes
 * Layer: registry (kind declaration). storage.k8s.io/v1 StorageClass.
 */
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type StorageClassObject = Kube<StorageClass>;
const STORAGE = 'io.k8s.api.storage.v1.StorageClass';

export function isDefaultClass(annotations: Record<string, string> | undefined): boolean {
  return annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

export const storageclasses = defineResource<StorageClassObject>({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  deletion: { returnDeletedObject: true },
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  strategy: {
    defaults(sc) {
      sc.reclaimPolicy ??= 'Delete';
      sc.volumeBindingMode ??= 'Immediate';
    },
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Provisioner', type: 'string', description: [STORAGE, 'provisioner'] },
      { name: 'ReclaimPolicy', type: 'string', description: [STORAGE, 'reclaimPolicy'] },
      { name: 'VolumeBindingMode', type: 'string', description: [STORAGE, 'volumeBindingMode'] },
      { name: 'AllowVolumeExpansion', type: 'string', description: [STORAGE, 'allowVolumeExpansion'] },
      ageColumn,
    ],
    cells: (sc, now) => [
      `${sc.metadata.name ?? ''}${isDefaultClass(sc.metadata.annotations) ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(sc, now),
    ],
  },
});

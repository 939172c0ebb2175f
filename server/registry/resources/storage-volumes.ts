/**
 * @module server/registry/resources/storage-volumes
 * Layer: registry (kind declarations). core/v1 PersistentVolume and PersistentVolumeClaim.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../api/object.js';
import { rfc3339 } from '../../api/time.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type PVObject = Kube<PersistentVolume>;
type PVCObject = Kube<PersistentVolumeClaim>;
const CORE = 'io.k8s.api.core.v1';
const MODE_ABBREVIATIONS: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

function accessModes(modes: readonly string[] | undefined): string {
  return MODE_ABBREVIATIONS.filter(([mode]) => (modes ?? []).includes(mode)).map(([, short]) => short).join(',');
}

function storageClass(annotations: Record<string, string> | undefined, className: string | undefined): string {
  const annotated = annotations?.['volume.beta.kubernetes.io/storage-class'];
  return annotated !== undefined ? annotated : (className ?? '');
}

export const persistentvolumes = defineResource<PVObject>({
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  status: true,
  strategy: {
    defaults(pv) {
      const spec = (pv.spec ??= {});
      spec.persistentVolumeReclaimPolicy ??= 'Retain';
      spec.volumeMode ??= 'Filesystem';
      pv.status ??= {};
      pv.status.phase ??= 'Pending';
    },
    prepareForCreate(pv, context) {
      pv.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(context.now) };
      const finalizers = pv.metadata.finalizers ?? [];
      if (!finalizers.includes('kubernetes.io/pv-protection')) pv.metadata.finalizers = [...finalizers, 'kubernetes.io/pv-protection'];
    },
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Capacity', type: 'string', description: [`${CORE}.PersistentVolumeSpec`, 'capacity'] },
      { name: 'Access Modes', type: 'string', description: [`${CORE}.PersistentVolumeSpec`, 'accessModes'] },
      { name: 'Reclaim Policy', type: 'string', description: [`${CORE}.PersistentVolumeSpec`, 'persistentVolumeReclaimPolicy'] },
      { name: 'Status', type: 'string', description: [`${CORE}.PersistentVolumeStatus`, 'phase'] },
      { name: 'Claim', type: 'string', description: [`${CORE}.PersistentVolumeSpec`, 'claimRef'] },
      { name: 'StorageClass', type: 'string', description: 'StorageClass of the pv' },
      { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pv' },
      { name: 'Reason', type: 'string', description: [`${CORE}.PersistentVolumeStatus`, 'reason'] },
      ageColumn,
      { name: 'VolumeMode', type: 'string', priority: 1, description: [`${CORE}.PersistentVolumeSpec`, 'volumeMode'] },
    ],
    cells: (pv, now) => {
      const spec = pv.spec ?? {};
      const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
      return [
        pv.metadata.name ?? '',
        spec.capacity?.storage ?? '0',
        accessModes(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? '',
        pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
        claim,
        storageClass(pv.metadata.annotations, spec.storageClassName),
        spec.volumeAttributesClassName ?? '<unset>',
        pv.status?.reason ?? '',
        age(pv, now),
        spec.volumeMode ?? '<unset>',
      ];
    },
  },
});

export const persistentvolumeclaims = defineResource<PVCObject>({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  status: true,
  strategy: {
    defaults(pvc) {
      const spec = (pvc.spec ??= {});
      spec.volumeMode ??= 'Filesystem';
      pvc.status ??= {};
      pvc.status.phase ??= 'Pending';
    },
    prepareForCreate(pvc) {
      pvc.status = { phase: 'Pending' };
      const finalizers = pvc.metadata.finalizers ?? [];
      if (!finalizers.includes('kubernetes.io/pvc-protection')) pvc.metadata.finalizers = [...finalizers, 'kubernetes.io/pvc-protection'];
    },
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', description: [`${CORE}.PersistentVolumeClaimStatus`, 'phase'] },
      { name: 'Volume', type: 'string', description: [`${CORE}.PersistentVolumeClaimSpec`, 'volumeName'] },
      { name: 'Capacity', type: 'string', description: [`${CORE}.PersistentVolumeClaimStatus`, 'capacity'] },
      { name: 'Access Modes', type: 'string', description: [`${CORE}.PersistentVolumeClaimStatus`, 'accessModes'] },
      { name: 'StorageClass', type: 'string', description: 'StorageClass of the pvc' },
      { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pvc' },
      ageColumn,
      { name: 'VolumeMode', type: 'string', priority: 1, description: [`${CORE}.PersistentVolumeClaimSpec`, 'volumeMode'] },
    ],
    cells: (pvc, now) => {
      const spec = pvc.spec ?? {};
      const bound = Boolean(spec.volumeName);
      return [
        pvc.metadata.name ?? '',
        pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
        spec.volumeName ?? '',
        bound ? (pvc.status?.capacity?.storage ?? '0') : '',
        bound ? accessModes(pvc.status?.accessModes) : '',
        storageClass(pvc.metadata.annotations, spec.storageClassName),
        spec.volumeAttributesClassName ?? '<unset>',
        age(pvc, now),
        spec.volumeMode ?? '<unset>',
      ];
    },
  },
});

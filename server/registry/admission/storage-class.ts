/**
 * @module server/registry/admission/storage-class
 * Layer: registry (admission). DefaultStorageClass: a claim that names no class gets the default one.
 */
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../api/object.js';
import { isDefaultClass } from '../resources/storage-classes.js';
import type { AdmissionPlugin } from './types.js';

export const defaultStorageClass: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  admit(request, reader) {
    if (request.resource.group !== '' || request.resource.plural !== 'persistentvolumeclaims' || request.operation !== 'CREATE' || !request.object) return;
    const claim = request.object as Kube<PersistentVolumeClaim>;
    if (claim.spec?.storageClassName !== undefined || claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
    const defaults = reader
      .list(reader.resource('storage.k8s.io', 'storageclasses'), undefined)
      .filter((stored) => isDefaultClass(stored.object.metadata.annotations))
      .sort((a, b) => (b.object.metadata.creationTimestamp ?? '').localeCompare(a.object.metadata.creationTimestamp ?? ''));
    const chosen = defaults[0]?.object.metadata.name;
    if (chosen) claim.spec = { ...(claim.spec ?? {}), storageClassName: chosen };
  },
};

/**
 * @module server/registry/admission/index
 * Layer: registry (admission). The default admission chain, in kube-apiserver's order.
 */
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { defaultTolerationSeconds, priorityAdmission, serviceAccountAdmission } from './pod-admission.js';
import { serviceAllocation } from './service-allocation.js';
import { defaultStorageClass } from './storage-class.js';
import type { AdmissionPlugin } from './types.js';

export const DEFAULT_ADMISSION: readonly AdmissionPlugin[] = [
  namespaceLifecycle,
  serviceAccountAdmission,
  priorityAdmission,
  defaultTolerationSeconds,
  defaultStorageClass,
  serviceAllocation,
];

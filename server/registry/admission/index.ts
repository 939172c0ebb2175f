/**
 * @module server/registry/admission/index
 * Layer: registry (admission). The default admission chain, in kube-apiserver's order.
 */
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { defaultTolerationSeconds, priorityAdmission, serviceAccountAdmission } from './pod-admission.js';
import { resourceQuotaAdmission } from './resource-quota.js';
import { serviceAllocation } from './service-allocation.js';
import { defaultStorageClass } from './storage-class.js';
import type { AdmissionPlugin } from './types.js';

/** A fresh chain for one registry (ResourceQuota keeps that registry's creates in flight). */
export function defaultAdmission(): AdmissionPlugin[] {
  return [namespaceLifecycle, serviceAccountAdmission, priorityAdmission, defaultTolerationSeconds, defaultStorageClass, serviceAllocation, resourceQuotaAdmission()];
}

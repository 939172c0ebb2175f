/**
 * @module server/registry/resources/index
 * Layer: registry. Every served kind, one line each, in discovery order (core, then the groups in
 * kube-apiserver's order). Adding a kind is one file and one line here.
 */
import type { Resource } from '../resource.js';
import { horizontalpodautoscalers, horizontalpodautoscalersV1 } from './autoscaling.js';
import { configmaps } from './configmaps.js';
import { daemonsets } from './daemonsets.js';
import { deployments } from './deployments.js';
import { endpoints } from './endpoints.js';
import { events, eventsV1 } from './events.js';
import { cronjobs, jobs } from './jobs.js';
import { leases } from './leases.js';
import { namespaces } from './namespaces.js';
import { endpointslices, ingressclasses, ingresses, networkpolicies } from './networking.js';
import { nodes } from './nodes.js';
import { pods } from './pods.js';
import { limitranges, resourcequotas } from './policies.js';
import { clusterrolebindings, clusterroles, rolebindings, roles } from './rbac.js';
import { replicasets, replicationcontrollers } from './replicasets.js';
import { localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectreviews, selfsubjectreviewsV1beta1, selfsubjectrulesreviews, subjectaccessreviews, tokenreviews } from './reviews.js';
import { poddisruptionbudgets, priorityclasses } from './scheduling.js';
import { secrets } from './secrets.js';
import { serviceaccounts } from './serviceaccounts.js';
import { services } from './services.js';
import { controllerrevisions, podtemplates, statefulsets } from './statefulsets.js';
import { storageclasses } from './storage-classes.js';
import { persistentvolumeclaims, persistentvolumes } from './storage-volumes.js';

export const RESOURCES: readonly Resource[] = [
  // core/v1
  configmaps,
  endpoints,
  events,
  limitranges,
  namespaces,
  nodes,
  persistentvolumeclaims,
  persistentvolumes,
  pods,
  podtemplates,
  replicationcontrollers,
  resourcequotas,
  secrets,
  serviceaccounts,
  services,
  // apps/v1
  controllerrevisions,
  daemonsets,
  deployments,
  replicasets,
  statefulsets,
  // events.k8s.io/v1
  eventsV1,
  // authentication.k8s.io/v1 (and the v1beta1 SelfSubjectReview older kubectl asks for)
  selfsubjectreviews,
  selfsubjectreviewsV1beta1,
  tokenreviews,
  // authorization.k8s.io/v1
  localsubjectaccessreviews,
  selfsubjectaccessreviews,
  selfsubjectrulesreviews,
  subjectaccessreviews,
  // autoscaling/v2 (preferred) and v1
  horizontalpodautoscalers,
  horizontalpodautoscalersV1,
  // batch/v1
  cronjobs,
  jobs,
  // networking.k8s.io/v1
  ingressclasses,
  ingresses,
  networkpolicies,
  // policy/v1
  poddisruptionbudgets,
  // rbac.authorization.k8s.io/v1
  clusterrolebindings,
  clusterroles,
  rolebindings,
  roles,
  // storage.k8s.io/v1
  storageclasses,
  // scheduling.k8s.io/v1
  priorityclasses,
  // coordination.k8s.io/v1
  leases,
  // discovery.k8s.io/v1
  endpointslices,
];

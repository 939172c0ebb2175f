/**
 * @module server/api/kinds
 * Layer: api (pure). The resources the built-in controllers and the registry's own policies read and write,
 * named once: their refs for the in-process client and informers, and the object types kubernetes-types gives
 * them.
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Endpoints, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ResourceRef } from './client.js';
import type { Kube } from './object.js';

export const PODS: ResourceRef = { group: '', resource: 'pods' };
export const NODES: ResourceRef = { group: '', resource: 'nodes' };
export const NAMESPACES: ResourceRef = { group: '', resource: 'namespaces' };
export const EVENTS: ResourceRef = { group: '', resource: 'events' };
export const SERVICES: ResourceRef = { group: '', resource: 'services' };
export const ENDPOINTS: ResourceRef = { group: '', resource: 'endpoints' };
export const SERVICE_ACCOUNTS: ResourceRef = { group: '', resource: 'serviceaccounts' };
export const RESOURCE_QUOTAS: ResourceRef = { group: '', resource: 'resourcequotas' };
export const REPLICATION_CONTROLLERS: ResourceRef = { group: '', resource: 'replicationcontrollers' };
export const PERSISTENT_VOLUMES: ResourceRef = { group: '', resource: 'persistentvolumes' };
export const PERSISTENT_VOLUME_CLAIMS: ResourceRef = { group: '', resource: 'persistentvolumeclaims' };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', resource: 'leases' };
export const DAEMONSETS: ResourceRef = { group: 'apps', resource: 'daemonsets' };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', resource: 'deployments' };
export const REPLICASETS: ResourceRef = { group: 'apps', resource: 'replicasets' };
export const STATEFULSETS: ResourceRef = { group: 'apps', resource: 'statefulsets' };
export const CONTROLLER_REVISIONS: ResourceRef = { group: 'apps', resource: 'controllerrevisions' };
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', resource: 'endpointslices' };
export const PODDISRUPTIONBUDGETS: ResourceRef = { group: 'policy', resource: 'poddisruptionbudgets' };

export type PodObject = Kube<Pod>;
export type NodeObject = Kube<Node>;
export type NamespaceObject = Kube<Namespace>;
export type ServiceObject = Kube<Service>;
export type EndpointsObject = Kube<Endpoints>;
export type EndpointSliceObject = Kube<EndpointSlice>;
export type ReplicationControllerObject = Kube<ReplicationController>;
export type PersistentVolumeObject = Kube<PersistentVolume>;
export type PersistentVolumeClaimObject = Kube<PersistentVolumeClaim>;
export type DaemonSetObject = Kube<DaemonSet>;
export type DeploymentObject = Kube<Deployment>;
export type ReplicaSetObject = Kube<ReplicaSet>;
export type StatefulSetObject = Kube<StatefulSet>;
export type RevisionObject = Kube<ControllerRevision>;
export type PdbObject = Kube<PodDisruptionBudget>;

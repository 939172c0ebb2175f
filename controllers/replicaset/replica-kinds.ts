/**
 * @module controllers/replicaset/replica-kinds
 * Layer: controllers. The two kinds the replica controller keeps (upstream runs one ReplicaSet controller
 * for both, with adapters): apps/v1 ReplicaSet with a label selector, core/v1 ReplicationController with a
 * map selector — each with its own controller name, event source and owner reference.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ResourceRef } from '../../server/api/client.js';
import { fromLabelSelector, fromMap, type Selector } from '../../server/api/labels.js';
import { REPLICASETS, REPLICATION_CONTROLLERS, type ReplicaSetObject, type ReplicationControllerObject } from '../../server/api/kinds.js';
import type { ReplicaCondition, ReplicaStatus } from './replica-status.js';

/** What the replica controller reads of a ReplicaSet or ReplicationController. */
export type ReplicaOwner = ReplicaSetObject | ReplicationControllerObject;

export interface ReplicaKind {
  /** the controller's name, as kube-controller-manager names it */
  controller: string;
  /** the event source component */
  component: string;
  resource: ResourceRef;
  group: string;
  apiVersion: string;
  kind: string;
  /** throws SelectorParseError for an invalid selector */
  selector(owner: ReplicaOwner): Selector;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  controller: 'replicaset-controller',
  component: 'replicaset-controller',
  resource: REPLICASETS,
  group: 'apps',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  selector: (owner) => fromLabelSelector((owner as ReplicaSetObject).spec?.selector),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  controller: 'replicationcontroller-controller',
  component: 'replication-controller',
  resource: REPLICATION_CONTROLLERS,
  group: '',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  selector: (owner) => fromMap((owner as ReplicationControllerObject).spec?.selector),
};

export function templateOf(owner: ReplicaOwner): PodTemplateSpec | undefined {
  return owner.spec?.template;
}

export function replicasOf(owner: ReplicaOwner): number {
  return owner.spec?.replicas ?? 1;
}

export function statusOf(owner: ReplicaOwner): Partial<ReplicaStatus> & { conditions?: ReplicaCondition[] } {
  return (owner.status ?? {}) as Partial<ReplicaStatus>;
}

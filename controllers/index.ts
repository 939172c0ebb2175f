/**
 * @module controllers/index
 * Layer: controllers. The controllers a kubemu runs, in the order they are built — the set
 * kube-controller-manager, kube-scheduler and the kubelets would run for the kinds kubemu acts on.
 */
import { DaemonSetController } from './daemonset/daemonset-controller.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import { DisruptionController } from './disruption/disruption-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { EndpointSliceController } from './endpoints/endpointslice-controller.js';
import { EventTtlController } from './events/event-ttl.js';
import { GarbageCollector } from './garbage-collector/garbage-collector.js';
import type { KubeletConfig } from './kubelet/config.js';
import { Kubelets } from './kubelet/kubelet.js';
import type { ControllerContext, ControllerFactory } from './manager.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { NodeLifecycleController } from './node-lifecycle/node-lifecycle.js';
import { PodGarbageCollector } from './node-lifecycle/pod-gc.js';
import { TaintEvictionController } from './node-lifecycle/taint-eviction.js';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from './replicaset/replica-kinds.js';
import { ReplicaSetController } from './replicaset/replicaset-controller.js';
import { ResourceQuotaController } from './resource-quota.js';
import { Scheduler } from './scheduler/scheduler.js';
import { ServiceAccountsController } from './serviceaccounts.js';
import { VolumePhaseController } from './volumes/volume-phase.js';
import { PvcProtectionController, PvProtectionController } from './volumes/volume-protection.js';

export interface ControllerSettings {
  /** the simulated nodes and pod lifecycle; no fake kubelets without it */
  kubelet?: KubeletConfig;
  /** how long events live after their last write (default 1 h) */
  eventTtlSeconds?: number;
  /** delay before a deleted namespace is emptied (default 5 s, as upstream's namespaceDeletionGracePeriod) */
  namespaceDeletionDelayMs?: number;
  /** how long a silent kubelet's node stays Ready (default 40 s) */
  nodeMonitorGracePeriodMs?: number;
  /** how long a pod bound to a missing node waits before PodGC removes it (default 40 s) */
  podGcQuarantineMs?: number;
}

export function defaultControllers(settings: ControllerSettings = {}): ControllerFactory[] {
  const grace = settings.nodeMonitorGracePeriodMs;
  // Kubelets renew their leases well within the grace period the node lifecycle controller allows.
  const kubelet = settings.kubelet && grace !== undefined ? { ...settings.kubelet, leaseRenewMs: Math.min(settings.kubelet.leaseRenewMs, grace / 4) } : settings.kubelet;
  return [
    (context) => new GarbageCollector(context),
    (context) => new NamespaceController(context, settings.namespaceDeletionDelayMs !== undefined ? { deletionDelayMs: settings.namespaceDeletionDelayMs } : {}),
    (context) => new ServiceAccountsController(context),
    (context) => new ResourceQuotaController(context),
    (context) => new EventTtlController(context, settings.eventTtlSeconds),
    (context) => new DaemonSetController(context),
    (context) => new DeploymentController(context),
    (context) => new ReplicaSetController(context, REPLICA_SET_KIND),
    (context) => new ReplicaSetController(context, REPLICATION_CONTROLLER_KIND),
    (context) => new EndpointsController(context),
    (context) => new EndpointSliceController(context),
    (context) => new DisruptionController(context),
    (context) => new VolumePhaseController(context),
    (context) => new PvcProtectionController(context),
    (context) => new PvProtectionController(context),
    (context) => new Scheduler(context),
    (context) => new NodeLifecycleController(context, settings.nodeMonitorGracePeriodMs !== undefined ? { gracePeriodMs: settings.nodeMonitorGracePeriodMs } : {}),
    (context) => new TaintEvictionController(context),
    (context) => new PodGarbageCollector(context, settings.podGcQuarantineMs !== undefined ? { quarantineMs: settings.podGcQuarantineMs } : {}),
    ...(kubelet ? [(context: ControllerContext) => new Kubelets(context, kubelet)] : []),
  ];
}

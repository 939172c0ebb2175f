/**
 * @module server/api/schema/list-semantics
 * Layer: api (pure). How lists and maps of built-in types merge — the facts upstream keeps in struct tags
 * (`patchStrategy`, `patchMergeKey`) and OpenAPI extensions (`x-kubernetes-list-type`, `-list-map-keys`) and
 * which the kubernetes-types declarations do not carry. Strategic merge patch, server-side apply and the
 * OpenAPI documents read them from here.
 */

export interface FieldSemantics {
  /** strategic merge patch: merge list items (by `mergeKey` for lists of objects, as a set for primitives) */
  strategy?: 'merge';
  /** also `retainKeys` (drop keys the patch does not set: e.g. a volume source or deployment strategy) */
  retainKeys?: boolean;
  mergeKey?: string;
  /** server-side apply list type; lists without an entry are atomic */
  listType?: 'map' | 'set' | 'atomic';
  listMapKeys?: readonly string[];
}

const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const byName: FieldSemantics = { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] };
const byType: FieldSemantics = { strategy: 'merge', mergeKey: 'type', listType: 'map', listMapKeys: ['type'] };
const mergedSet: FieldSemantics = { strategy: 'merge', listType: 'set' };

const SEMANTICS: Record<string, FieldSemantics> = {
  [`${META}.ObjectMeta.finalizers`]: { strategy: 'merge', listType: 'set' },
  [`${META}.ObjectMeta.ownerReferences`]: { strategy: 'merge', mergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },

  [`${CORE}.PodSpec.containers`]: byName,
  [`${CORE}.PodSpec.initContainers`]: byName,
  [`${CORE}.PodSpec.ephemeralContainers`]: byName,
  [`${CORE}.PodSpec.volumes`]: { ...byName, retainKeys: true },
  [`${CORE}.PodSpec.imagePullSecrets`]: byName,
  [`${CORE}.PodSpec.hostAliases`]: { strategy: 'merge', mergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
  [`${CORE}.PodSpec.topologySpreadConstraints`]: { strategy: 'merge', mergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
  [`${CORE}.PodSpec.schedulingGates`]: byName,
  [`${CORE}.PodSpec.resourceClaims`]: { ...byName, retainKeys: true },
  [`${CORE}.PodSpec.readinessGates`]: { listType: 'atomic' },
  [`${CORE}.PodSpec.tolerations`]: { listType: 'atomic' },
  [`${CORE}.Container.ports`]: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
  [`${CORE}.Container.env`]: byName,
  [`${CORE}.Container.volumeMounts`]: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
  [`${CORE}.Container.volumeDevices`]: { strategy: 'merge', mergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
  [`${CORE}.EphemeralContainer.ports`]: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
  [`${CORE}.EphemeralContainer.env`]: byName,
  [`${CORE}.EphemeralContainer.volumeMounts`]: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
  [`${CORE}.EphemeralContainer.volumeDevices`]: { strategy: 'merge', mergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
  [`${CORE}.PodStatus.conditions`]: byType,
  [`${CORE}.PodStatus.podIPs`]: { strategy: 'merge', mergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
  [`${CORE}.PodStatus.hostIPs`]: { strategy: 'merge', mergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
  [`${CORE}.NodeSpec.podCIDRs`]: mergedSet,
  [`${CORE}.NodeSpec.taints`]: { listType: 'atomic' },
  [`${CORE}.NodeStatus.conditions`]: byType,
  [`${CORE}.NodeStatus.addresses`]: byType,
  [`${CORE}.ServiceSpec.ports`]: { strategy: 'merge', mergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
  [`${CORE}.ServiceStatus.conditions`]: byType,
  [`${CORE}.ServiceAccount.secrets`]: byName,
  [`${CORE}.NamespaceStatus.conditions`]: byType,
  [`${CORE}.PersistentVolumeClaimStatus.conditions`]: byType,
  [`${CORE}.ReplicationControllerStatus.conditions`]: byType,

  [`${APPS}.DeploymentSpec.strategy`]: { retainKeys: true },
  [`${APPS}.DeploymentStatus.conditions`]: byType,
  [`${APPS}.ReplicaSetStatus.conditions`]: byType,
  [`${APPS}.DaemonSetStatus.conditions`]: byType,
  [`${APPS}.StatefulSetStatus.conditions`]: byType,
  ['io.k8s.api.batch.v1.JobStatus.conditions']: { strategy: 'merge', mergeKey: 'type', listType: 'atomic' },
  ['io.k8s.api.policy.v1.PodDisruptionBudgetStatus.conditions']: byType,
  ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus.conditions']: byType,
};

/** The merge semantics of `definition.field`, if any is declared. */
export function fieldSemantics(definition: string, field: string): FieldSemantics | undefined {
  return SEMANTICS[`${definition}.${field}`];
}

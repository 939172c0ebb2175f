/**
 * @module controllers/volumes/volume-protection
 * Layer: controllers. The pvc-protection and pv-protection controllers (upstream pkg/controller/volume/
 * pvcprotection and pvprotection): a claim being deleted loses `kubernetes.io/pvc-protection` once no
 * scheduled, unfinished pod of its namespace mounts it; a volume being deleted loses
 * `kubernetes.io/pv-protection` once it is not Bound. Then the deletion completes.
 */
import { isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { keyOf, splitKey, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { isTerminal } from '../toolkit/pod-state.js';
import {
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
  type PersistentVolumeClaimObject,
  type PersistentVolumeObject,
  type PodObject,
} from '../../server/api/kinds.js';
import type { ResourceRef } from '../../server/api/client.js';
import type { KubeObject } from '../../server/api/object.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The claims a pod mounts, by name: its persistentVolumeClaim volumes and generic ephemeral ones (`<pod>-<volume>`). */
export function claimsOf(pod: PodObject): string[] {
  const names: string[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim) names.push(volume.persistentVolumeClaim.claimName);
    else if (volume.ephemeral) names.push(`${pod.metadata.name}-${volume.name}`);
  }
  return names;
}

/** Remove a finalizer from an object, guarded by its resourceVersion; gone objects are fine. */
async function dropFinalizer(context: ControllerContext, resource: ResourceRef, object: KubeObject, finalizer: string): Promise<void> {
  const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  try {
    await context.client.update(resource, { ...object, metadata: { ...object.metadata, finalizers } });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export class PvcProtectionController extends Controller {
  private readonly claims: Informer<PersistentVolumeClaimObject>;
  private readonly pods: Informer<PodObject>;

  constructor(private readonly context: ControllerContext) {
    super('pvc-protection-controller', context.options);
    this.claims = context.informers.informer<PersistentVolumeClaimObject>(PERSISTENT_VOLUME_CLAIMS);
    this.pods = context.informers.informer<PodObject>(PODS);
    this.pods.addIndex('claim', (pod) => claimsOf(pod).map((claim) => `${pod.metadata.namespace}/${claim}`));
    const claimChanged = (claim: PersistentVolumeClaimObject) => {
      if (claim.metadata.deletionTimestamp && claim.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) this.enqueue(keyOf(claim));
    };
    this.claims.addEventHandler({ add: claimChanged, update: (_old, claim) => claimChanged(claim) });
    // A pod that stops using a claim may free it.
    const podChanged = (pod: PodObject) => {
      for (const claim of claimsOf(pod)) {
        const object = this.claims.get(pod.metadata.namespace, claim);
        if (object) claimChanged(object);
      }
    };
    this.pods.addEventHandler({ update: (_old, pod) => podChanged(pod), delete: podChanged });
  }

  protected async sync(key: string): Promise<void> {
    const claim = this.claims.getByKey(key);
    if (!claim?.metadata.deletionTimestamp || !claim.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return;
    const { namespace } = splitKey(key);
    const inUse = this.pods.byIndex('claim', key).some((pod) => pod.metadata.namespace === namespace && Boolean(pod.spec?.nodeName) && !isTerminal(pod));
    if (inUse) return;
    await dropFinalizer(this.context, PERSISTENT_VOLUME_CLAIMS, claim, PVC_PROTECTION_FINALIZER);
  }
}

export class PvProtectionController extends Controller {
  private readonly volumes: Informer<PersistentVolumeObject>;

  constructor(private readonly context: ControllerContext) {
    super('pv-protection-controller', context.options);
    this.volumes = context.informers.informer<PersistentVolumeObject>(PERSISTENT_VOLUMES);
    const changed = (volume: PersistentVolumeObject) => {
      if (volume.metadata.deletionTimestamp && volume.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) this.enqueue(keyOf(volume));
    };
    this.volumes.addEventHandler({ add: changed, update: (_old, volume) => changed(volume) });
  }

  protected async sync(key: string): Promise<void> {
    const volume = this.volumes.getByKey(key);
    if (!volume?.metadata.deletionTimestamp || !volume.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) return;
    if (volume.status?.phase === 'Bound') return;
    await dropFinalizer(this.context, PERSISTENT_VOLUMES, volume, PV_PROTECTION_FINALIZER);
  }
}

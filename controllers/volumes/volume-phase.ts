/**
 * @module controllers/volumes/volume-phase
 * Layer: controllers. The part of upstream's PersistentVolume controller that reports a volume's phase from
 * its claim reference (syncVolume): no claim, or a claim reserved but not yet bound → Available; bound to a
 * claim that is bound to it → Bound; its claim gone → Released. Binding and provisioning are not done here.
 */
import { rfc3339At } from '../../server/api/time.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import { keyOf, type Informer } from '../informer.js';
import type { ControllerContext } from '../manager.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, type PersistentVolumeClaimObject, type PersistentVolumeObject } from '../../server/api/kinds.js';

/** The phase a volume should report, given the claim it names (if any). */
export function volumePhase(volume: PersistentVolumeObject, claim: PersistentVolumeClaimObject | undefined): string {
  const ref = volume.spec?.claimRef;
  if (!ref) return 'Available';
  // Reserved for a claim that is not bound yet: the binder decides; meanwhile it is available to that claim.
  if (!ref.uid) return 'Available';
  if (!claim || claim.metadata.uid !== ref.uid) return 'Released';
  if (claim.spec?.volumeName === volume.metadata.name) return 'Bound';
  return 'Available';
}

export class VolumePhaseController extends Controller {
  private readonly volumes: Informer<PersistentVolumeObject>;
  private readonly claims: Informer<PersistentVolumeClaimObject>;

  constructor(private readonly context: ControllerContext) {
    super('persistentvolume-phase-controller', context.options);
    this.volumes = context.informers.informer<PersistentVolumeObject>(PERSISTENT_VOLUMES);
    this.claims = context.informers.informer<PersistentVolumeClaimObject>(PERSISTENT_VOLUME_CLAIMS);
    this.volumes.addEventHandler({ add: (pv) => this.enqueue(keyOf(pv)), update: (_old, pv) => this.enqueue(keyOf(pv)) });
    const claimChanged = (claim: PersistentVolumeClaimObject) => {
      for (const pv of this.volumes.list()) {
        const ref = pv.spec?.claimRef;
        if (ref && ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace) this.enqueue(keyOf(pv));
      }
    };
    this.claims.addEventHandler({ add: claimChanged, update: (_old, claim) => claimChanged(claim), delete: claimChanged });
  }

  protected async sync(key: string): Promise<void> {
    const volume = this.volumes.getByKey(key);
    if (!volume) return;
    const ref = volume.spec?.claimRef;
    const claim = ref?.name ? this.claims.get(ref.namespace, ref.name) : undefined;
    const phase = volumePhase(volume, claim);
    if (volume.status?.phase === phase) return;
    try {
      await this.context.client.updateStatus(PERSISTENT_VOLUMES, { ...volume, status: { ...volume.status, phase, lastPhaseTransitionTime: rfc3339At(this.clock.now()) } });
    } catch (error) {
      if (isNotFound(error)) return;
      if (isConflict(error)) return this.retrySoon(key);
      throw error;
    }
  }
}

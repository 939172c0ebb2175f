/**
 * @module controllers/toolkit/controller-ref
 * Layer: controllers. Controller references (upstream controller_ref_manager.go): which object controls
 * another, the reference a controller puts on what it creates, the informer indexes that find an owner's
 * objects and the orphans it may adopt, and the claim — keep what still matches the selector, release what
 * no longer does, adopt matching orphans once the owner is confirmed live.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Client, ResourceRef } from '../../server/api/client.js';
import type { Selector } from '../../server/api/labels.js';
import type { KubeObject } from '../../server/api/object.js';
import { isNotFound } from '../../server/api/status.js';
import type { Informer } from '../informer.js';

export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** The reference a controller puts on the objects it creates and adopts. */
export function controllerReference(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name as string, uid: owner.metadata.uid as string, controller: true, blockOwnerDeletion: true };
}

/** Whether a reference points at a kind of an API group ('' for core), whatever the version. */
export function refersTo(ref: OwnerReference | undefined, group: string, kind: string): ref is OwnerReference {
  if (ref === undefined || ref.kind !== kind) return false;
  const slash = ref.apiVersion.indexOf('/');
  return (slash < 0 ? '' : ref.apiVersion.slice(0, slash)) === group;
}

/** Index an informer's objects by their controller's uid ('controller') and the namespaces of orphans ('orphan'). */
export function indexByController<T extends KubeObject>(informer: Informer<T>): void {
  informer.addIndex('controller', (object) => {
    const ref = controllerOf(object);
    return ref ? [ref.uid] : [];
  });
  informer.addIndex('orphan', (object) => (controllerOf(object) ? [] : [object.metadata.namespace ?? '']));
}

/** Objects an owner may hold: those it controls, and orphans in its namespace (needs indexByController). */
export function claimCandidates<T extends KubeObject>(informer: Informer<T>, owner: KubeObject): T[] {
  return [...informer.byIndex('controller', owner.metadata.uid as string), ...informer.byIndex('orphan', owner.metadata.namespace as string)];
}

export interface ClaimContext {
  client: Client;
  /** where the owner lives, to confirm it before adopting */
  ownerResource: ResourceRef;
  owner: KubeObject;
  /** the reference adoption adds */
  reference: OwnerReference;
  selector: Selector;
}

/** Upstream ClaimObject over candidates: what the owner holds after adoption and release. */
export async function claim<T extends KubeObject>(context: ClaimContext, candidates: readonly T[], resource: ResourceRef): Promise<T[]> {
  const { client, owner, selector } = context;
  const uid = owner.metadata.uid as string;
  const owned: T[] = [];
  let confirmed = false;
  for (const object of candidates) {
    const controller = controllerOf(object);
    if (controller && controller.uid !== uid) continue;
    const selected = selector.matches(object.metadata.labels ?? {});
    if (controller) {
      if (selected) owned.push(object);
      else if (!owner.metadata.deletionTimestamp) await patchOwners(client, resource, object, { $patch: 'delete', uid });
      continue;
    }
    if (!selected || object.metadata.deletionTimestamp || owner.metadata.deletionTimestamp) continue;
    if (!confirmed) {
      // Before adopting, make sure the owner is still the one we think and not going away.
      const live = client.get(context.ownerResource, owner.metadata.namespace, owner.metadata.name as string);
      if (!live || live.metadata.uid !== uid || live.metadata.deletionTimestamp) return owned;
      confirmed = true;
    }
    if (await patchOwners(client, resource, object, context.reference)) owned.push(object);
  }
  return owned;
}

/** Add or remove (`$patch: delete`) one owner reference, guarded by the object's uid; false when it is gone or refused. */
async function patchOwners(client: Client, resource: ResourceRef, object: KubeObject, reference: object): Promise<boolean> {
  try {
    await client.patch(resource, object.metadata.namespace, object.metadata.name as string, 'strategic', { metadata: { ownerReferences: [reference], uid: object.metadata.uid } });
    return true;
  } catch (error) {
    if (isNotFound(error) || (error as { code?: number }).code === 422) return false;
    throw error;
  }
}

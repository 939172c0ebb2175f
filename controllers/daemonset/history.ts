/**
 * @module controllers/daemonset/history
 * Layer: controllers. A DaemonSet's ControllerRevisions (mirrors the daemon controller's update.go): the
 * revision `data` — the pod template with `"$patch":"replace"`, encoded as Go's encoding/json encodes a map,
 * byte for byte, because `kubectl rollout undo` compares its own encoding with it — the template hash that
 * names revisions and labels pods, and the revision object itself.
 */
import { controllerReference } from '../toolkit/controller-ref.js';
import { computeHash, goJson } from '../toolkit/hash.js';
import type { DaemonSetObject, RevisionObject } from '../../server/api/kinds.js';
import { newControllerRevision, REVISION_HASH_LABEL, storedData } from '../toolkit/revisions.js';

export const HASH_LABEL = REVISION_HASH_LABEL;
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** The revision data for a DaemonSet's current template (upstream getPatch). */
export function revisionData(ds: DaemonSetObject): string {
  return goJson({ spec: { template: { ...(ds.spec?.template ?? {}), $patch: 'replace' } } });
}

export function templateHash(ds: DaemonSetObject, collisionCount: number | undefined): string {
  return computeHash(ds.spec?.template, collisionCount);
}

export function matches(ds: DaemonSetObject, revision: RevisionObject): boolean {
  return storedData(revision) === revisionData(ds);
}

/** The controller reference a DaemonSet puts on what it owns. */
export function controllerRef(ds: DaemonSetObject) {
  return controllerReference(ds, 'apps/v1', 'DaemonSet');
}

/** A new ControllerRevision for the DaemonSet's current template (upstream snapshot). */
export function newRevision(ds: DaemonSetObject, hash: string, revision: number): RevisionObject {
  return newControllerRevision({ owner: ds, reference: controllerRef(ds), data: revisionData(ds), hash, revision, labels: ds.spec?.template?.metadata?.labels });
}

export function templateGeneration(ds: DaemonSetObject): string | undefined {
  const value = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}

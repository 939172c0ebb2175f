/**
 * @module controllers/deployment/replica-sets
 * Layer: controllers (pure). What the Deployment controller reads off its ReplicaSets (upstream
 * deployment_util.go): the pod-template-hash, the template comparison that finds the new ReplicaSet, the
 * revision and replica annotations, the surge and unavailability budgets, and the sums over ReplicaSets.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../server/api/equality.js';
import { scaledValue } from '../toolkit/int-or-percent.js';
import type { DeploymentObject, ReplicaSetObject } from '../../server/api/kinds.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations never copied to its ReplicaSets (upstream annotationsToSkip). */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

export function specReplicas(rs: ReplicaSetObject | undefined): number {
  return rs?.spec?.replicas ?? 0;
}

export function desiredReplicas(d: DeploymentObject): number {
  return d.spec?.replicas ?? 1;
}

function isRollingUpdate(d: DeploymentObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge and maxUnavailable for a replica count: surge rounds up, unavailability down, never both zero. */
export function fenceposts(d: DeploymentObject, replicas: number): { surge: number; unavailable: number } {
  const rolling = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(rolling?.maxSurge ?? 0, replicas, true);
  let unavailable = scaledValue(rolling?.maxUnavailable ?? 0, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: DeploymentObject): number {
  return isRollingUpdate(d) ? fenceposts(d, desiredReplicas(d)).surge : 0;
}

export function maxUnavailable(d: DeploymentObject): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d, replicas).unavailable, replicas);
}

/** The template without the pod-template-hash label, for comparison. */
function withoutHash(template: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(template ?? {});
  const labels = copy.metadata?.labels;
  if (labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) delete copy.metadata?.labels;
  }
  return normalise(copy);
}

/** Empty maps and lists dropped, as apimachinery's semantic equality treats them like absent ones. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(normalise);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const normal = normalise(inner);
    if (normal !== undefined) out[key] = normal;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Upstream EqualIgnoreHash. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return deepEqual(withoutHash(a), withoutHash(b));
}

function createdAt(rs: ReplicaSetObject): number {
  return rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0;
}

/** Oldest first, ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSetObject, b: ReplicaSetObject): number {
  const diff = createdAt(a) - createdAt(b);
  if (diff !== 0) return diff;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** The oldest ReplicaSet whose template is the Deployment's (upstream FindNewReplicaSet). */
export function findNewReplicaSet(d: DeploymentObject, all: readonly ReplicaSetObject[]): ReplicaSetObject | undefined {
  return [...all].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function revisionOf(rs: ReplicaSetObject | DeploymentObject): number | undefined {
  const value = rs.metadata.annotations?.[REVISION_ANNOTATION];
  if (value === undefined) return 0;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

export function maxRevision(all: readonly ReplicaSetObject[]): number {
  let max = 0;
  for (const rs of all) {
    const revision = revisionOf(rs);
    if (revision !== undefined) max = Math.max(max, revision);
  }
  return max;
}

/** The Deployment's annotations a ReplicaSet carries (all but the skipped ones). */
export function copiedAnnotations(d: DeploymentObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(key)) out[key] = value;
  return out;
}

/**
 * The new ReplicaSet's annotations after a sync (upstream SetNewReplicaSetAnnotations): the Deployment's copied
 * ones, the revision raised to `newRevision` (the old one appended to revision-history when it is reused),
 * and for a ReplicaSet being created the desired and max replica counts. Undefined when nothing changes.
 */
export function newReplicaSetAnnotations(d: DeploymentObject, rs: ReplicaSetObject | undefined, newRevision: number, exists: boolean): Record<string, string> | undefined {
  const annotations = { ...(rs?.metadata.annotations ?? {}) };
  let changed = false;
  for (const [key, value] of Object.entries(copiedAnnotations(d))) {
    if (annotations[key] !== value) {
      annotations[key] = value;
      changed = true;
    }
  }
  const old = annotations[REVISION_ANNOTATION];
  const oldRevision = old === undefined || old === '' ? 0 : /^\d+$/.test(old) ? Number(old) : undefined;
  if (oldRevision === undefined) return changed ? annotations : undefined;
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (old !== undefined && old !== '') {
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      let entries = history ? [...history.split(','), old] : [old];
      while (entries.join(',').length > MAX_REVISION_HISTORY_CHARS && entries.length > 1) entries = entries.slice(1);
      annotations[REVISION_HISTORY_ANNOTATION] = entries.join(',');
    }
  }
  if (!exists) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desiredReplicas(d));
    annotations[MAX_REPLICAS_ANNOTATION] = String(desiredReplicas(d) + maxSurge(d));
    changed = true;
  }
  return changed ? annotations : undefined;
}

/** The desired/max replica annotations as a scale writes them, or undefined when already right. */
export function replicaAnnotationsUpdate(rs: ReplicaSetObject, desired: number, max: number): Record<string, string> | undefined {
  const annotations = rs.metadata.annotations ?? {};
  if (annotations[DESIRED_REPLICAS_ANNOTATION] === String(desired) && annotations[MAX_REPLICAS_ANNOTATION] === String(max)) return undefined;
  return { ...annotations, [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(max) };
}

export function sumSpec(all: readonly (ReplicaSetObject | undefined)[]): number {
  let total = 0;
  for (const rs of all) total += rs?.spec?.replicas ?? 0;
  return total;
}

export function sumStatus(all: readonly (ReplicaSetObject | undefined)[], field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  let total = 0;
  for (const rs of all) total += rs?.status?.[field] ?? 0;
  return total;
}

/** ReplicaSets with replicas wanted (upstream FilterActiveReplicaSets). */
export function active(all: readonly (ReplicaSetObject | undefined)[]): ReplicaSetObject[] {
  return all.filter((rs): rs is ReplicaSetObject => rs !== undefined && specReplicas(rs) > 0);
}

/** Upstream IsSaturated: the new ReplicaSet runs every replica the Deployment wants, all available. */
export function isSaturated(d: DeploymentObject, rs: ReplicaSetObject | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  return desired === String(desiredReplicas(d)) && specReplicas(rs) === desiredReplicas(d) && (rs.status?.availableReplicas ?? 0) === desiredReplicas(d);
}

/** Upstream isScalingEvent: an active ReplicaSet was sized for another replica count. */
export function isScalingEvent(d: DeploymentObject, all: readonly ReplicaSetObject[]): boolean {
  for (const rs of active(all)) {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    if (desired !== undefined && /^\d+$/.test(desired) && Number(desired) !== desiredReplicas(d)) return true;
  }
  return false;
}

/**
 * @module controllers/deployment/rollout
 * Layer: controllers (pure). The Deployment controller's sizing decisions, as lists of ReplicaSet scales to
 * apply in order (upstream rolling.go, sync.go scale, recreate.go): how far the new ReplicaSet may grow under
 * maxSurge, which old ones may shrink under maxUnavailable (unhealthy first, oldest first), proportional
 * scaling of every active ReplicaSet when the Deployment is resized mid-rollout, and which old ReplicaSets
 * history cleanup may delete.
 */
import type { DeploymentObject, ReplicaSetObject } from '../../server/api/kinds.js';
import { active, byCreation, desiredReplicas, isSaturated, maxSurge, maxUnavailable, revisionOf, specReplicas, sumSpec } from './replica-sets.js';

export interface ScaleStep {
  rs: ReplicaSetObject;
  replicas: number;
  /** the verb of the ScalingReplicaSet event when the size changes ("up"/"down"); undefined: by comparison */
  operation?: 'up' | 'down' | '';
}

/** Upstream NewRSNewReplicas: the new ReplicaSet's size this step. */
export function newRSReplicas(d: DeploymentObject, all: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined): number {
  const replicas = desiredReplicas(d);
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') === 'Recreate') return replicas;
  const maxTotal = replicas + maxSurge(d);
  const current = sumSpec(all);
  const size = specReplicas(newRS);
  if (current >= maxTotal) return size;
  return size + Math.min(maxTotal - current, replicas - size);
}

/** Upstream reconcileNewReplicaSet: the new ReplicaSet's scale, if it changes. */
export function reconcileNewReplicaSet(d: DeploymentObject, all: readonly ReplicaSetObject[], newRS: ReplicaSetObject): ScaleStep | undefined {
  const replicas = desiredReplicas(d);
  const size = specReplicas(newRS);
  if (size === replicas) return undefined;
  const target = size > replicas ? replicas : newRSReplicas(d, all, newRS);
  return target === size ? undefined : { rs: newRS, replicas: target };
}

/**
 * Available replicas an old ReplicaSet can be counted on for: its status may not yet show a scale-down the
 * controller asked for, and pods beyond spec.replicas are about to go.
 */
function countedAvailable(rs: ReplicaSetObject): number {
  return Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));
}

/** Upstream reconcileOldReplicaSets: unhealthy old replicas first, then old ones while availability allows. */
export function reconcileOldReplicaSets(d: DeploymentObject, all: readonly ReplicaSetObject[], oldActive: readonly ReplicaSetObject[], newRS: ReplicaSetObject): ScaleStep[] {
  if (sumSpec(oldActive) === 0) return [];
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const sizes = new Map<ReplicaSetObject, number>(oldActive.map((rs) => [rs, specReplicas(rs)]));
  const steps: ScaleStep[] = [];
  const oldest = [...oldActive].sort(byCreation);
  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs) ?? 0;
    const availableHere = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === availableHere) continue;
    const down = Math.min(maxScaledDown - cleaned, size - availableHere);
    if (down <= 0) continue;
    sizes.set(rs, size - down);
    steps.push({ rs, replicas: size - down });
    cleaned += down;
  }
  let available = Math.min(newRS.status?.availableReplicas ?? 0, specReplicas(newRS));
  for (const rs of oldActive) available += Math.min(countedAvailable(rs), sizes.get(rs) ?? 0);
  if (available > minAvailable) {
    const total = available - minAvailable;
    let scaledDown = 0;
    for (const rs of oldest) {
      if (scaledDown >= total) break;
      const size = sizes.get(rs) ?? 0;
      if (size === 0) continue;
      const down = Math.min(size, total - scaledDown);
      sizes.set(rs, size - down);
      steps.push({ rs, replicas: size - down });
      scaledDown += down;
    }
  }
  return steps;
}

/** Upstream FindActiveOrLatest: the one active ReplicaSet, the newest when none is active, else none. */
function activeOrLatest(newRS: ReplicaSetObject | undefined, old: readonly ReplicaSetObject[]): ReplicaSetObject | undefined {
  if (!newRS && old.length === 0) return undefined;
  const newestFirst = [...old].sort((a, b) => byCreation(b, a));
  const running = active([...newestFirst, newRS]);
  if (running.length === 0) return newRS ?? newestFirst[0];
  return running.length === 1 ? running[0] : undefined;
}

/** A ReplicaSet's share of a resize, from the size it was given for the Deployment's previous size. */
function fraction(rs: ReplicaSetObject, d: DeploymentObject): number {
  const replicas = desiredReplicas(d);
  const size = specReplicas(rs);
  if (replicas === 0) return -size;
  const max = replicas + maxSurge(d);
  const annotated = rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'];
  let before = annotated !== undefined && /^\d+$/.test(annotated) ? Number(annotated) : 0;
  if (before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  return Math.round((size * max) / before) - size;
}

/** Upstream scale(): resize a Deployment's ReplicaSets when its replica count changed (or it is paused). */
export function scaleSteps(d: DeploymentObject, newRS: ReplicaSetObject | undefined, old: readonly ReplicaSetObject[]): ScaleStep[] {
  const replicas = desiredReplicas(d);
  const single = activeOrLatest(newRS, old);
  if (single) return specReplicas(single) === replicas ? [] : [{ rs: single, replicas }];
  if (isSaturated(d, newRS)) return active(old).map((rs) => ({ rs, replicas: 0 }));
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return [];
  const all = active([...old, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - sumSpec(all);
  let operation: ScaleStep['operation'] = '';
  if (toAdd > 0) {
    all.sort((a, b) => (specReplicas(a) === specReplicas(b) ? byCreation(b, a) : specReplicas(b) - specReplicas(a)));
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort((a, b) => (specReplicas(a) === specReplicas(b) ? byCreation(a, b) : specReplicas(b) - specReplicas(a)));
    operation = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    let proportion = 0;
    if (specReplicas(rs) !== 0 && added !== toAdd) {
      const share = fraction(rs, d);
      const left = toAdd - added;
      proportion = toAdd > 0 ? Math.min(share, left) : Math.max(share, left);
    }
    added += proportion;
    return specReplicas(rs) + proportion;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] as number) + toAdd - added);
  return all.map((rs, i) => ({ rs, replicas: sizes[i] as number, operation }));
}

/** Old ReplicaSets beyond revisionHistoryLimit that may go: empty, settled, oldest revisions first. */
export function historyToDelete(d: DeploymentObject, old: readonly ReplicaSetObject[]): ReplicaSetObject[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === 2147483647) return [];
  const cleanable = old.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return [];
  const byRevision = [...cleanable].sort((a, b) => {
    const ra = revisionOf(a);
    const rb = revisionOf(b);
    if (ra === undefined || rb === undefined || ra === rb) return byCreation(a, b);
    return ra - rb;
  });
  return byRevision
    .slice(0, diff)
    .filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}

/**
 * @module controllers/scheduler/filters
 * Layer: controllers. The scheduler's filter plugins, in upstream's default order, each returning the
 * reasons a node does not fit (empty: it fits) with upstream's exact wording: NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity (nodeSelector and required node affinity, matchFields included), NodePorts,
 * NodeResourcesFit. Only the first failing plugin is reported for a node, as upstream.
 */
import type { NodeSelectorRequirement, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { allocatable, hostPorts, nonZeroRequests, podRequests, type NodeInfo } from './node-info.js';
import type { PodObject } from '../../server/api/kinds.js';
import type { NodeObject } from '../../server/api/kinds.js';


/** Upstream ToleratesTaint. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

export function toleratesAll(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => tolerates(t, taint));
}

function requirementMatches(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const bound = Number(values[0]);
      const actual = Number(value);
      if (value === undefined || !Number.isInteger(actual) || !Number.isInteger(bound)) return false;
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** Whether the pod's nodeSelector and required node affinity admit the node. */
export function matchesNodeAffinity(pod: PodObject, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[key] !== value) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((term) => {
    const expressions = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (expressions.length === 0 && fields.length === 0) return false;
    return (
      expressions.every((r) => requirementMatches(r, labels[r.key])) &&
      fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
    );
  });
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** The reasons `node` cannot take `pod`: empty when it fits. */
export function filterNode(pod: PodObject, node: NodeObject, info: NodeInfo | undefined): string[] {
  const spec = pod.spec;
  const tolerations = spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !toleratesAll(tolerations, UNSCHEDULABLE_TAINT)) return ['node(s) were unschedulable'];
  if (spec?.nodeName && spec.nodeName !== node.metadata.name) return ["node(s) didn't match the requested node name"];
  const untolerated = (node.spec?.taints ?? []).find((taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !toleratesAll(tolerations, taint));
  if (untolerated) return [`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`];
  if (!matchesNodeAffinity(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  if (info && portsConflict(pod, info)) return ["node(s) didn't have free ports for the requested pod ports"];
  return resourceReasons(pod, node, info);
}

/** Whether `node` can take `pod` — filterNode without building reasons (the hot path). */
export function fits(pod: PodObject, node: NodeObject, info: NodeInfo | undefined): boolean {
  const spec = pod.spec;
  const tolerations = spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !toleratesAll(tolerations, UNSCHEDULABLE_TAINT)) return false;
  for (const taint of node.spec?.taints ?? []) {
    if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !toleratesAll(tolerations, taint)) return false;
  }
  if (!matchesNodeAffinity(pod, node)) return false;
  if (info && info.ports.length > 0 && portsConflict(pod, info)) return false;
  const free = allocatable(node);
  if ((info?.pods.size ?? 0) + 1 > (free.get('pods') ?? 0) / 1000) return false;
  for (const [name, wanted] of podRequests(pod)) {
    if (wanted > 0 && name !== 'pods' && wanted > (free.get(name) ?? 0) - (info?.requested.get(name) ?? 0)) return false;
  }
  return true;
}

function portsConflict(pod: PodObject, info: NodeInfo): boolean {
  return hostPorts(pod).some((wanted) =>
    info.ports.some((used) => used.protocol === wanted.protocol && used.port === wanted.port && (wanted.ip === '0.0.0.0' || used.ip === '0.0.0.0' || used.ip === wanted.ip)),
  );
}

function resourceReasons(pod: PodObject, node: NodeObject, info: NodeInfo | undefined): string[] {
  const reasons: string[] = [];
  const free = allocatable(node);
  const podCount = info?.pods.size ?? 0;
  if (podCount + 1 > (free.get('pods') ?? 0) / 1000) reasons.push('Too many pods');
  for (const [name, wanted] of podRequests(pod)) {
    if (wanted <= 0 || name === 'pods') continue;
    const available = (free.get(name) ?? 0) - (info?.requested.get(name) ?? 0);
    if (wanted > available) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** Upstream LeastAllocated over cpu and memory (0–100, higher is emptier), counting requests with their defaults. */
export function leastAllocatedScore(pod: PodObject, node: NodeObject, info: NodeInfo | undefined): number {
  const free = allocatable(node);
  const wanted = nonZeroRequests(pod);
  let total = 0;
  let weights = 0;
  for (const name of ['cpu', 'memory'] as const) {
    const capacity = free.get(name) ?? 0;
    if (capacity === 0) continue;
    const requested = (info?.nonZero[name] ?? 0) + wanted[name];
    total += requested > capacity ? 0 : ((capacity - requested) * 100) / capacity;
    weights += 1;
  }
  return weights === 0 ? 0 : total / weights;
}

/** Untolerated PreferNoSchedule taints (fewer is better). */
export function preferNoScheduleCount(pod: PodObject, node: NodeObject): number {
  const tolerations = pod.spec?.tolerations ?? [];
  return (node.spec?.taints ?? []).filter((taint) => taint.effect === 'PreferNoSchedule' && !toleratesAll(tolerations, taint)).length;
}

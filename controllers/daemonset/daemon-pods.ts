/**
 * @module controllers/daemonset/daemon-pods
 * Layer: controllers. Which nodes a DaemonSet runs on (upstream NodeShouldRunDaemonPod: node name, node
 * affinity and selector, and taints against the pod's tolerations — never node conditions, capacity or
 * cordoning), the tolerations every daemon pod gets, and the pod the controller creates for a node.
 */
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { DaemonSetObject, NodeObject, PodObject } from '../../server/api/kinds.js';
import { matchesNodeAffinity, toleratesAll } from '../scheduler/filters.js';
import { controllerRef, HASH_LABEL, TEMPLATE_GENERATION_LABEL, templateGeneration } from './history.js';

const ALWAYS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
const HOST_NETWORK: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

/** The template's tolerations with the daemon ones added (an existing one with the same key and effect is replaced). */
export function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const added = spec?.hostNetwork ? [...ALWAYS, HOST_NETWORK] : [...ALWAYS];
  const kept = (spec?.tolerations ?? []).filter((t) => !added.some((a) => a.key === t.key && a.effect === t.effect));
  return [...kept, ...added.map((t) => ({ ...t }))];
}

export interface Eligibility {
  /** a daemon pod should be on the node */
  shouldRun: boolean;
  /** a daemon pod already there may stay */
  shouldContinueRunning: boolean;
}

const tolerationCache = new WeakMap<object, Toleration[]>();

function tolerationsOf(ds: DaemonSetObject): Toleration[] {
  const spec = ds.spec?.template?.spec as object | undefined;
  if (!spec) return daemonTolerations(undefined);
  let cached = tolerationCache.get(spec);
  if (!cached) {
    cached = daemonTolerations(ds.spec?.template?.spec);
    tolerationCache.set(spec, cached);
  }
  return cached;
}

/**
 * Eligibility per stored node version and DaemonSet generation (the template changes only with the
 * generation): worked out once, not on every sync over thousands of nodes.
 */
const eligibilityCache = new WeakMap<object, Map<string, Eligibility>>();

export function nodeShouldRunDaemonPod(ds: DaemonSetObject, node: NodeObject): Eligibility {
  const version = `${ds.metadata.uid}/${ds.metadata.generation}`;
  let byDaemonSet = eligibilityCache.get(node);
  if (!byDaemonSet) {
    byDaemonSet = new Map();
    eligibilityCache.set(node, byDaemonSet);
  }
  let eligibility = byDaemonSet.get(version);
  if (!eligibility) {
    eligibility = decide(ds, node);
    byDaemonSet.set(version, eligibility);
  }
  return eligibility;
}

function decide(ds: DaemonSetObject, node: NodeObject): Eligibility {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata.name as string;
  if (spec?.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { ...(spec ?? { containers: [] }), nodeName: name } } as PodObject;
  if (!matchesNodeAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = tolerationsOf(ds);
  let untoleratedNoSchedule = false;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (toleratesAll(tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return { shouldRun: false, shouldContinueRunning: false };
    untoleratedNoSchedule = true;
  }
  return untoleratedNoSchedule ? { shouldRun: false, shouldContinueRunning: true } : { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: its nodeName, or its `matchFields metadata.name In [x]` pin. */
export function targetNode(pod: PodObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

/** The pod the controller creates for `node` (upstream NewPod plus node pinning). */
export function newDaemonPod(ds: DaemonSetObject, node: string, hash: string): PodObject {
  const template = ds.spec?.template ?? {};
  const spec = structuredClone(template.spec ?? { containers: [] });
  const generation = templateGeneration(ds);
  const affinity = spec.affinity ?? {};
  const nodeAffinity = affinity.nodeAffinity ?? {};
  spec.affinity = {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
    },
  };
  spec.tolerations = daemonTolerations(spec);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash, ...(generation && { [TEMPLATE_GENERATION_LABEL]: generation }) },
      ...(template.metadata?.annotations && { annotations: { ...template.metadata.annotations } }),
      ...(template.metadata?.finalizers && { finalizers: [...template.metadata.finalizers] }),
      ownerReferences: [controllerRef(ds)],
    },
    spec,
  };
}

/** Whether a pod runs the DaemonSet's current template (upstream IsPodUpdated). */
export function isUpdated(pod: PodObject, hash: string, ds: DaemonSetObject): boolean {
  const labels = pod.metadata.labels ?? {};
  if (labels[HASH_LABEL] === hash) return true;
  const generation = templateGeneration(ds);
  return generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation;
}

/** Upstream's order for pods on one node: bound first, then older, then by name. */
export function byAge(a: PodObject, b: PodObject): number {
  const boundA = a.spec?.nodeName ? 0 : 1;
  const boundB = b.spec?.nodeName ? 0 : 1;
  if (boundA !== boundB) return boundA - boundB;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

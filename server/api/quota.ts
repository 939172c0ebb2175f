/**
 * @module server/api/quota
 * Layer: api (pure). What an object charges against a ResourceQuota, after upstream's quota evaluators:
 * object counts (`count/<resource>[.<group>]` and the legacy core names), pod compute usage (`pods`, `cpu`,
 * `requests.*`, `limits.*`, only while a pod is not finished), services (`services.nodeports`,
 * `services.loadbalancers`) and claims (`requests.storage`, per storage class); whether a quota's scopes select
 * a pod; and the `must specify` constraint quotas on cpu/memory put on every container. Quantities are milli-units.
 */
import type { Container, PersistentVolumeClaim, Pod, ResourceQuota, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js';
import type { Kube, KubeObject } from './object.js';
import { isBinaryQuantity, parseQuantity } from './quantity.js';

export type Usage = Map<string, bigint>;
export interface QuotaTarget {
  group: string;
  plural: string;
}

const ONE = 1000n;
/** Core kinds counted under their bare plural too (upstream's legacy object-count names). */
const LEGACY_COUNTS = new Set(['pods', 'services', 'configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas', 'persistentvolumeclaims']);
const POD_NAMES = new Set(['pods', 'cpu', 'memory', 'ephemeral-storage']);
const SERVICE_NAMES = new Set(['services.nodeports', 'services.loadbalancers']);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
/** Quotas on these make every container state them (upstream's backward-compatibility rule). */
const MUST_SPECIFY = ['cpu', 'limits.cpu', 'limits.memory', 'memory', 'requests.cpu', 'requests.memory'];

export function countName(target: QuotaTarget): string {
  return target.group ? `count/${target.plural}.${target.group}` : `count/${target.plural}`;
}

const isPods = (t: QuotaTarget) => t.group === '' && t.plural === 'pods';
const isServices = (t: QuotaTarget) => t.group === '' && t.plural === 'services';
const isClaims = (t: QuotaTarget) => t.group === '' && t.plural === 'persistentvolumeclaims';

/** Whether a quota on `name` is about objects of `target` (each resource name belongs to one kind). */
export function chargesTarget(name: string, target: QuotaTarget): boolean {
  if (name === countName(target)) return true;
  if (target.group !== '') return false;
  if (LEGACY_COUNTS.has(target.plural) && name === target.plural) return true;
  if (isPods(target)) return POD_NAMES.has(name) || name.startsWith('hugepages-') || (name.startsWith('requests.') && name !== 'requests.storage') || name.startsWith('limits.');
  if (isServices(target)) return SERVICE_NAMES.has(name);
  if (isClaims(target)) return name === 'requests.storage' || name.includes(STORAGE_CLASS_SUFFIX);
  return false;
}

/** The kind a quota resource name charges, for the controller that totals it. */
export function targetOfName(name: string): QuotaTarget | undefined {
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', plural: rest } : { group: rest.slice(dot + 1), plural: rest.slice(0, dot) };
  }
  if (LEGACY_COUNTS.has(name)) return { group: '', plural: name };
  for (const plural of ['pods', 'services', 'persistentvolumeclaims']) {
    const target = { group: '', plural };
    if (chargesTarget(name, target)) return target;
  }
  return undefined;
}

/** Pods stop counting once finished, or once stuck terminating past their grace period (upstream QuotaV1Pod). */
export function podCharged(pod: Kube<Pod>, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp && deletionGracePeriodSeconds !== undefined) return now <= Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000;
  return true;
}

export interface Totals {
  values: Usage;
  binary: Set<string>;
}

function addQuantity(into: Totals, name: string, text: string | number | undefined): void {
  if (text === undefined) return;
  const milli = parseQuantity(text);
  if (milli === undefined) return;
  into.values.set(name, (into.values.get(name) ?? 0n) + milli);
  if (isBinaryQuantity(text)) into.binary.add(name);
}

type ResourceList = Record<string, string | number>;

/** A pod's effective requests or limits: containers and sidecars summed, at least each init container, plus overhead. */
function podResources(pod: Kube<Pod>, pick: (c: Container) => ResourceList | undefined): Totals {
  const spec = pod.spec;
  const totals: Totals = { values: new Map(), binary: new Set() };
  if (!spec) return totals;
  const sidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...spec.containers, ...sidecars]) {
    for (const [name, text] of Object.entries(pick(container) ?? {})) addQuantity(totals, name, text);
  }
  for (const init of spec.initContainers ?? []) {
    if (init.restartPolicy === 'Always') continue;
    for (const [name, text] of Object.entries(pick(init) ?? {})) {
      const milli = parseQuantity(text) ?? 0n;
      if (milli > (totals.values.get(name) ?? 0n)) {
        totals.values.set(name, milli);
        if (isBinaryQuantity(text)) totals.binary.add(name);
      }
    }
  }
  for (const [name, text] of Object.entries((spec.overhead ?? {}) as ResourceList)) addQuantity(totals, name, text);
  return totals;
}

const isExtended = (name: string) => name.includes('/') && !name.startsWith('kubernetes.io/');

function podUsage(pod: Kube<Pod>, into: Totals): void {
  into.values.set('pods', ONE);
  const requests = podResources(pod, (c) => c.resources?.requests as ResourceList | undefined);
  for (const [name, milli] of requests.values) {
    const binary = requests.binary.has(name);
    const names = ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-') ? [name, `requests.${name}`] : isExtended(name) ? [`requests.${name}`] : [];
    for (const charged of names) {
      into.values.set(charged, milli);
      if (binary) into.binary.add(charged);
    }
  }
  const limits = podResources(pod, (c) => c.resources?.limits as ResourceList | undefined);
  for (const [name, milli] of limits.values) {
    if (!['cpu', 'memory', 'ephemeral-storage'].includes(name)) continue;
    into.values.set(`limits.${name}`, milli);
    if (limits.binary.has(name)) into.binary.add(`limits.${name}`);
  }
}

function serviceUsage(service: Kube<Service>, into: Totals): void {
  const type = service.spec?.type;
  const loadBalancer = type === 'LoadBalancer';
  if (loadBalancer) into.values.set('services.loadbalancers', ONE);
  const nodePorts = type === 'NodePort' || (loadBalancer && service.spec?.allocateLoadBalancerNodePorts !== false);
  if (nodePorts) into.values.set('services.nodeports', BigInt(service.spec?.ports?.length ?? 0) * ONE);
}

function claimUsage(claim: Kube<PersistentVolumeClaim>, into: Totals): void {
  const storage = claim.spec?.resources?.requests?.storage as string | undefined;
  addQuantity(into, 'requests.storage', storage);
  const className = claim.spec?.storageClassName;
  if (!className) return;
  into.values.set(`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, ONE);
  addQuantity(into, `${className}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
}

/** Everything one object charges; `binary` names the resources whose quantities print in binary units. */
export function usageOf(target: QuotaTarget, object: KubeObject, now: number): Totals {
  const totals: Totals = { values: new Map([[countName(target), ONE]]), binary: new Set() };
  if (target.group !== '') return totals;
  if (isPods(target)) {
    if (podCharged(object as Kube<Pod>, now)) podUsage(object as Kube<Pod>, totals);
    return totals;
  }
  if (LEGACY_COUNTS.has(target.plural)) totals.values.set(target.plural, ONE);
  if (isServices(target)) serviceUsage(object as Kube<Service>, totals);
  if (isClaims(target)) claimUsage(object as Kube<PersistentVolumeClaim>, totals);
  return totals;
}

/** What the objects a quota selects charge, for the named resources (each starting at zero). */
export function totalUsage(quota: Kube<ResourceQuota>, target: QuotaTarget, objects: Iterable<KubeObject>, names: readonly string[], now: number): Totals {
  const totals: Totals = { values: new Map(names.map((name) => [name, 0n])), binary: new Set() };
  for (const object of objects) {
    if (!scopesSelect(quota, target, object)) continue;
    const usage = usageOf(target, object, now);
    for (const name of names) {
      const value = usage.values.get(name);
      if (value === undefined) continue;
      totals.values.set(name, (totals.values.get(name) ?? 0n) + value);
      if (usage.binary.has(name)) totals.binary.add(name);
    }
  }
  return totals;
}

/** Whether a quota selects a pod or object: only pods can match a scoped quota (upstream's MatchesNoScopeFunc). */
export function scopesSelect(quota: Kube<ResourceQuota>, target: QuotaTarget, object: KubeObject): boolean {
  const requirements: ScopedResourceSelectorRequirement[] = [
    ...(quota.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  if (requirements.length === 0) return true;
  if (!isPods(target)) return false;
  return requirements.every((requirement) => podMatchesScope(object as Kube<Pod>, requirement));
}

function podMatchesScope(pod: Kube<Pod>, { scopeName, operator, values = [] }: ScopedResourceSelectorRequirement): boolean {
  const spec = pod.spec;
  const terminating = spec?.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds >= 0;
  switch (scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'CrossNamespacePodAffinity':
      return hasCrossNamespaceAffinity(pod);
    case 'PriorityClass': {
      const className = spec?.priorityClassName ?? '';
      if (operator === 'In') return values.includes(className);
      if (operator === 'NotIn') return !values.includes(className);
      if (operator === 'Exists') return className !== '';
      return className === '';
    }
    default:
      return false;
  }
}

function isBestEffort(pod: Kube<Pod>): boolean {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return containers.every((c) => {
    const stated = [...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})];
    return !stated.some((name) => name === 'cpu' || name === 'memory');
  });
}

function hasCrossNamespaceAffinity(pod: Kube<Pod>): boolean {
  const affinity = pod.spec?.affinity;
  const terms = [
    ...(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
    ...(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
  ];
  return terms.some((term) => (term.namespaces ?? []).length > 0 || term.namespaceSelector !== undefined);
}

/** `must specify requests.cpu for: a,b; …` when a quota on cpu/memory meets a container that states neither. */
export function missingPodConstraints(pod: Kube<Pod>, restricted: readonly string[]): string | undefined {
  const missing = new Map<string, Set<string>>();
  for (const resource of MUST_SPECIFY.filter((name) => restricted.includes(name))) {
    const [kind, name] = resource.includes('.') ? (resource.split('.') as [string, string]) : ['requests', resource];
    for (const container of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      const stated = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
      if (stated && name in stated) continue;
      const names = missing.get(resource) ?? new Set<string>();
      names.add(container.name);
      missing.set(resource, names);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((resource) => `${resource} for: ${[...(missing.get(resource) as Set<string>)].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

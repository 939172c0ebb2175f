/**
 * @module controllers/kubelet/config
 * Layer: controllers. The simulated cluster as data: node pools (how many nodes, names, labels, taints,
 * capacity) and the pod lifecycle (timings per speed profile, and behaviour rules that make chosen pods fail
 * to pull, crash, never become ready, fail or complete). Read from `--node-config FILE` (YAML); every field is
 * optional and checked, with a clear message naming the field on a mistake.
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import { parseDuration } from '../../server/api/duration.js';
import { isPlainObject } from '../../server/api/object.js';
import { isQuantity } from '../../server/api/quantity.js';

export const BEHAVIORS = ['Run', 'ImagePullBackOff', 'CrashLoopBackOff', 'NeverReady', 'Fail', 'Complete'] as const;
export type Behavior = (typeof BEHAVIORS)[number];

export interface NodePool {
  /** node names are `<namePrefix><n>`, n counting from 1 */
  namePrefix: string;
  count: number;
  labels: Record<string, string>;
  taints: Taint[];
  capacity: Record<string, string>;
  os: string;
  arch: string;
}

/** Milliseconds for each step of a pod's life on a fake node. */
export interface LifecycleTimings {
  /** bound → containers created and started (image pull, sandbox) */
  containerCreating: number;
  /** each init container's run */
  initContainer: number;
  /** how long a pod whose containers run to completion (restartPolicy Never/OnFailure) runs */
  runToCompletion: number;
  /** how long a crashing or failing container runs before it exits */
  crashAfter: number;
  /** first restart back-off (doubles each restart) and its ceiling */
  restartBackoff: number;
  maxRestartBackoff: number;
  /** bound → ErrImagePull, then ImagePullBackOff */
  imagePull: number;
  /** deletion → containers stopped (never longer than the grace period) */
  terminate: number;
}

export interface BehaviorRule {
  /** glob over container images (`*` matches any run of characters) */
  image: string;
  behavior: Behavior;
}

export interface KubeletConfig {
  pools: NodePool[];
  /** how often each kubelet renews its node Lease (upstream: a quarter of the 40 s lease duration) */
  leaseRenewMs: number;
  speed: 'realistic' | 'fast';
  timings: LifecycleTimings;
  rules: BehaviorRule[];
}

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };

const TIMINGS: Readonly<Record<KubeletConfig['speed'], LifecycleTimings>> = {
  realistic: {
    containerCreating: 1000,
    initContainer: 1000,
    runToCompletion: 5000,
    crashAfter: 3000,
    restartBackoff: 10_000,
    maxRestartBackoff: 300_000,
    imagePull: 1000,
    terminate: 1000,
  },
  fast: {
    containerCreating: 0,
    initContainer: 0,
    runToCompletion: 500,
    crashAfter: 200,
    restartBackoff: 200,
    maxRestartBackoff: 2000,
    imagePull: 0,
    terminate: 0,
  },
};

/** Images no registry serves: the upstream DaemonSet e2e tests use `foo:non-existent`. */
export const DEFAULT_RULES: readonly BehaviorRule[] = [{ image: '*:non-existent', behavior: 'ImagePullBackOff' }];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function defaultPool(count: number): NodePool {
  return { namePrefix: 'node-', count, labels: {}, taints: [], capacity: { ...DEFAULT_CAPACITY }, os: 'linux', arch: 'amd64' };
}

export function kubeletConfig(options: { nodes?: number; speed?: KubeletConfig['speed']; file?: unknown } = {}): KubeletConfig {
  const file = options.file === undefined || options.file === null ? {} : options.file;
  if (!isPlainObject(file)) throw new ConfigError('the node configuration must be a YAML mapping');
  for (const key of Object.keys(file)) if (!['nodePools', 'podLifecycle'].includes(key)) throw new ConfigError(`unknown field "${key}" (known: nodePools, podLifecycle)`);
  const pools = file.nodePools === undefined ? [defaultPool(options.nodes ?? 3)] : readPools(file.nodePools);
  const lifecycle = file.podLifecycle === undefined ? {} : file.podLifecycle;
  if (!isPlainObject(lifecycle)) throw new ConfigError('podLifecycle must be a mapping');
  for (const key of Object.keys(lifecycle)) if (!['speed', 'timings', 'rules'].includes(key)) throw new ConfigError(`unknown field "podLifecycle.${key}" (known: speed, timings, rules)`);
  const speed = lifecycle.speed ?? options.speed ?? 'realistic';
  if (speed !== 'realistic' && speed !== 'fast') throw new ConfigError(`podLifecycle.speed must be "realistic" or "fast", got ${JSON.stringify(speed)}`);
  const timings = { ...TIMINGS[speed] };
  if (lifecycle.timings !== undefined) {
    if (!isPlainObject(lifecycle.timings)) throw new ConfigError('podLifecycle.timings must be a mapping');
    for (const [key, value] of Object.entries(lifecycle.timings)) {
      if (!(key in timings)) throw new ConfigError(`unknown field "podLifecycle.timings.${key}" (known: ${Object.keys(timings).join(', ')})`);
      const ms = typeof value === 'string' ? parseDuration(value) : undefined;
      if (ms === undefined || ms < 0) throw new ConfigError(`podLifecycle.timings.${key} must be a duration such as 500ms or 2s, got ${JSON.stringify(value)}`);
      timings[key as keyof LifecycleTimings] = ms;
    }
  }
  const rules = [...readRules(lifecycle.rules), ...DEFAULT_RULES];
  return { pools, leaseRenewMs: 10_000, speed, timings, rules };
}

function readPools(value: unknown): NodePool[] {
  if (!Array.isArray(value)) throw new ConfigError('nodePools must be a list');
  const prefixes = new Set<string>();
  return value.map((entry, i) => {
    const at = `nodePools[${i}]`;
    if (!isPlainObject(entry)) throw new ConfigError(`${at} must be a mapping`);
    const known = ['namePrefix', 'count', 'labels', 'taints', 'capacity', 'os', 'arch'];
    for (const key of Object.keys(entry)) if (!known.includes(key)) throw new ConfigError(`unknown field "${at}.${key}" (known: ${known.join(', ')})`);
    const pool = defaultPool(1);
    if (entry.namePrefix !== undefined) {
      if (typeof entry.namePrefix !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[-a-z0-9.])?$/.test(entry.namePrefix)) {
        throw new ConfigError(`${at}.namePrefix must be the start of a DNS-1123 name, such as "gpu-", got ${JSON.stringify(entry.namePrefix)}`);
      }
      pool.namePrefix = entry.namePrefix;
    }
    if (prefixes.has(pool.namePrefix)) throw new ConfigError(`${at}.namePrefix "${pool.namePrefix}" is used by another pool`);
    prefixes.add(pool.namePrefix);
    if (entry.count !== undefined) {
      if (!Number.isInteger(entry.count) || (entry.count as number) < 0 || (entry.count as number) > 100_000) throw new ConfigError(`${at}.count must be a whole number from 0 to 100000`);
      pool.count = entry.count as number;
    }
    pool.labels = stringMap(entry.labels, `${at}.labels`);
    const capacity = stringMap(entry.capacity, `${at}.capacity`);
    for (const [name, quantity] of Object.entries(capacity)) if (!isQuantity(quantity)) throw new ConfigError(`${at}.capacity.${name} must be a quantity such as "8" or "32Gi", got "${quantity}"`);
    pool.capacity = { ...DEFAULT_CAPACITY, ...capacity };
    pool.taints = readTaints(entry.taints, `${at}.taints`);
    for (const key of ['os', 'arch'] as const) {
      if (entry[key] === undefined) continue;
      if (typeof entry[key] !== 'string' || entry[key] === '') throw new ConfigError(`${at}.${key} must be a string`);
      pool[key] = entry[key] as string;
    }
    return pool;
  });
}

function readTaints(value: unknown, at: string): Taint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${at} must be a list`);
  return value.map((taint, i) => {
    if (!isPlainObject(taint) || typeof taint.key !== 'string' || !taint.key) throw new ConfigError(`${at}[${i}] needs a key`);
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(String(taint.effect))) {
      throw new ConfigError(`${at}[${i}].effect must be NoSchedule, PreferNoSchedule or NoExecute`);
    }
    if (taint.value !== undefined && typeof taint.value !== 'string') throw new ConfigError(`${at}[${i}].value must be a string`);
    return { key: taint.key, ...(taint.value !== undefined && { value: taint.value as string }), effect: taint.effect as string };
  });
}

function readRules(value: unknown): BehaviorRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError('podLifecycle.rules must be a list');
  return value.map((rule, i) => {
    const at = `podLifecycle.rules[${i}]`;
    if (!isPlainObject(rule) || typeof rule.image !== 'string' || !rule.image) throw new ConfigError(`${at} needs an image pattern`);
    if (!BEHAVIORS.includes(rule.behavior as Behavior)) throw new ConfigError(`${at}.behavior must be one of ${BEHAVIORS.join(', ')}`);
    return { image: rule.image, behavior: rule.behavior as Behavior };
  });
}

function stringMap(value: unknown, at: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ConfigError(`${at} must be a mapping`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string' && typeof item !== 'number') throw new ConfigError(`${at}.${key} must be a string`);
    out[key] = String(item);
  }
  return out;
}

/** Whether `image` matches a rule's glob. */
export function imageMatches(pattern: string, image: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(image);
}

/**
 * @module controllers/scheduler/node-info
 * Layer: controllers. What the scheduler knows of each node: the summed requests and host ports of the pods
 * on it (upstream's NodeInfo), and a pod's own requests by upstream's rule (the larger of the containers'
 * sum and any one init container, plus overhead).
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../server/api/quantity.js';
import type { PodObject } from '../../server/api/kinds.js';

/** resource name → milli-units */
export type Resources = Map<string, number>;

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export class NodeInfo {
  readonly requested: Resources = new Map();
  /** cpu and memory with upstream's defaults for containers that request none (used for scoring) */
  readonly nonZero = { cpu: 0, memory: 0 };
  readonly ports: HostPort[] = [];
  readonly pods = new Set<string>();

  add(key: string, pod: PodObject): void {
    if (this.pods.has(key)) return;
    this.pods.add(key);
    for (const [name, value] of podRequests(pod)) this.requested.set(name, (this.requested.get(name) ?? 0) + value);
    const nonZero = nonZeroRequests(pod);
    this.nonZero.cpu += nonZero.cpu;
    this.nonZero.memory += nonZero.memory;
    this.ports.push(...hostPorts(pod));
  }

  remove(key: string, pod: PodObject): void {
    if (!this.pods.delete(key)) return;
    for (const [name, value] of podRequests(pod)) this.requested.set(name, (this.requested.get(name) ?? 0) - value);
    const nonZero = nonZeroRequests(pod);
    this.nonZero.cpu -= nonZero.cpu;
    this.nonZero.memory -= nonZero.memory;
    for (const port of hostPorts(pod)) {
      const at = this.ports.findIndex((p) => p.ip === port.ip && p.protocol === port.protocol && p.port === port.port);
      if (at >= 0) this.ports.splice(at, 1);
    }
  }
}

function milli(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const parsed = parseQuantity(quantity);
  return parsed === undefined ? 0 : Number(parsed);
}

function containerRequests(containers: readonly Container[]): Resources {
  const sum: Resources = new Map();
  for (const container of containers) {
    for (const [name, quantity] of Object.entries(container.resources?.requests ?? {})) sum.set(name, (sum.get(name) ?? 0) + milli(quantity));
  }
  return sum;
}

const requestCache = new WeakMap<object, Resources>();

/** Upstream PodRequests: max(sum of containers + sidecars, each init container + sidecars started before it) + overhead. */
export function podRequests(pod: PodObject): Resources {
  const spec = pod.spec;
  if (!spec) return new Map();
  const cached = requestCache.get(spec);
  if (cached) return cached;
  const sidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const total = containerRequests([...spec.containers, ...sidecars]);
  const started: Container[] = [];
  for (const init of spec.initContainers ?? []) {
    if (init.restartPolicy === 'Always') {
      started.push(init);
      continue;
    }
    for (const [name, value] of containerRequests([init, ...started])) if (value > (total.get(name) ?? 0)) total.set(name, value);
  }
  for (const [name, quantity] of Object.entries(spec.overhead ?? {})) total.set(name, (total.get(name) ?? 0) + milli(quantity));
  requestCache.set(spec, total);
  return total;
}

/** upstream's DefaultMilliCPURequest and DefaultMemoryRequest, for containers without requests */
const DEFAULT_CPU = 100;
const DEFAULT_MEMORY = 200 * 1024 * 1024 * 1000;

/** cpu and memory requests with defaults for what a container leaves out (upstream GetNonzeroRequests). */
const nonZeroCache = new WeakMap<object, { cpu: number; memory: number }>();

export function nonZeroRequests(pod: PodObject): { cpu: number; memory: number } {
  const spec = pod.spec;
  if (!spec) return { cpu: 0, memory: 0 };
  let cached = nonZeroCache.get(spec);
  if (!cached) {
    cached = { cpu: 0, memory: 0 };
    for (const container of spec.containers ?? []) {
      cached.cpu += milli(container.resources?.requests?.cpu) || DEFAULT_CPU;
      cached.memory += milli(container.resources?.requests?.memory) || DEFAULT_MEMORY;
    }
    nonZeroCache.set(spec, cached);
  }
  return cached;
}

export function hostPorts(pod: PodObject): HostPort[] {
  const ports: HostPort[] = [];
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.hostPort && port.hostPort > 0) ports.push({ ip: port.hostIP || '0.0.0.0', protocol: port.protocol ?? 'TCP', port: port.hostPort });
    }
  }
  return ports;
}

const allocatableCache = new WeakMap<object, Resources>();
const NO_RESOURCES: Resources = new Map();

/** Allocatable resources of a node in milli-units (parsed once per stored version of the node). */
export function allocatable(node: { status?: { allocatable?: Record<string, string> } }): Resources {
  const declared = node.status?.allocatable;
  if (!declared) return NO_RESOURCES;
  let out = allocatableCache.get(declared);
  if (!out) {
    out = new Map();
    for (const [name, quantity] of Object.entries(declared)) out.set(name, milli(quantity));
    allocatableCache.set(declared, out);
  }
  return out;
}

/**
 * @module controllers/kubelet/node-status
 * Layer: controllers. The Node a fake kubelet registers and the status it keeps reporting (mirrors the
 * kubelet's initialNode and its status setters): standard labels, pod CIDR and provider ID, capacity and
 * allocatable, addresses, nodeInfo matching the served version, and the conditions with the kubelet's
 * reasons and messages. Status is re-posted when it changes or every report period, as upstream.
 */
import { rfc3339At } from '../../server/api/time.js';
import { createHash } from 'node:crypto';
import type { NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { KUBERNETES_VERSION } from '../../server/api/version.js';
import { nodeIp, podCidr } from './addresses.js';
import { DEFAULT_CAPACITY, type NodePool } from './config.js';
import type { NodeObject } from '../../server/api/kinds.js';



const CONDITIONS: readonly { type: string; status: string; reason: string; message: string }[] = [
  { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'RouteController created a route' },
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];


function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function standardLabels(name: string, os: string, arch: string): Record<string, string> {
  return { 'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': os, 'kubernetes.io/arch': arch, 'kubernetes.io/hostname': name, 'kubernetes.io/os': os };
}

/** The Node a kubelet of `pool` registers as `name` in `slot`. */
export function registeredNode(name: string, slot: number, pool: NodePool, now: number): NodeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { ...standardLabels(name, pool.os, pool.arch), ...pool.labels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: podCidr(slot), podCIDRs: [podCidr(slot)], providerID: `kubemu://${name}`, ...(pool.taints.length > 0 && { taints: pool.taints.map((t) => ({ ...t })) }) },
    status: nodeStatus(name, slot, { capacity: pool.capacity, os: pool.os, arch: pool.arch }, undefined, now),
  };
}

/** The status a healthy kubelet reports, keeping what it should keep from `previous` (transition times, capacity). */
export function nodeStatus(name: string, slot: number, shape: { capacity: Record<string, string>; os: string; arch: string }, previous: NodeStatus | undefined, now: number): NodeStatus {
  const nowText = rfc3339At(now);
  const conditions: NodeCondition[] = CONDITIONS.map((c) => {
    const before = previous?.conditions?.find((p) => p.type === c.type);
    const transitioned = !before || before.status !== c.status;
    return { ...c, lastHeartbeatTime: nowText, lastTransitionTime: transitioned ? nowText : (before?.lastTransitionTime ?? nowText) };
  });
  const capacity = previous?.capacity ?? { ...DEFAULT_CAPACITY, ...shape.capacity };
  return {
    capacity,
    allocatable: previous?.allocatable ?? { ...capacity },
    conditions,
    addresses: [
      { type: 'InternalIP', address: nodeIp(slot) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: createHash('md5').update(`machine/${name}`).digest('hex'),
      systemUUID: uuid(`system/${name}`),
      bootID: uuid(`boot/${name}`),
      kernelVersion: '6.1.0-kubemu',
      osImage: 'kubemu fake node',
      containerRuntimeVersion: 'containerd://1.7.13',
      kubeletVersion: KUBERNETES_VERSION.gitVersion,
      kubeProxyVersion: KUBERNETES_VERSION.gitVersion,
      operatingSystem: shape.os,
      architecture: shape.arch,
    },
    ...(previous?.images && { images: previous.images }),
  };
}

/** Whether a posted status differs from the desired one in anything but heartbeat times. */
export function statusChanged(current: NodeStatus | undefined, desired: NodeStatus): boolean {
  const strip = (status: NodeStatus | undefined) => JSON.stringify({ ...status, conditions: (status?.conditions ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest) });
  return strip(current) !== strip(desired);
}

/** The newest heartbeat of a node's conditions (ms), or 0. */
export function lastHeartbeat(node: NodeObject): number {
  let latest = 0;
  for (const c of node.status?.conditions ?? []) {
    const at = c.lastHeartbeatTime ? Date.parse(c.lastHeartbeatTime) : 0;
    if (at > latest) latest = at;
  }
  return latest;
}

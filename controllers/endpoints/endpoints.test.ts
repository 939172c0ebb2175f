import { describe, expect, it } from 'vitest';
import type { PodObject, ServiceObject } from '../../server/api/kinds.js';
import { findPort, shouldBeInEndpoints } from './pod-endpoints.js';
import { desiredEndpoints, planSlices } from './slices.js';
import { endpointSubsets, truncate } from './subsets.js';

const service = (extra: Partial<NonNullable<ServiceObject['spec']>> = {}): ServiceObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'admin', port: 9000, targetPort: 9000, protocol: 'TCP' }], ...extra },
});

function pod(name: string, ip: string, options: { ready?: boolean; deleting?: boolean; named?: boolean; phase?: string } = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(options.deleting && { deletionTimestamp: '2026-01-01T00:00:00Z' }) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports: options.named === false ? [] : [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: options.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  };
}

describe('pods in endpoints', () => {
  it('leaves out finished pods, pods without an IP, and (unless asked) terminating ones', () => {
    expect(shouldBeInEndpoints(pod('a', '10.0.0.1'), false)).toBe(true);
    expect(shouldBeInEndpoints(pod('a', '10.0.0.1', { phase: 'Succeeded' }), true)).toBe(false);
    expect(shouldBeInEndpoints(pod('a', ''), true)).toBe(false);
    expect(shouldBeInEndpoints(pod('a', '10.0.0.1', { deleting: true }), false)).toBe(false);
    expect(shouldBeInEndpoints(pod('a', '10.0.0.1', { deleting: true }), true)).toBe(true);
  });

  it('resolves named target ports through the containers and keeps numbers as they are', () => {
    expect(findPort(pod('a', '1.1.1.1'), { port: 80, targetPort: 'http' })).toBe(8080);
    expect(findPort(pod('a', '1.1.1.1'), { port: 80, targetPort: 'http', protocol: 'UDP' })).toBeUndefined();
    expect(findPort(pod('a', '1.1.1.1'), { port: 80, targetPort: 9999 })).toBe(9999);
  });
});

describe('Endpoints subsets', () => {
  it('groups addresses by the ports they share, not-ready ones apart', () => {
    const subsets = endpointSubsets(service(), [pod('b', '10.0.0.2'), pod('a', '10.0.0.10'), pod('c', '10.0.0.3', { ready: false }), pod('d', '10.0.0.4', { named: false })]);
    // http resolves on a, b, c; admin (a number) on all four: two subsets, c not ready in both
    expect(subsets.map((s) => [(s.addresses ?? []).map((a) => a.ip), (s.notReadyAddresses ?? []).map((a) => a.ip), s.ports])).toEqual([
      [['10.0.0.2', '10.0.0.4', '10.0.0.10'], ['10.0.0.3'], [{ name: 'admin', port: 9000, protocol: 'TCP' }]],
      [['10.0.0.2', '10.0.0.10'], ['10.0.0.3'], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
    ]);
    expect(subsets[0]?.addresses?.[1]).toEqual({ ip: '10.0.0.4', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'd', uid: 'uid-d' } });
  });

  it('caps at 1,000 addresses, dropping not-ready ones first', () => {
    const addresses = Array.from({ length: 900 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}` }));
    const notReady = Array.from({ length: 300 }, (_, i) => ({ ip: `10.2.${i >> 8}.${i & 255}` }));
    const subsets = [{ addresses, notReadyAddresses: notReady }];
    expect(truncate(subsets)).toBe(true);
    expect(subsets[0]?.addresses).toHaveLength(900);
    expect(subsets[0]?.notReadyAddresses).toHaveLength(100);
  });
});

describe('EndpointSlices', () => {
  const many = (count: number) => Array.from({ length: count }, (_, i) => pod(`p${i}`, `10.3.${i >> 8}.${i & 255}`));

  it('packs endpoints into slices of at most the maximum, with conditions', () => {
    const desired = desiredEndpoints(service(), [...many(250), pod('t', '10.9.9.9', { deleting: true })], () => 'zone-a');
    const plan = planSlices(service(), desired, []);
    expect(plan.create.map((s) => s.endpoints?.length)).toEqual([100, 100, 51]);
    const terminating = plan.create.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === 't');
    expect(terminating).toMatchObject({ conditions: { ready: false, serving: true, terminating: true }, zone: 'zone-a', nodeName: 'node-1' });
    expect(plan.create[0]?.metadata).toMatchObject({ generateName: 'web-', labels: { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } });
  });

  it('keeps endpoints where they are, fills an existing slice, and reuses an emptied one', () => {
    const first = planSlices(service(), desiredEndpoints(service(), many(150), () => undefined), []).create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${i}` } }));
    // 20 more pods: they fit the second slice (50 + 20).
    const grown = planSlices(service(), desiredEndpoints(service(), many(170), () => undefined), first);
    expect(grown.create).toEqual([]);
    expect(grown.update.map((s) => [s.metadata.name, s.endpoints?.length])).toEqual([['web-1', 70]]);
    // All pods replaced: the slices are rewritten, none deleted and created.
    const replaced = Array.from({ length: 150 }, (_, i) => pod(`q${i}`, `10.4.${i >> 8}.${i & 255}`));
    const swap = planSlices(service(), desiredEndpoints(service(), replaced, () => undefined), first);
    expect(swap.create).toEqual([]);
    expect(swap.delete).toEqual([]);
    expect(swap.update.map((s) => s.endpoints?.length).sort()).toEqual([100, 50]);
    // No pods: one empty slice stays.
    const empty = planSlices(service(), desiredEndpoints(service(), [], () => undefined), first);
    expect(empty.update).toEqual([expect.objectContaining({ ports: [], endpoints: [] })]);
    expect(empty.delete).toHaveLength(1);
  });
});

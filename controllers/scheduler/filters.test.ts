import { describe, expect, it } from 'vitest';
import { filterNode, leastAllocatedScore, matchesNodeAffinity, tolerates } from './filters.js';
import type { NodeObject } from '../../server/api/kinds.js';
import { NodeInfo, podRequests } from './node-info.js';
import type { PodObject } from '../../server/api/kinds.js';
import { fitErrorMessage } from './scheduler.js';

const node = (name: string, extra: Partial<NodeObject> = {}): NodeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3' } },
  ...extra,
});
const pod = (spec: Partial<NonNullable<PodObject['spec']>> = {}): PodObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });

describe('scheduler filters', () => {
  it('matches tolerations as upstream ToleratesTaint', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    expect(tolerates({ key: 'k', operator: 'Equal', value: 'v' }, taint)).toBe(true);
    expect(tolerates({ key: 'k', operator: 'Equal', value: 'w' }, taint)).toBe(false);
    expect(tolerates({ operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
  });

  it('reports the first failing plugin per node, worded as upstream', () => {
    expect(filterNode(pod(), node('a', { spec: { unschedulable: true, taints: [{ key: 'x', effect: 'NoSchedule' }] } }), undefined)).toEqual(['node(s) were unschedulable']);
    expect(filterNode(pod(), node('a', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } }), undefined)).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    expect(filterNode(pod({ nodeSelector: { disk: 'ssd' } }), node('a'), undefined)).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    const hungry = pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '3', memory: '8Gi', 'example.com/fpga': '1' } } }] });
    expect(filterNode(hungry, node('a'), undefined)).toEqual(['Insufficient cpu', 'Insufficient memory', 'Insufficient example.com/fpga']);
    const full = new NodeInfo();
    for (let i = 0; i < 3; i++) full.add(`d/p${i}`, pod());
    expect(filterNode(pod(), node('a'), full)).toEqual(['Too many pods']);
    const withPort = pod({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
    const used = new NodeInfo();
    used.add('d/other', withPort);
    expect(filterNode(withPort, node('a'), used)).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
  });

  it('pins pods with matchFields metadata.name and reads label expressions', () => {
    const pinned = pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } } });
    expect(matchesNodeAffinity(pinned, node('a'))).toBe(false);
    expect(matchesNodeAffinity(pinned, node('b'))).toBe(true);
    const big = pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'size', operator: 'Gt', values: ['3'] }] }] } } } });
    expect(matchesNodeAffinity(big, node('a', { metadata: { name: 'a', labels: { size: '4' } } }))).toBe(true);
    expect(matchesNodeAffinity(big, node('a', { metadata: { name: 'a', labels: { size: '2' } } }))).toBe(false);
  });

  it('counts requests as upstream: the larger of the containers and any init container, plus overhead', () => {
    const requests = podRequests(
      pod({
        containers: [{ name: 'a', image: 'i', resources: { requests: { cpu: '100m' } } }, { name: 'b', image: 'i', resources: { requests: { cpu: '200m' } } }],
        initContainers: [{ name: 'init', image: 'i', resources: { requests: { cpu: '500m' } } }],
        overhead: { cpu: '10m' },
      }),
    );
    expect(requests.get('cpu')).toBe(510);
  });

  it('prefers emptier nodes', () => {
    const busy = new NodeInfo();
    busy.add('d/x', pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '1' } } }] }));
    expect(leastAllocatedScore(pod(), node('a'), undefined)).toBeGreaterThan(leastAllocatedScore(pod(), node('a'), busy));
  });

  it('words the FailedScheduling message as kube-scheduler 1.30', () => {
    const reasons = new Map([
      ['a', ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }']],
      ['b', ["node(s) didn't match Pod's node affinity/selector"]],
      ['c', ["node(s) didn't match Pod's node affinity/selector"]],
    ]);
    expect(fitErrorMessage(pod(), 3, reasons)).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    expect(fitErrorMessage(pod({ preemptionPolicy: 'Never' }), 1, new Map([['a', ['Insufficient cpu']]]))).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    expect(fitErrorMessage(pod(), 0, new Map())).toBe('no nodes available to schedule pods');
  });
});

import { describe, expect, it } from 'vitest';
import { conditionTaints, reconcileTaints } from './taints.js';
import { evictionDelay } from './taint-eviction.js';
import type { NodeObject } from '../../server/api/kinds.js';

const node = (ready: string, extra: Partial<NonNullable<NodeObject['spec']>> = {}): NodeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n' },
  spec: extra,
  status: { conditions: [{ type: 'Ready', status: ready }, { type: 'DiskPressure', status: 'True' }] },
});

describe('node lifecycle taints', () => {
  it('maps conditions and cordoning to taints, NoExecute only while evicting', () => {
    expect(conditionTaints(node('Unknown', { unschedulable: true }), true)).toEqual([
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    ]);
    expect(conditionTaints(node('False'), false)).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
    ]);
  });

  it('reconciles only the taints it manages, stamping what it adds', () => {
    const current = [
      { key: 'team', value: 'a', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: 'then' },
    ];
    expect(reconcileTaints(current, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], 'now')).toEqual([
      { key: 'team', value: 'a', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'now' },
    ]);
    expect(reconcileTaints(current, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }], 'now')).toBeUndefined();
  });

  it('evicts at once, later, or never, by the tolerations', () => {
    const unreachable = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }];
    expect(evictionDelay([], unreachable)).toBe(0);
    expect(evictionDelay([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], unreachable)).toBe(300_000);
    expect(evictionDelay([{ operator: 'Exists' }], unreachable)).toBe(Infinity);
  });
});

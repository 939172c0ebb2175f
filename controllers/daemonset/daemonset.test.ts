import { describe, expect, it } from 'vitest';
import { scaledValue } from '../toolkit/int-or-percent.js';
import { goJson } from '../toolkit/hash.js';
import type { DaemonSetObject, NodeObject, PodObject } from '../../server/api/kinds.js';
import { daemonTolerations, isUpdated, newDaemonPod, nodeShouldRunDaemonPod, targetNode } from './daemon-pods.js';
import { revisionData, templateHash } from './history.js';
import { budgets, rollingUpdate } from './rolling-update.js';

const ds = (extra: Partial<NonNullable<DaemonSetObject['spec']>> = {}): DaemonSetObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ds1', namespace: 'default', uid: 'u-ds', annotations: { 'deprecated.daemonset.template.generation': '2' } },
  spec: {
    selector: { matchLabels: { app: 'ds1' } },
    template: { metadata: { labels: { app: 'ds1' } }, spec: { containers: [{ name: 'c', image: 'nginx:1 <&>' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    ...extra,
  },
});
const node = (name: string, extra: Partial<NonNullable<NodeObject['spec']>> = {}, labels: Record<string, string> = {}): NodeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: extra });

describe('revisions', () => {
  it('encodes data as Go encodes a map: sorted keys, "$patch" first, HTML escaped', () => {
    expect(goJson({ b: 1, a: ['<x>', { d: null, c: true }] })).toBe('{"a":["\\u003cx\\u003e",{"c":true,"d":null}],"b":1}');
    expect(revisionData(ds())).toBe('{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"ds1"}},"spec":{"containers":[{"image":"nginx:1 \\u003c\\u0026\\u003e","name":"c"}]}}}}');
  });

  it('hashes the template into the safe alphabet, differently per collision count', () => {
    const hash = templateHash(ds(), undefined);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash(ds(), undefined)).toBe(hash);
    expect(templateHash(ds(), 1)).not.toBe(hash);
  });
});

describe('daemon pods', () => {
  it('decides eligibility by name, affinity and taints only', () => {
    expect(nodeShouldRunDaemonPod(ds(), node('n'))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(ds(), node('n', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(ds(), node('n', { taints: [{ key: 'k', effect: 'NoSchedule' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(ds(), node('n', { taints: [{ key: 'k', effect: 'NoExecute' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: false });
    expect(nodeShouldRunDaemonPod(ds(), node('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const picky = ds({ template: { metadata: { labels: { app: 'ds1' } }, spec: { nodeSelector: { zone: 'a' }, containers: [{ name: 'c', image: 'i' }] } } });
    expect(nodeShouldRunDaemonPod(picky, node('n', {}, { zone: 'b' }))).toEqual({ shouldRun: false, shouldContinueRunning: false });
  });

  it('adds the network-unavailable toleration only for hostNetwork, replacing same key and effect', () => {
    expect(daemonTolerations({ containers: [], hostNetwork: true }).map((t) => t.key)).toContain('node.kubernetes.io/network-unavailable');
    const replaced = daemonTolerations({ containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] });
    expect(replaced.filter((t) => t.key === 'node.kubernetes.io/not-ready')).toEqual([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]);
  });

  it('creates pinned pods labelled with hash and template generation', () => {
    const pod = newDaemonPod(ds(), 'node-7', 'abc');
    expect(pod.metadata).toMatchObject({ generateName: 'ds1-', labels: { app: 'ds1', 'controller-revision-hash': 'abc', 'pod-template-generation': '2' } });
    expect(targetNode(pod)).toBe('node-7');
    expect(isUpdated(pod, 'abc', ds())).toBe(true);
    expect(isUpdated({ ...pod, metadata: { labels: { 'pod-template-generation': '1' } } } as PodObject, 'zzz', ds())).toBe(false);
  });
});

describe('rolling update', () => {
  it('scales budgets rounding up, and never lets both be zero', () => {
    expect(scaledValue('10%', 3, true)).toBe(1);
    expect(scaledValue('50%', 3, true)).toBe(2);
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(budgets(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }), 4)).toEqual({ maxUnavailable: 1, maxSurge: 0 });
  });

  const ready = (name: string, hash: string): PodObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'controller-revision-hash': hash } },
    spec: { containers: [] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });

  it('deletes at most maxUnavailable available old pods, and unavailable ones at once', () => {
    const nodes = ['a', 'b', 'c'].map((n) => ({ node: n, shouldRun: true, pods: [ready(`old-${n}`, 'old')] }));
    expect(rollingUpdate(ds(), 'new', nodes, Date.now()).deletePods.map((p) => p.metadata.name)).toEqual(['old-a']);
    const unready = { ...ready('old-b', 'old'), status: { conditions: [] } };
    const mixed = [nodes[0], { node: 'b', shouldRun: true, pods: [unready] }, nodes[2]] as typeof nodes;
    expect(rollingUpdate(ds(), 'new', mixed, Date.now()).deletePods.map((p) => p.metadata.name)).toEqual(['old-b']);
  });

  it('surges onto nodes up to maxSurge, and retires old pods once new ones are available', () => {
    const surge = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const nodes = ['a', 'b'].map((n) => ({ node: n, shouldRun: true, pods: [ready(`old-${n}`, 'old')] }));
    expect(rollingUpdate(surge, 'new', nodes, Date.now())).toEqual({ deletePods: [], createOnNodes: ['a'] });
    const both = [{ node: 'a', shouldRun: true, pods: [ready('old-a', 'old'), ready('new-a', 'new')] }, nodes[1] as (typeof nodes)[number]];
    expect(rollingUpdate(surge, 'new', both, Date.now())).toEqual({ deletePods: [both[0]?.pods[0]], createOnNodes: ['b'] });
  });
});

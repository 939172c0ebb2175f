import { describe, expect, it } from 'vitest';
import { RESOURCES } from './resources/index.js';
import { applyStrategicMergePatch, StrategicPatchError } from './strategic-merge.js';

const resource = (plural: string, group = '') => {
  const found = RESOURCES.find((r) => r.plural === plural && r.group === group);
  if (!found) throw new Error(plural);
  return found;
};
const deployments = resource('deployments', 'apps');
const pods = resource('pods');
const configmaps = resource('configmaps');

function deployment(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec };
}

const containers = (...list: Record<string, unknown>[]) => ({ template: { spec: { containers: list } } });

describe('strategic merge patch', () => {
  it.each([
    [
      'merges containers by name: changes one, keeps the other',
      containers({ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }),
      containers({ name: 'b', image: 'b:2' }),
      containers({ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }),
    ],
    [
      'appends a container with a new name',
      containers({ name: 'a', image: 'a:1' }),
      containers({ name: 'c', image: 'c:1' }),
      containers({ name: 'a', image: 'a:1' }, { name: 'c', image: 'c:1' }),
    ],
    [
      'deletes a list item with $patch: delete',
      containers({ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }),
      containers({ name: 'a', $patch: 'delete' }),
      containers({ name: 'b', image: 'b:1' }),
    ],
    [
      'merges ports by containerPort and env by name inside a container',
      containers({ name: 'a', ports: [{ containerPort: 80, name: 'http' }], env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }),
      containers({ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }], env: [{ name: 'Y', value: '3' }] }),
      containers({
        name: 'a',
        ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }],
        env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }],
      }),
    ],
    [
      'orders merged items by $setElementOrder',
      containers({ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }),
      { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'a:2' }] } } },
      containers({ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:2' }),
    ],
    [
      'replaces the whole template with $patch: replace (kubectl rollout undo)',
      { replicas: 2, template: { metadata: { labels: { app: 'x', extra: 'y' } }, spec: { containers: [{ name: 'a', image: 'a:2' }, { name: 'b', image: 'b:1' }] } } },
      { template: { $patch: 'replace', metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } } },
      { replicas: 2, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } } },
    ],
    [
      'replaces a list with an item carrying $patch: replace',
      containers({ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }),
      { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z:1' }] } } },
      containers({ name: 'z', image: 'z:1' }),
    ],
    [
      'keeps only $retainKeys (switching a deployment strategy to Recreate)',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
      { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
      { strategy: { type: 'Recreate' } },
    ],
    [
      'replaces atomic lists (tolerations) and deletes map keys set to null',
      { template: { metadata: { labels: { a: '1', b: '2' } }, spec: { tolerations: [{ key: 'x', operator: 'Exists' }] } } },
      { template: { metadata: { labels: { b: null, c: '3' } }, spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } } },
      { template: { metadata: { labels: { a: '1', c: '3' } }, spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } } },
    ],
  ])('%s', (_name, original, patch, expected) => {
    const result = applyStrategicMergePatch(deployment(original), { spec: patch }, deployments);
    expect(result.spec).toEqual(expected);
  });

  it('merges finalizers as a set and honours $deleteFromPrimitiveList', () => {
    const pod = { metadata: { name: 'p', finalizers: ['a/x', 'b/y'] } };
    expect(applyStrategicMergePatch(pod, { metadata: { finalizers: ['c/z', 'a/x'] } }, pods).metadata).toEqual({ name: 'p', finalizers: ['a/x', 'b/y', 'c/z'] });
    expect(applyStrategicMergePatch(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/x'] } }, pods).metadata).toEqual({ name: 'p', finalizers: ['b/y'] });
  });

  it('removes an owner reference by uid, as the DaemonSet controller releases pods', () => {
    const pod = { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'ds', kind: 'DaemonSet', apiVersion: 'apps/v1' }, { uid: 'u2', name: 'other', kind: 'X', apiVersion: 'v1' }] } };
    const result = applyStrategicMergePatch(pod, { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'u1' }], uid: 'pod-uid' } }, pods);
    expect(result.metadata).toEqual({ name: 'p', uid: 'pod-uid', ownerReferences: [{ uid: 'u2', name: 'other', kind: 'X', apiVersion: 'v1' }] });
  });

  it('merges pod conditions by type and volumes with retainKeys by name', () => {
    const pod = {
      spec: { volumes: [{ name: 'v', emptyDir: {} }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] },
    };
    const result = applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v', configMap: { name: 'c' }, $retainKeys: ['name', 'configMap'] }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, pods);
    expect(result.spec).toEqual({ volumes: [{ name: 'v', configMap: { name: 'c' } }] });
    expect(result.status).toEqual({ conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] });
  });

  it('merges maps without a schema and replaces their lists', () => {
    const cm = { data: { a: '1' }, extra: { list: [1, 2] } };
    expect(applyStrategicMergePatch(cm, { data: { b: '2' }, extra: { list: [3] } }, configmaps)).toEqual({ data: { a: '1', b: '2' }, extra: { list: [3] } });
  });

  it('rejects list items without their merge key and unknown directives', () => {
    expect(() => applyStrategicMergePatch(deployment({}), { spec: containers({ image: 'x' }) }, deployments)).toThrow(StrategicPatchError);
    expect(() => applyStrategicMergePatch(deployment({}), { spec: { $patch: 'explode' } }, deployments)).toThrow(/Unknown patch type: explode/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { Kube, KubeObject } from '../../server/api/object.js';
import { ApiError } from '../../server/api/status.js';
import { controlledWorld, eventually, type ControlledWorld } from '../../test/support/controllers.js';
import { GarbageCollector } from '../garbage-collector/garbage-collector.js';
import { ServiceAccountsController } from '../serviceaccounts.js';
import { NamespaceController } from './namespace-controller.js';

const NS = { group: '', resource: 'namespaces' };
const CM = { group: '', resource: 'configmaps' };
const PODS = { group: '', resource: 'pods' };
const DEPLOYMENTS = { group: 'apps', resource: 'deployments' };

let world: ControlledWorld;
afterEach(async () => {
  expect(world.errors).toEqual([]);
  await world.close();
});

async function setup(): Promise<void> {
  world = await controlledWorld([(c) => new GarbageCollector(c), (c) => new NamespaceController(c, { deletionDelayMs: 0 }), (c) => new ServiceAccountsController(c)]);
}

const namespace = (name: string) => world.client.get<Kube<Namespace>>(NS, undefined, name);
const condition = (name: string, type: string) => namespace(name)?.status?.conditions?.find((c) => c.type === type);

describe('namespace controller', () => {
  it('empties a deleted namespace, waits for finalizers with the upstream conditions, then removes it', async () => {
    await setup();
    await world.client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await eventually('the default ServiceAccount exists', () => world.client.get({ group: '', resource: 'serviceaccounts' }, 'doomed', 'default') !== undefined);
    await world.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'doomed', finalizers: ['example.com/hold'] } });
    await world.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free', namespace: 'doomed' } });
    await world.client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'doomed' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await world.client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'doomed' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await world.client.delete(NS, undefined, 'doomed');
    expect(namespace('doomed')?.status?.phase).toBe('Terminating');
    await eventually('only the held ConfigMap is left', () => world.client.list(CM, 'doomed').items.length === 1 && world.client.list(PODS, 'doomed').items.length === 0);
    await eventually('the finalizer condition is reported', () => condition('doomed', 'NamespaceFinalizersRemaining')?.status === 'True');
    expect(condition('doomed', 'NamespaceFinalizersRemaining')?.message).toBe('Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    expect(condition('doomed', 'NamespaceContentRemaining')).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    expect(condition('doomed', 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' });
    expect(namespace('doomed')?.spec?.finalizers).toEqual(['kubernetes']);
    // Nothing new may be created meanwhile.
    const refused = await world.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'doomed' } }).catch((e: unknown) => e as ApiError);
    expect(refused).toMatchObject({ code: 403, message: 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated' });
    await world.client.patch(CM, 'doomed', 'held', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
    await eventually('the namespace is gone', () => namespace('doomed') === undefined);
  });

  it('honours other spec.finalizers: only when /finalize drops them does the namespace go', async () => {
    await setup();
    await world.client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'custom' }, spec: { finalizers: ['example.com/cleanup'] } });
    await world.client.delete(NS, undefined, 'custom');
    await eventually('the controller dropped its own finalizer', () => JSON.stringify(namespace('custom')?.spec?.finalizers) === '["example.com/cleanup"]');
    const current = namespace('custom') as KubeObject;
    await world.client.update(NS, { ...current, spec: { finalizers: [] } }, { subresource: 'finalize' });
    expect(namespace('custom')).toBeUndefined();
  });
});

describe('serviceaccount controller', () => {
  it('puts a default ServiceAccount in every active namespace, and back when deleted', async () => {
    await setup();
    const SA = { group: '', resource: 'serviceaccounts' };
    await world.client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    await eventually('default exists', () => world.client.get(SA, 'team', 'default') !== undefined);
    const first = world.client.get(SA, 'team', 'default')?.metadata.uid;
    await world.client.delete(SA, 'team', 'default');
    await eventually('default is back', () => {
      const again = world.client.get(SA, 'team', 'default');
      return again !== undefined && again.metadata.uid !== first;
    });
  });
});

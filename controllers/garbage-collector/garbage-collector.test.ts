import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { controlledWorld, eventually, type ControlledWorld } from '../../test/support/controllers.js';
import { GarbageCollector } from './garbage-collector.js';

const CM = { group: '', resource: 'configmaps' };
const SECRETS = { group: '', resource: 'secrets' };

let world: ControlledWorld;
afterEach(async () => {
  expect(world.errors).toEqual([]);
  await world.close();
});

async function setup(): Promise<void> {
  world = await controlledWorld([(context) => new GarbageCollector(context)]);
}

type Owner = { uid: string; name: string; kind?: string; apiVersion?: string; block?: boolean; controller?: boolean };
function ownedBy(...owners: Owner[]) {
  return owners.map((o) => ({
    apiVersion: o.apiVersion ?? 'v1',
    kind: o.kind ?? 'ConfigMap',
    name: o.name,
    uid: o.uid,
    ...(o.block !== undefined && { blockOwnerDeletion: o.block }),
    ...(o.controller && { controller: true }),
  }));
}

async function configMap(name: string, metadata: Partial<KubeObject['metadata']> = {}): Promise<{ uid: string; name: string }> {
  const created = await world.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...metadata } });
  return { uid: created.metadata.uid as string, name };
}

const exists = (name: string, ref = CM) => world.client.get(ref, 'default', name) !== undefined;
const get = (name: string, ref = CM) => world.client.get(ref, 'default', name) as KubeObject;

describe('garbage collector', () => {
  it('Background: dependents of a deleted owner go, and so do theirs', async () => {
    await setup();
    const owner = await configMap('owner');
    const child = await configMap('child', { ownerReferences: ownedBy(owner) });
    await world.client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'grandchild', namespace: 'default', ownerReferences: ownedBy(child) } });
    await world.client.delete(CM, 'default', 'owner', { propagationPolicy: 'Background' });
    await eventually('the whole tree is gone', () => !exists('child') && !exists('grandchild', SECRETS));
  });

  it('keeps a dependent that still has a live owner, dropping only the dangling reference', async () => {
    await setup();
    const a = await configMap('a');
    const b = await configMap('b');
    await configMap('shared', { ownerReferences: ownedBy(a, b) });
    await world.client.delete(CM, 'default', 'a');
    await eventually('the reference to a is gone', () => (get('shared').metadata.ownerReferences ?? []).length === 1);
    expect(get('shared').metadata.ownerReferences?.[0]?.name).toBe('b');
  });

  it('deletes dependents whose owner uid never existed, or names an object re-created since', async () => {
    await setup();
    await configMap('ghost-child', { ownerReferences: ownedBy({ uid: '00000000-0000-0000-0000-000000000000', name: 'nobody' }) });
    await configMap('same-name');
    await configMap('stale-child', { ownerReferences: ownedBy({ uid: '11111111-1111-1111-1111-111111111111', name: 'same-name' }) });
    await eventually('both are collected', () => !exists('ghost-child') && !exists('stale-child'));
    expect(exists('same-name')).toBe(true);
  });

  it('Foreground: the owner waits, marked, until its blocking dependents are gone', async () => {
    await setup();
    const owner = await configMap('fg-owner');
    await configMap('fg-blocker', { ownerReferences: ownedBy({ ...owner, block: true }), finalizers: ['example.com/hold'] });
    await configMap('fg-other', { ownerReferences: ownedBy(owner) });
    await world.client.delete(CM, 'default', 'fg-owner', { propagationPolicy: 'Foreground' });
    await eventually('the non-blocking dependent is gone and the blocker is being deleted', () => !exists('fg-other') && Boolean(get('fg-blocker')?.metadata.deletionTimestamp));
    const waiting = get('fg-owner');
    expect(waiting.metadata.deletionTimestamp).toBeDefined();
    expect(waiting.metadata.finalizers).toEqual(['foregroundDeletion']);
    await world.client.patch(CM, 'default', 'fg-blocker', 'merge', { metadata: { finalizers: null } });
    await eventually('the owner is gone too', () => !exists('fg-owner') && !exists('fg-blocker'));
  });

  it('Orphan: dependents lose the reference and stay; the owner goes', async () => {
    await setup();
    const owner = await configMap('or-owner');
    await configMap('or-child', { ownerReferences: ownedBy({ ...owner, block: true, controller: true }) });
    await world.client.delete(CM, 'default', 'or-owner', { propagationPolicy: 'Orphan' });
    await eventually('the owner is gone', () => !exists('or-owner'));
    expect(get('or-child').metadata.ownerReferences).toBeUndefined();
  });

  it('collects across resources and scopes: namespaced dependents of a cluster-scoped owner', async () => {
    await setup();
    const node: KubeObject = await world.client.create({ group: '', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-node' } });
    await configMap('node-child', { ownerReferences: ownedBy({ uid: node.metadata.uid as string, name: 'gc-node', kind: 'Node' }) });
    await world.client.delete({ group: '', resource: 'nodes' }, undefined, 'gc-node');
    await eventually('the dependent of the node is gone', () => !exists('node-child'));
  });
});

import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testWorld, type TestWorld } from '../../../test/support/registry.js';
import type { Kube } from '../../api/object.js';

const PODS = { group: '', resource: 'pods' };
const QUOTAS = { group: '', resource: 'resourcequotas' };

const pod = (name: string, resources?: Record<string, string>): Kube<Pod> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(resources && { resources: { requests: resources } }) }] },
});

describe('ResourceQuota admission', () => {
  let world: TestWorld;
  beforeEach(async () => {
    world = await testWorld();
  });
  afterEach(() => world.close());

  /** A quota with the totals the quota controller would publish (none runs here). */
  async function quota(name: string, spec: ResourceQuota['spec'], used?: Record<string, string>): Promise<void> {
    const created = await world.client.create<Kube<ResourceQuota>>(QUOTAS, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: 'default' }, spec });
    if (used) await world.client.updateStatus(QUOTAS, { ...created, status: { hard: spec?.hard ?? {}, used } });
  }

  it('enforces only what the quota controller has published, and refuses while a total is missing', async () => {
    // No status yet: nothing is enforced, as upstream enforces status.hard.
    await quota('new', { hard: { pods: '0' } });
    await world.client.create(PODS, pod('before'));
    await quota('partial', { hard: { pods: '5', 'count/pods': '5' } }, { 'count/pods': '1' });
    await expect(world.client.create(PODS, pod('early'))).rejects.toMatchObject({ code: 403, reason: 'Forbidden', message: 'pods "early" is forbidden: status unknown for quota: partial, resources: pods' });
  });

  it('holds the count of creates in flight: concurrent creates never overshoot', async () => {
    await quota('ten', { hard: { pods: '10' } }, { pods: '0' });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => world.client.create(PODS, pod(`p${i}`))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refusals = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
    expect(refusals).toHaveLength(40);
    expect(refusals.every((message) => message.endsWith('exceeded quota: ten, requested: pods=1, used: pods=10, limited: pods=10'))).toBe(true);
  });

  it('releases what a failed or dry-run create held', async () => {
    await quota('two', { hard: { pods: '2' } }, { pods: '0' });
    await world.client.create(PODS, pod('a'));
    await expect(world.client.create(PODS, pod('a'))).rejects.toMatchObject({ code: 409 });
    await world.client.create(PODS, pod('dry'), { dryRun: true });
    await world.client.create(PODS, pod('b'));
    await expect(world.client.create(PODS, pod('c'))).rejects.toMatchObject({ code: 403 });
  });

  it('charges only the pods a scoped quota selects, and sums quantities', async () => {
    await quota('best-effort', { hard: { pods: '1' }, scopes: ['BestEffort'] }, { pods: '0' });
    await quota('memory', { hard: { 'requests.memory': '1Gi' }, scopes: ['NotBestEffort'] }, { 'requests.memory': '0' });
    await world.client.create(PODS, pod('free'));
    await expect(world.client.create(PODS, pod('free-2'))).rejects.toMatchObject({ message: expect.stringContaining('exceeded quota: best-effort') });
    await world.client.create(PODS, pod('m1', { memory: '512Mi' }));
    await world.client.create(PODS, pod('m2', { memory: '256Mi' }));
    await expect(world.client.create(PODS, pod('m3', { memory: '512Mi' }))).rejects.toMatchObject({
      message: 'pods "m3" is forbidden: exceeded quota: memory, requested: requests.memory=512Mi, used: requests.memory=768Mi, limited: requests.memory=1Gi',
    });
  });
});

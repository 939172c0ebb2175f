import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../server/api/object.js';
import { testWorld, type TestWorld } from '../test/support/registry.js';
import { Controller } from './controller.js';
import { InformerFactory, keyOf } from './informer.js';

const CONFIGMAPS = { group: '', resource: 'configmaps' };
const cm = (name: string, namespace = 'default', labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels },
  data: {},
});
const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

let world: TestWorld;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(historyWindow?: number) {
  world = await testWorld(historyWindow ? { historyWindow } : {});
  const factory = new InformerFactory(world.client);
  cleanups.push(() => world.close(), () => factory.shutdown());
  return factory;
}

describe('Informer', () => {
  it('lists, then follows changes with add/update/delete handlers and an index', async () => {
    const factory = await setup();
    await world.client.create(CONFIGMAPS, cm('before', 'default', { team: 'a' }));
    const informer = factory.informer(CONFIGMAPS);
    informer.addIndex('team', (o) => (o.metadata.labels?.team ? [o.metadata.labels.team] : []));
    const seen: string[] = [];
    informer.addEventHandler({
      add: (o) => seen.push(`add ${keyOf(o)}`),
      update: (_old, o) => seen.push(`update ${keyOf(o)}`),
      delete: (o) => seen.push(`delete ${keyOf(o)}`),
    });
    factory.start();
    await factory.waitForSync();
    expect(informer.hasSynced).toBe(true);
    expect(seen).toContain('add default/before');
    await world.client.create(CONFIGMAPS, cm('after', 'kube-system', { team: 'a' }));
    await world.client.patch(CONFIGMAPS, 'default', 'before', 'merge', { metadata: { labels: { team: 'b' } } });
    await world.client.delete(CONFIGMAPS, 'kube-system', 'after');
    await until(() => seen.includes('delete kube-system/after'));
    expect(seen.filter((s) => !s.includes('kube-root') && !s.startsWith('add default/before'))).toEqual([
      'add kube-system/after',
      'update default/before',
      'delete kube-system/after',
    ]);
    expect(informer.byIndex('team', 'b').map(keyOf)).toEqual(['default/before']);
    expect(informer.byIndex('team', 'a')).toEqual([]);
    expect(informer.get('default', 'before')?.metadata.labels).toEqual({ team: 'b' });
  });

  it('shares one informer per resource and replays adds to late handlers', async () => {
    const factory = await setup();
    expect(factory.informer(CONFIGMAPS)).toBe(factory.informer(CONFIGMAPS));
    await world.client.create(CONFIGMAPS, cm('x'));
    factory.start();
    await factory.waitForSync();
    const late: string[] = [];
    factory.informer(CONFIGMAPS).addEventHandler({ add: (o) => late.push(keyOf(o)) });
    expect(late).toContain('default/x');
  });

  it('relists when its watch falls out of the history window', async () => {
    const factory = await setup(20);
    const informer = factory.informer(CONFIGMAPS);
    const deleted: string[] = [];
    informer.addEventHandler({ delete: (o) => deleted.push(keyOf(o)) });
    factory.start();
    await factory.waitForSync();
    await world.client.create(CONFIGMAPS, cm('gone'));
    await until(() => informer.get('default', 'gone') !== undefined);
    // Stall the event loop's view: write far more than the window in one synchronous burst.
    const writes = [world.client.delete(CONFIGMAPS, 'default', 'gone')];
    for (let i = 0; i < 60; i++) writes.push(world.client.create(CONFIGMAPS, cm(`burst-${i}`)).then(() => undefined));
    await Promise.all(writes);
    await until(() => informer.get('default', 'burst-59') !== undefined && informer.get('default', 'gone') === undefined);
    expect(deleted).toContain('default/gone');
    expect(informer.list().filter((o) => o.metadata.name?.startsWith('burst-'))).toHaveLength(60);
  });
});

describe('Controller skeleton', () => {
  class Counting extends Controller {
    synced: string[] = [];
    failOnce = new Set<string>(['flaky']);
    active = new Set<string>();
    overlaps = 0;
    protected async sync(key: string): Promise<void> {
      if (this.active.has(key)) this.overlaps++;
      this.active.add(key);
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.active.delete(key);
      if (this.failOnce.delete(key)) throw new Error('transient');
      this.synced.push(key);
    }
  }

  it('syncs enqueued keys, retries failures with backoff and never runs one key twice at once', async () => {
    const errors: string[] = [];
    const controller = new Counting('counting', { workers: 4, backoff: { baseMs: 1 }, onError: (_c, key) => errors.push(key) });
    controller.start();
    controller.enqueue('same');
    controller.enqueue('flaky');
    // Re-enqueue while the first sync of 'same' is running: it must wait its turn, then run once more.
    await until(() => controller.active.has('same'));
    for (let i = 0; i < 5; i++) controller.enqueue('same');
    await until(() => controller.synced.includes('flaky') && controller.synced.filter((k) => k === 'same').length === 2);
    await controller.stop();
    expect(errors).toEqual(['flaky']);
    expect(controller.synced.filter((k) => k === 'same')).toHaveLength(2);
    expect(controller.overlaps).toBe(0);
  });
});

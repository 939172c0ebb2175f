/**
 * @module storage/storage.suite
 * Layer: storage (tests). The one conformance suite every backend runs (as abstract-level's test suite does
 * for its implementations): revisions, CAS, preconditions, snapshot lists, watch replay and fan-out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../server/api/object.js';
import { isStorageError, StorageErrorCode } from './errors.js';
import type { StoreOptions } from './store.js';
import type { Storage, StoreEvent, Watcher } from './types.js';

export type OpenStore = (options?: StoreOptions) => Promise<Storage>;

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export function configMap(name: string, data: Record<string, string> = {}, uid = `uid-${name}`): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid }, data };
}

const key = (name: string) => `/registry/configmaps/default/${name}`;

async function expectCode(promise: Promise<unknown> | (() => unknown), code: StorageErrorCode): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(isStorageError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected a ${code} storage error, got success`);
}

/** Collect exactly `count` events from a watcher, failing after `ms`. */
export async function take(watcher: Watcher, count: number, ms = 2000): Promise<StoreEvent[]> {
  const events: StoreEvent[] = [];
  const deadline = Date.now() + ms;
  while (events.length < count) {
    events.push(...watcher.poll(count - events.length));
    if (events.length >= count) break;
    if (watcher.closed) throw watcher.error ?? new Error('watcher closed');
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`timed out with ${events.length}/${count} events`);
    await Promise.race([watcher.wait(), new Promise((resolve) => setTimeout(resolve, remaining))]);
  }
  return events;
}

export function storageSuite(name: string, open: OpenStore): void {
  describe(`storage conformance: ${name}`, () => {
    const opened: Storage[] = [];
    const fresh = async (options?: StoreOptions) => {
      const store = await open(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describe('revisions and create', () => {
      it('gives every write the next revision and stamps it as a string resourceVersion', async () => {
        const store = await fresh();
        const start = store.revision;
        const a = await store.create(key('a'), configMap('a'));
        const b = await store.create(key('b'), configMap('b'));
        expect(a.revision).toBe(start + 1);
        expect(b.revision).toBe(start + 2);
        expect(a.object.metadata.resourceVersion).toBe(String(a.revision));
        expect(JSON.parse(a.bytes.toString())).toEqual(a.object);
        expect(store.revision).toBe(start + 2);
        const updated = await store.guaranteedUpdate<ConfigMap>(key('a'), (cur) => ({ ...structuredClone(cur!.object), data: { x: '1' } }));
        const deleted = await store.delete(key('b'));
        expect([updated.revision, deleted.revision]).toEqual([start + 3, start + 4]);
      });

      it('refuses to create a live key with KeyExists, and allows it again after delete', async () => {
        const store = await fresh();
        await store.create(key('a'), configMap('a'));
        await expectCode(store.create(key('a'), configMap('a')), StorageErrorCode.KeyExists);
        await store.delete(key('a'));
        const again = await store.create(key('a'), configMap('a', { v: '2' }));
        expect(store.get<ConfigMap>(key('a'))?.object.data).toEqual({ v: '2' });
        expect(again.revision).toBe(store.revision);
      });

      it('groups concurrent writes into commits and acknowledges every one with contiguous revisions', async () => {
        const store = await fresh();
        const start = store.revision;
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(key(`c${i}`), configMap(`c${i}`))));
        const revisions = results.map((r) => r.revision).sort((x, y) => x - y);
        expect(revisions).toEqual(Array.from({ length: 200 }, (_, i) => start + 1 + i));
        expect(store.count('/registry/configmaps/default/')).toBe(200);
      });

      it('rejects an object larger than the size limit with TooLarge and writes nothing', async () => {
        const store = await fresh({ maxObjectBytes: 1000 });
        const before = store.revision;
        await expectCode(store.create(key('big'), configMap('big', { x: 'y'.repeat(2000) })), StorageErrorCode.TooLarge);
        expect(store.revision).toBe(before);
        expect(store.get(key('big'))).toBeUndefined();
        await store.create(key('small'), configMap('small'));
        expect(store.revision).toBe(before + 1);
      });
    });

    describe('get', () => {
      it('returns the committed version, and nothing for absent keys', async () => {
        const store = await fresh();
        expect(store.get(key('missing'))).toBeUndefined();
        const created = await store.create(key('a'), configMap('a', { k: 'v' }));
        const got = store.get<ConfigMap>(key('a'));
        expect(got?.revision).toBe(created.revision);
        expect(got?.object.data).toEqual({ k: 'v' });
      });

      it('does not show a write before it is acknowledged', async () => {
        const store = await fresh();
        const pending = store.create(key('a'), configMap('a'));
        expect(store.get(key('a'))).toBeUndefined();
        await pending;
        expect(store.get(key('a'))).toBeDefined();
      });
    });

    describe('guaranteedUpdate', () => {
      it('applies the callback to the current object', async () => {
        const store = await fresh();
        await store.create(key('a'), configMap('a', { n: '1' }));
        const out = await store.guaranteedUpdate<ConfigMap>(key('a'), (cur) => ({ ...structuredClone(cur!.object), data: { n: '2' } }));
        expect(out.object.data).toEqual({ n: '2' });
        expect(store.get<ConfigMap>(key('a'))?.object.data).toEqual({ n: '2' });
      });

      it('retries the callback when the key changes while it awaits, so no update is lost', async () => {
        const store = await fresh();
        await store.create(key('counter'), configMap('counter', { n: '0' }));
        let calls = 0;
        await Promise.all(
          Array.from({ length: 25 }, () =>
            store.guaranteedUpdate<ConfigMap>(key('counter'), async (cur) => {
              calls++;
              await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
              const next = structuredClone(cur!.object);
              next.data = { n: String(Number(cur!.object.data?.n) + 1) };
              return next;
            }),
          ),
        );
        expect(store.get<ConfigMap>(key('counter'))?.object.data?.n).toBe('25');
        expect(calls).toBeGreaterThan(25);
      });

      it('serialises synchronous callbacks on one key without retries', async () => {
        const store = await fresh();
        await store.create(key('counter'), configMap('counter', { n: '0' }));
        let calls = 0;
        const bump = () =>
          store.guaranteedUpdate<ConfigMap>(key('counter'), (cur) => {
            calls++;
            return { ...structuredClone(cur!.object), data: { n: String(Number(cur!.object.data?.n) + 1) } };
          });
        await Promise.all(Array.from({ length: 50 }, bump));
        expect(store.get<ConfigMap>(key('counter'))?.object.data?.n).toBe('50');
        expect(calls).toBe(50);
      });

      it('checks uid and resourceVersion preconditions (Conflict)', async () => {
        const store = await fresh();
        const created = await store.create(key('a'), configMap('a', {}, 'uid-1'));
        const same = (cur: unknown) => structuredClone((cur as { object: ConfigMap }).object);
        await expectCode(store.guaranteedUpdate(key('a'), same, { preconditions: { uid: 'other' } }), StorageErrorCode.Conflict);
        await expectCode(store.guaranteedUpdate(key('a'), same, { preconditions: { resourceVersion: '999999' } }), StorageErrorCode.Conflict);
        await expectCode(store.delete(key('a'), { preconditions: { uid: 'other' } }), StorageErrorCode.Conflict);
        const ok = await store.guaranteedUpdate<ConfigMap>(
          key('a'),
          (cur) => ({ ...structuredClone(cur!.object), data: { a: 'b' } }),
          { preconditions: { uid: 'uid-1', resourceVersion: String(created.revision) } },
        );
        expect(ok.revision).toBeGreaterThan(created.revision);
      });

      it('fails with KeyNotFound for an absent key unless creation is allowed', async () => {
        const store = await fresh();
        await expectCode(store.guaranteedUpdate(key('nope'), (cur) => cur!.object), StorageErrorCode.KeyNotFound);
        const made = await store.guaranteedUpdate<ConfigMap>(key('nope'), (cur) => (cur ? cur.object : configMap('nope')), { allowCreate: true });
        expect(store.get(key('nope'))?.revision).toBe(made.revision);
      });

      it('writes nothing when the callback returns an unchanged object', async () => {
        const store = await fresh();
        const created = await store.create(key('a'), configMap('a', { k: 'v' }));
        const before = store.revision;
        const same = await store.guaranteedUpdate<ConfigMap>(key('a'), (cur) => structuredClone(cur!.object));
        expect(same.revision).toBe(created.revision);
        expect(store.revision).toBe(before);
        const identical = await store.guaranteedUpdate<ConfigMap>(key('a'), (cur) => cur!.object);
        expect(identical.revision).toBe(created.revision);
      });

      it('propagates an error thrown by the callback and writes nothing', async () => {
        const store = await fresh();
        await store.create(key('a'), configMap('a'));
        const before = store.revision;
        await expect(store.guaranteedUpdate(key('a'), () => { throw new Error('invalid'); })).rejects.toThrow('invalid');
        expect(store.revision).toBe(before);
      });
    });

    describe('delete', () => {
      it('returns the last state stamped with the deletion revision, and the key is gone', async () => {
        const store = await fresh();
        await store.create(key('a'), configMap('a', { k: 'v' }));
        const gone = await store.delete<ConfigMap>(key('a'));
        expect(gone.object.data).toEqual({ k: 'v' });
        expect(gone.object.metadata.resourceVersion).toBe(String(gone.revision));
        expect(store.get(key('a'))).toBeUndefined();
        await expectCode(store.delete(key('a')), StorageErrorCode.KeyNotFound);
      });

      it('lets a validate hook refuse the delete', async () => {
        const store = await fresh();
        await store.create(key('a'), configMap('a'));
        await expect(store.delete(key('a'), { validate: () => { throw new Error('has finalizers'); } })).rejects.toThrow('has finalizers');
        expect(store.get(key('a'))).toBeDefined();
      });
    });

    describe('list', () => {
      it('lists one prefix in key order and nothing outside it', async () => {
        const store = await fresh();
        for (const name of ['b', 'a', 'c']) await store.create(key(name), configMap(name));
        await store.create('/registry/configmaps/defaultx/z', configMap('z'));
        await store.create('/registry/configmapsx/default/y', configMap('y'));
        const list = store.list('/registry/configmaps/default/');
        expect(list.items.map((i) => i.object.metadata.name)).toEqual(['a', 'b', 'c']);
        expect(list.revision).toBe(store.revision);
        expect(list.continue).toBeUndefined();
        expect(store.list('/registry/configmaps/').items).toHaveLength(4);
      });

      it('pages with limit/continue from one consistent snapshot whatever happens between pages', async () => {
        const store = await fresh();
        for (let i = 0; i < 10; i++) await store.create(key(`k${i}`), configMap(`k${i}`, { v: 'old' }));
        const prefix = '/registry/configmaps/default/';
        const first = store.list<ConfigMap>(prefix, { limit: 4 });
        expect(first.items.map((i) => i.object.metadata.name)).toEqual(['k0', 'k1', 'k2', 'k3']);
        expect(first.remainingItemCount).toBe(6);
        expect(first.continue).toBeDefined();
        // Change the world between pages.
        await store.delete(key('k5'));
        await store.guaranteedUpdate<ConfigMap>(key('k6'), (cur) => ({ ...structuredClone(cur!.object), data: { v: 'new' } }));
        await store.create(key('k45'), configMap('k45'));
        await store.delete(key('k9'));
        await store.create(key('k9'), configMap('k9', { v: 'recreated' }));
        const second = store.list<ConfigMap>(prefix, { limit: 4, continue: first.continue });
        expect(second.revision).toBe(first.revision);
        expect(second.items.map((i) => i.object.metadata.name)).toEqual(['k4', 'k5', 'k6', 'k7']);
        expect(second.items.map((i) => i.object.data?.v)).toEqual(['old', 'old', 'old', 'old']);
        const third = store.list<ConfigMap>(prefix, { limit: 4, continue: second.continue });
        expect(third.items.map((i) => `${i.object.metadata.name}=${i.object.data?.v}`)).toEqual(['k8=old', 'k9=old']);
        expect(third.continue).toBeUndefined();
        // A fresh list sees the new world.
        const now = store.list<ConfigMap>(prefix);
        expect(now.items.map((i) => i.object.metadata.name)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k45', 'k6', 'k7', 'k8', 'k9']);
      });

      it('counts only items the filter keeps towards the limit', async () => {
        const store = await fresh();
        for (let i = 0; i < 10; i++) await store.create(key(`k${i}`), configMap(`k${i}`, { even: String(i % 2 === 0) }));
        const page = store.list<ConfigMap>('/registry/configmaps/default/', { limit: 3, filter: (o) => o.data?.even === 'true' });
        expect(page.items.map((i) => i.object.metadata.name)).toEqual(['k0', 'k2', 'k4']);
        expect(page.remainingItemCount).toBeUndefined();
        const rest = store.list<ConfigMap>('/registry/configmaps/default/', { limit: 3, continue: page.continue, filter: (o) => o.data?.even === 'true' });
        expect(rest.items.map((i) => i.object.metadata.name)).toEqual(['k6', 'k8']);
      });

      it('serves an exact older revision from the window, and refuses one that left it', async () => {
        const store = await fresh({ historyWindow: 5 });
        const first = await store.create(key('a'), configMap('a', { v: '1' }));
        await store.guaranteedUpdate<ConfigMap>(key('a'), (cur) => ({ ...structuredClone(cur!.object), data: { v: '2' } }));
        const asOfFirst = store.list<ConfigMap>('/registry/configmaps/default/', { revision: first.revision });
        expect(asOfFirst.items.map((i) => i.object.data?.v)).toEqual(['1']);
        for (let i = 0; i < 6; i++) await store.create(key(`f${i}`), configMap(`f${i}`));
        await expectCode(() => store.list('/registry/configmaps/default/', { revision: first.revision }), StorageErrorCode.RevisionTooOld);
        await expectCode(() => store.list('/registry/configmaps/default/', { revision: store.revision + 10 }), StorageErrorCode.RevisionTooNew);
      });

      it('expires a continue token whose snapshot left the window', async () => {
        const store = await fresh({ historyWindow: 3 });
        for (let i = 0; i < 4; i++) await store.create(key(`k${i}`), configMap(`k${i}`));
        const page = store.list('/registry/configmaps/default/', { limit: 2 });
        for (let i = 0; i < 4; i++) await store.create(key(`z${i}`), configMap(`z${i}`));
        await expectCode(() => store.list('/registry/configmaps/default/', { limit: 2, continue: page.continue }), StorageErrorCode.RevisionTooOld);
      });

      it('rejects malformed continue tokens and tokens that escape the prefix', async () => {
        const store = await fresh();
        await store.create(key('a'), configMap('a'));
        const prefix = '/registry/configmaps/default/';
        const bad = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        for (const token of ['%%%', bad({ v: 'x', rv: 1, start: 'a' }), bad({ v: 'meta.k8s.io/v1', rv: -1, start: 'a' }), bad({ v: 'meta.k8s.io/v1', rv: 1, start: '../../secrets/x' })]) {
          await expectCode(() => store.list(prefix, { limit: 1, continue: token }), StorageErrorCode.InvalidContinue);
        }
      });
    });

    describe('watch', () => {
      it('replays exactly the events after a revision, in order, then goes live', async () => {
        const store = await fresh();
        const a = await store.create(key('a'), configMap('a'));
        await store.guaranteedUpdate<ConfigMap>(key('a'), (cur) => ({ ...structuredClone(cur!.object), data: { v: '2' } }));
        await store.create(key('b'), configMap('b'));
        await store.delete(key('a'));
        const watcher = store.watch('/registry/configmaps/', { fromRevision: a.revision });
        const replayed = await take(watcher, 3);
        expect(replayed.map((e) => `${e.type} ${e.object.metadata.name} ${e.revision}`)).toEqual([
          `MODIFIED a ${a.revision + 1}`,
          `ADDED b ${a.revision + 2}`,
          `DELETED a ${a.revision + 3}`,
        ]);
        expect(replayed[0]?.prev?.revision).toBe(a.revision);
        expect(replayed[2]?.prev?.revision).toBe(a.revision + 1);
        expect(replayed[2]?.object.metadata.resourceVersion).toBe(String(a.revision + 3));
        expect(watcher.poll()).toEqual([]);
        await store.create(key('c'), configMap('c'));
        const live = await take(watcher, 1);
        expect(live.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED c']);
        expect(watcher.progressRevision).toBe(store.revision);
        watcher.close();
      });

      it('starts from now by default and only sees its prefix', async () => {
        const store = await fresh();
        await store.create(key('before'), configMap('before'));
        const watcher = store.watch('/registry/configmaps/default/');
        await store.create('/registry/secrets/default/s', configMap('s'));
        await store.create('/registry/configmaps/other/o', configMap('o'));
        await store.create(key('after'), configMap('after'));
        const events = await take(watcher, 1);
        expect(events.map((e) => e.object.metadata.name)).toEqual(['after']);
        expect(watcher.progressRevision).toBe(store.revision);
        watcher.close();
      });

      it('delivers one shared event object (and its memoised encodings) to every watcher', async () => {
        const store = await fresh();
        const one = store.watch('/registry/configmaps/');
        const two = store.watch('/registry/configmaps/default/');
        await store.create(key('a'), configMap('a'));
        const [e1] = await take(one, 1);
        const [e2] = await take(two, 1);
        expect(e1).toBe(e2);
        let encodings = 0;
        const encode = () => (encodings++, Buffer.from('x'));
        expect(e1!.memo('json', encode)).toBe(e2!.memo('json', encode));
        expect(encodings).toBe(1);
      });

      it('refuses revisions that left the window (RevisionTooOld) or do not exist yet (RevisionTooNew)', async () => {
        const store = await fresh({ historyWindow: 3 });
        const first = await store.create(key('a'), configMap('a'));
        for (let i = 0; i < 5; i++) await store.create(key(`x${i}`), configMap(`x${i}`));
        await expectCode(() => store.watch('/registry/', { fromRevision: first.revision }), StorageErrorCode.RevisionTooOld);
        await expectCode(() => store.watch('/registry/', { fromRevision: store.revision + 1 }), StorageErrorCode.RevisionTooNew);
        const edge = store.watch('/registry/', { fromRevision: store.oldestRevision });
        expect((await take(edge, 3)).map((e) => e.revision)).toEqual([store.revision - 2, store.revision - 1, store.revision]);
        edge.close();
      });

      it('closes a watcher whose unread events leave the window, without holding anything for it', async () => {
        const store = await fresh({ historyWindow: 10 });
        const stalled = store.watch('/registry/configmaps/');
        const elsewhere = store.watch('/registry/secrets/');
        for (let i = 0; i < 30; i++) await store.create(key(`k${i}`), configMap(`k${i}`));
        expect(stalled.closed).toBe(true);
        expect(isStorageError(stalled.error, StorageErrorCode.RevisionTooOld)).toBe(true);
        expect(stalled.poll()).toEqual([]);
        // A watcher that missed nothing of its own just moves past what left the window.
        expect(elsewhere.closed).toBe(false);
        await store.create('/registry/secrets/default/s', configMap('s'));
        expect((await take(elsewhere, 1)).map((e) => e.object.metadata.name)).toEqual(['s']);
        elsewhere.close();
      });

      it('works as an async iterator and ends cleanly when the store closes', async () => {
        const store = await fresh();
        const watcher = store.watch('/registry/configmaps/');
        const seen: string[] = [];
        const consumed = (async () => {
          for await (const event of watcher) seen.push(`${event.type} ${event.object.metadata.name}`);
        })();
        await store.create(key('a'), configMap('a'));
        await store.delete(key('a'));
        await new Promise((resolve) => setTimeout(resolve, 10));
        await store.close();
        await consumed;
        expect(seen).toEqual(['ADDED a', 'DELETED a']);
        expect(watcher.closed).toBe(true);
      });
    });

    describe('close', () => {
      it('finishes accepted writes, then refuses new ones with Unavailable', async () => {
        const store = await fresh();
        const writes = Array.from({ length: 20 }, (_, i) => store.create(key(`w${i}`), configMap(`w${i}`)));
        const closed = store.close();
        await expect(Promise.all(writes)).resolves.toHaveLength(20);
        await closed;
        await expectCode(store.create(key('late'), configMap('late')), StorageErrorCode.Unavailable);
      });
    });
  });
}

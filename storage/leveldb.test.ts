import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterAll, describe, expect, it } from 'vitest';
import { openLevelStore } from './leveldb.js';
import { configMap, storageSuite, take } from './storage.suite.js';
import type { StoreEvent } from './types.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-level-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

storageSuite('leveldb', async (options) => openLevelStore(await tempDir(), options));

const key = (name: string) => `/registry/configmaps/default/${name}`;

async function recordCount(dir: string): Promise<number> {
  const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
  let count = 0;
  for await (const _ of db.keys({ gte: 'r/', lt: 'r0' })) count++;
  await db.close();
  return count;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

describe('leveldb durability', () => {
  it('keeps objects, the revision counter and the watch window across a restart', async () => {
    const dir = await tempDir();
    const first = await openLevelStore(dir, { historyWindow: 100 });
    const a = await first.create(key('a'), configMap('a', { v: '1' }));
    await first.guaranteedUpdate(key('a'), (cur) => ({ ...structuredClone(cur!.object), data: { v: '2' } }));
    await first.create(key('b'), configMap('b'));
    await first.delete(key('b'));
    const lastRevision = first.revision;
    await first.close();

    const second = await openLevelStore(dir, { historyWindow: 100 });
    expect(second.revision).toBe(lastRevision);
    expect(second.get(key('a'))?.object.data).toEqual({ v: '2' });
    expect(second.get(key('b'))).toBeUndefined();
    // A client resumes its watch from a revision it saw before the restart.
    const watcher = second.watch('/registry/configmaps/', { fromRevision: a.revision });
    const events = await take(watcher, 3);
    expect(events.map((e: StoreEvent) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED a', 'ADDED b', 'DELETED b']);
    expect(events[0]?.prev?.object.data).toEqual({ v: '1' });
    const next = await second.create(key('c'), configMap('c'));
    expect(next.revision).toBe(lastRevision + 1);
    await second.close();
  });

  it('compacts what leaves the window so a hot key does not grow the log', async () => {
    const dir = await tempDir();
    const window = 50;
    const store = await openLevelStore(dir, { historyWindow: window });
    await store.create(key('hot'), configMap('hot', { n: '0' }));
    for (let i = 0; i < 10; i++) await store.create(key(`cold${i}`), configMap(`cold${i}`));
    for (let i = 1; i <= 3000; i++) {
      await store.guaranteedUpdate(key('hot'), (cur) => ({ ...structuredClone(cur!.object), data: { n: String(i) } }));
    }
    for (let i = 0; i < 5; i++) await store.delete(key(`cold${i}`));
    const revision = store.revision;
    await store.close();
    // live keys + the window + one predecessor per windowed change
    expect(await recordCount(dir)).toBeLessThanOrEqual(6 + 2 * window);
    const reopened = await openLevelStore(dir, { historyWindow: window });
    expect(reopened.revision).toBe(revision);
    expect(reopened.oldestRevision).toBe(revision - window);
    expect(reopened.get(key('hot'))?.object.data).toEqual({ n: '3000' });
    expect(reopened.count('/registry/configmaps/')).toBe(6);
    await reopened.close();
  });

  it('reclaims disk space under sustained churn', async () => {
    const dir = await tempDir();
    const store = await openLevelStore(dir, { historyWindow: 100, sync: false });
    const payload = 'x'.repeat(2000);
    const sizes: number[] = [];
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        Array.from({ length: 20_000 }, (_, i) =>
          store.guaranteedUpdate(key(`k${i % 20}`), (cur) => ({ ...(cur ? structuredClone(cur.object) : configMap(`k${i % 20}`)), data: { p: payload, r: String(round), i: String(i) } }), { allowCreate: true }),
        ),
      );
      sizes.push(await dirSize(dir));
    }
    await store.close();
    // 120,000 versions of ~2 kB were written (≈240 MB); what stays on disk must not grow with them
    // (LevelDB keeps a write buffer and unmerged level-0 files, ≈50 MB here, then compacts them away).
    const written = 120_000 * 2000;
    expect(Math.max(...sizes)).toBeLessThan(written / 3);
    expect(sizes[5]).toBeLessThan(sizes[2]! * 1.5);
  }, 120_000);

  it('refuses a second opener of the same data directory with a clear message', async () => {
    const dir = await tempDir();
    const store = await openLevelStore(dir);
    await expect(openLevelStore(dir)).rejects.toThrow(/in use by another kubemu/);
    await store.close();
  });
});

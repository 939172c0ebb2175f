/**
 * The history checker: concurrent writers and many HTTP watchers (from the start, with selectors, from an old
 * revision, with bookmarks, and one that disconnects and resumes), checked against the store's own log for the
 * six watch guarantees — ordered, unique, reliable, atomic, resumable, bookmarkable — and the final state.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoreEvent } from '../storage/types.js';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';
import { openWatch, type OpenWatch, type WatchEvent } from './support/watch-client.js';

const CM = '/api/v1/namespaces/default/configmaps';
const NAMES = Array.from({ length: 30 }, (_, i) => `h-${i}`);
const OPERATIONS = 600;

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ historyWindow: 100_000, bookmarkIntervalMs: 20 });
});
afterAll(() => cluster.close());

const rvOf = (event: WatchEvent) => Number(event.object.metadata?.resourceVersion);
const colourOf = (labels: Record<string, string> | undefined) => labels?.colour;

/** What a watcher with `colour=red` must see, derived independently from the unfiltered log. */
function expectedForRed(log: StoreEvent[]): string[] {
  const out: string[] = [];
  for (const event of log) {
    const now = colourOf(event.object.metadata.labels) === 'red';
    const before = event.prev ? colourOf(event.prev.object.metadata.labels) === 'red' : false;
    let type: string | undefined;
    if (event.type === 'DELETED') type = now ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (type) out.push(`${type} ${event.object.metadata.name} ${event.revision}`);
  }
  return out;
}

const describeEvents = (events: WatchEvent[]) => events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata?.name} ${rvOf(e)}`);

it('keeps the six watch guarantees under concurrent writes', async () => {
  const store = cluster.kubemu.store;
  const start = store.revision;
  const reference = store.watch('/registry/configmaps/default/', { fromRevision: start });
  const initialNames = new Set(store.list('/registry/configmaps/default/').items.map((i) => i.object.metadata.name));

  const watch = (query: string) => openWatch(cluster.url, `${CM}?watch=1&resourceVersion=${start}${query}`);
  const plain = await Promise.all([watch(''), watch(''), watch('')]);
  const red = await Promise.all([watch('&labelSelector=colour%3Dred'), watch('&labelSelector=colour%3Dred')]);
  const bookmarked = await watch('&allowWatchBookmarks=true');
  let resumable: OpenWatch = await watch('');
  const resumed: WatchEvent[] = [];
  let lateWatch: OpenWatch | undefined;
  let lateFrom = 0;

  let done = 0;
  const random = (n: number) => Math.floor(Math.random() * n);
  const writer = async () => {
    while (done < OPERATIONS) {
      const i = done++;
      const name = NAMES[random(NAMES.length)] as string;
      const labels = { colour: Math.random() < 0.5 ? 'red' : 'blue' };
      const roll = Math.random();
      if (roll < 0.4) await cluster.http().post(CM).send(configMap(name, { i: String(i) }, labels));
      else if (roll < 0.8) await cluster.http().put(`${CM}/${name}`).send(configMap(name, { i: String(i) }, labels));
      else await cluster.http().delete(`${CM}/${name}`);
      if (i === 150) {
        // Disconnect one watcher and resume it from the last revision it saw.
        resumed.push(...resumable.events);
        resumable.close();
        const last = resumed.length > 0 ? rvOf(resumed[resumed.length - 1] as WatchEvent) : start;
        resumable = await openWatch(cluster.url, `${CM}?watch=1&resourceVersion=${last}`);
      }
      if (i === 300) {
        lateFrom = start + 50;
        lateWatch = await openWatch(cluster.url, `${CM}?watch=1&resourceVersion=${lateFrom}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  const marker = await cluster.http().post(CM).send(configMap('zz-end', {}, { colour: 'red' })).expect(201);
  const end = Number(marker.body.metadata.resourceVersion);

  const log: StoreEvent[] = [];
  while (log.length === 0 || (log[log.length - 1] as StoreEvent).revision < end) log.push(...reference.poll());
  reference.close();
  const all = log.map((e) => `${e.type} ${e.object.metadata.name} ${e.revision}`);
  const reds = expectedForRed(log);

  const settle = async (w: OpenWatch, predicate: (events: WatchEvent[]) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!predicate(w.events) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  const reachedEnd = (events: WatchEvent[]) => events.some((e) => e.type !== 'BOOKMARK' && rvOf(e) === end);
  for (const w of [...plain, ...red, bookmarked, resumable, lateWatch as OpenWatch]) await settle(w, reachedEnd);

  // Reliable, ordered, unique, atomic: exactly the log, in order, nothing twice or missing.
  for (const w of plain) expect(describeEvents(w.events)).toEqual(all);
  for (const w of red) expect(describeEvents(w.events)).toEqual(reds);
  // A watch started late from an old revision replays exactly what followed it.
  expect(describeEvents((lateWatch as OpenWatch).events)).toEqual(all.filter((line) => Number(line.split(' ')[2]) > lateFrom));
  // Resumable: the two halves of the resumed watcher join without gap or repeat.
  expect(describeEvents([...resumed, ...resumable.events])).toEqual(all);
  // Bookmarkable: a bookmark promises every earlier event was delivered, and no later event goes back before it.
  let lastEvent = start;
  let lastBookmark = 0;
  for (const event of bookmarked.events) {
    if (event.type === 'BOOKMARK') {
      expect(rvOf(event)).toBeGreaterThanOrEqual(lastEvent);
      lastBookmark = rvOf(event);
    } else {
      expect(rvOf(event)).toBeGreaterThan(Math.max(lastEvent, lastBookmark));
      lastEvent = rvOf(event);
    }
  }
  expect(bookmarked.events.some((e) => e.type === 'BOOKMARK')).toBe(true);
  expect(describeEvents(bookmarked.events)).toEqual(all);
  // The final state: the events replayed over the starting list give today's list.
  const replayed = new Set(initialNames);
  for (const event of describeEvents(plain[0]?.events ?? [])) {
    const [type, name] = event.split(' ') as [string, string];
    if (type === 'DELETED') replayed.delete(name);
    else replayed.add(name);
  }
  const now = (await cluster.http().get(CM)).body.items.map((i: { metadata: { name: string } }) => i.metadata.name);
  expect([...replayed].sort()).toEqual([...now].sort());
  for (const w of [...plain, ...red, bookmarked, resumable, lateWatch as OpenWatch]) w.close();
}, 60_000);

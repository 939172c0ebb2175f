import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';
import { openWatch } from './support/watch-client.js';

const CM = '/api/v1/namespaces/default/configmaps';
let cluster: TestCluster;
beforeAll(async () => {
  // The watch layer alone: no controllers holding watches of their own.
  cluster = await startTestCluster({ historyWindow: 300, bookmarkIntervalMs: 200, controllers: false });
});
afterAll(() => cluster.close());

const create = async (name: string, labels?: Record<string, string>) => (await cluster.http().post(CM).send(configMap(name, { v: '1' }, labels)).expect(201)).body;
const patch = (name: string, body: object) => cluster.http().patch(`${CM}/${name}`).set('Content-Type', 'application/merge-patch+json').send(body).expect(200);

describe('HTTP watch', () => {
  it('starts with synthetic ADDED events for the current state, then streams live changes', async () => {
    await create('w-existing');
    const watch = await openWatch(cluster.url, `${CM}?watch=true&fieldSelector=metadata.name%3Dw-existing`);
    expect(watch.status).toBe(200);
    await watch.waitFor(1);
    await patch('w-existing', { data: { v: '2' } });
    await cluster.http().delete(`${CM}/w-existing`).expect(200);
    const events = await watch.waitFor(3);
    expect(events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w-existing', 'MODIFIED w-existing', 'DELETED w-existing']);
    expect(typeof events[1]?.object.metadata?.resourceVersion).toBe('string');
    watch.close();
  });

  it('from resourceVersion N delivers exactly the events after N', async () => {
    const first = await create('w-rv');
    const rv = first.metadata.resourceVersion as string;
    await patch('w-rv', { data: { v: '2' } });
    await patch('w-rv', { data: { v: '3' } });
    const watch = await openWatch(cluster.url, `${CM}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw-rv`);
    const events = await watch.waitFor(2);
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED']);
    expect(Number(events[0]?.object.metadata?.resourceVersion)).toBeGreaterThan(Number(rv));
    watch.close();
  });

  it('answers a compacted resourceVersion with an ERROR event carrying 410 Expired, then ends', async () => {
    const old = await create('w-old');
    for (let i = 0; i < 320; i++) await patch('w-old', { data: { v: String(i) } });
    const watch = await openWatch(cluster.url, `${CM}?watch=1&resourceVersion=${old.metadata.resourceVersion}`);
    await watch.ended;
    expect(watch.events).toHaveLength(1);
    expect(watch.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(String(watch.events[0]?.object.message)).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('delivers objects entering a label selection as ADDED and leaving it as DELETED', async () => {
    const watch = await openWatch(cluster.url, `${CM}?watch=1&labelSelector=sel%3Din`);
    await create('w-sel', { sel: 'out' });
    await patch('w-sel', { metadata: { labels: { sel: 'in' } } });
    await patch('w-sel', { data: { v: 'changed' } });
    await patch('w-sel', { metadata: { labels: { sel: 'out' } } });
    const events = await watch.waitFor(3);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    watch.close();
  });

  it('sends bookmarks when allowed, ends cleanly at timeoutSeconds', async () => {
    const watch = await openWatch(cluster.url, `${CM}?watch=1&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=0&fieldSelector=metadata.name%3Dnone`);
    await watch.ended;
    const bookmarks = watch.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    expect(bookmarks[0]?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmarks[0]?.object.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  it('streams the initial state then the initial-events-end bookmark with sendInitialEvents', async () => {
    await create('w-initial');
    const watch = await openWatch(
      cluster.url,
      `${CM}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dw-initial`,
    );
    const events = await watch.waitFor(2);
    expect(events[0]?.type).toBe('ADDED');
    expect(events[1]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    watch.close();
    const refused = await cluster.http().get(`${CM}?watch=1&sendInitialEvents=true`);
    expect(refused.status).toBe(422);
  });

  it('sends one-row Tables, with column definitions only on the first event', async () => {
    await create('w-table');
    const watch = await openWatch(cluster.url, `${CM}?watch=1&fieldSelector=metadata.name%3Dw-table`, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    await watch.waitFor(1);
    await patch('w-table', { data: { v: '2', w: '3' } });
    const [first, second] = await watch.waitFor(2);
    expect(first?.object.kind).toBe('Table');
    expect((first?.object.columnDefinitions as unknown[]).length).toBe(3);
    expect(second?.object.columnDefinitions).toBeNull();
    expect((second?.object.rows as { cells: unknown[] }[])[0]?.cells.slice(0, 2)).toEqual(['w-table', 2]);
    watch.close();
  });
});

describe('WebSocket watch', () => {
  it('carries the same events, one per message', async () => {
    const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}${CM}?watch=true&fieldSelector=metadata.name%3Dws-one`);
    const messages: { type: string; object: { metadata: { name: string } } }[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await create('ws-one');
    await patch('ws-one', { data: { v: '2' } });
    const deadline = Date.now() + 3000;
    while (messages.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(messages.map((m) => `${m.type} ${m.object.metadata.name}`)).toEqual(['ADDED ws-one', 'MODIFIED ws-one']);
    ws.close();
  });

  it('refuses non-watch upgrades with a Status', async () => {
    const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}${CM}/ws-one`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(400);
  });
});

describe('a stalled watcher', () => {
  it('neither slows writers nor grows memory, and is cut off once its events leave the window', async () => {
    // Earlier tests' watches are closing asynchronously; start from none.
    for (let i = 0; i < 200 && cluster.kubemu.store.watcherCount > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const baseline = cluster.kubemu.store.watcherCount;
    expect(baseline, 'no watchers left from earlier tests').toBe(0);
    const socket = createConnection(new URL(cluster.url).port ? Number(new URL(cluster.url).port) : 80, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause(); // never read a byte
    socket.write(`GET ${CM}?watch=1&resourceVersion=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cluster.kubemu.store.watcherCount).toBe(baseline + 1);
    const heapBefore = process.memoryUsage().heapUsed;
    const big = 'x'.repeat(20_000);
    const started = Date.now();
    for (let i = 0; i < 1000; i++) await cluster.http().post(CM).send(configMap(`stall-${i}`, { big })).expect(201);
    const elapsed = Date.now() - started;
    // 20 MB of events went by the stalled client (more than socket buffers hold): it was cut off, not buffered for.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cluster.kubemu.store.watcherCount, 'the stalled watcher is closed').toBe(baseline);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    expect(elapsed).toBeLessThan(30_000);
    socket.destroy();
  });
});

describe('shutdown', () => {
  it('ends open watches cleanly', async () => {
    const own = await startTestCluster();
    await own.http().post(CM).send(configMap('before-shutdown')).expect(201);
    const watch = await openWatch(own.url, `${CM}?watch=1`);
    await watch.waitFor(1);
    await own.close();
    await watch.ended;
    expect(watch.events.every((e) => e.type === 'ADDED')).toBe(true);
  });
});

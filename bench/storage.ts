/**
 * @module bench/storage
 * Layer: benchmarks. The storage section: durable creates at 1 and 32 writers against raw LevelDB (synced
 * single puts and one unsynced batch) measured in the same run; get/list throughput; watch delivery latency
 * with 100 watchers at 1,000 events/s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import type { KubeObject } from '../server/api/object.js';
import { LevelPersistence, openLevelStore } from '../storage/leveldb.js';
import { openMemoryStore } from '../storage/memory.js';
import { NoPersistence, type CommitBatch, type LoadedState, type Persistence } from '../storage/persistence.js';
import { VersionedStore } from '../storage/store.js';
import { fmt, percentile, printSection, rate, ratio, timed, type Row } from './report.js';

function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }], nodeName: `node-${i % 100}` },
    status: { phase: 'Pending' },
  };
}
const podBytes = Buffer.from(JSON.stringify(pod(0)));

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rawSyncedPuts(count: number): Promise<number> {
  return withDir(async (dir) => {
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
    await db.open();
    const ms = await timed(async () => {
      for (let i = 0; i < count; i++) await db.put(`k${i}`, podBytes, { sync: true });
    });
    await db.close();
    return rate(count, ms);
  });
}

async function rawUnsyncedBatch(count: number): Promise<number> {
  return withDir(async (dir) => {
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
    await db.open();
    const ops = Array.from({ length: count }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: podBytes }));
    const ms = await timed(() => db.batch(ops));
    await db.close();
    return rate(count, ms);
  });
}

async function durableCreates(writers: number, count: number): Promise<number> {
  return withDir(async (dir) => {
    const store = await openLevelStore(dir);
    let next = 0;
    const ms = await timed(() =>
      Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = next++; i < count; i = next++) await store.create(`/registry/pods/default/pod-${i}`, pod(i));
        }),
      ),
    );
    await store.close();
    return rate(count, ms);
  });
}

async function reads(): Promise<Row[]> {
  const store = await openMemoryStore();
  const objects = 10_000;
  await Promise.all(Array.from({ length: objects }, (_, i) => store.create(`/registry/pods/default/pod-${i}`, pod(i))));
  const gets = 200_000;
  let sink = 0;
  const getMs = await timed(() => {
    for (let i = 0; i < gets; i++) sink += store.get(`/registry/pods/default/pod-${i % objects}`)!.bytes.length;
  });
  const listMs = await timed(() => {
    let token: string | undefined;
    do {
      const page = store.list('/registry/pods/default/', { limit: 500, ...(token && { continue: token }) });
      sink += page.items.length;
      token = page.continue;
    } while (token);
  });
  const filteredMs = await timed(() => {
    sink += store.list('/registry/pods/', { filter: (o) => o.metadata.labels?.shard === '3' }).items.length;
  });
  await store.close();
  if (sink < 0) throw new Error('unreachable');
  return [
    { name: 'get (memory, 10k objects)', value: `${fmt(rate(gets, getMs))} /s` },
    { name: 'list 10k in pages of 500', value: `${fmt(rate(objects, listMs))} items/s` },
    { name: 'list 10k with a filter', value: `${fmt(filteredMs, 1)} ms` },
  ];
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

function summarise(latencies: number[]): Latency {
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN, count: latencies.length };
}

/** Wait until `due` (ms on the performance clock), sleeping when it is far enough off to be worth a timer. */
async function until(due: number): Promise<void> {
  const wait = due - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Baseline: the latency of one synced LevelDB put, issued at the same pace as the watch benchmark's writes. */
async function rawSyncedPutLatency(perSecond: number, seconds: number): Promise<Latency> {
  return withDir(async (dir) => {
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
    await db.open();
    const latencies: number[] = [];
    const start = performance.now();
    const puts: Promise<void>[] = [];
    for (let i = 0; i < perSecond * seconds; i++) {
      await until(start + (i * 1000) / perSecond);
      const issued = performance.now();
      puts.push(db.put(`k${i}`, podBytes, { sync: true }).then(() => void latencies.push(performance.now() - issued)));
    }
    await Promise.all(puts);
    await db.close();
    return summarise(latencies);
  });
}

/** Notes when each key's write became durable, to time "stored → delivered" as the upstream watch SLI does. */
class TimedPersistence implements Persistence {
  readonly storedAt = new Map<string, number>();
  constructor(private readonly inner: Persistence) {}
  load(): Promise<LoadedState> {
    return this.inner.load();
  }
  async commit(batch: CommitBatch): Promise<void> {
    await this.inner.commit(batch);
    const now = performance.now();
    for (const version of batch.versions) this.storedAt.set(version.key, now);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface WatchLatency {
  /** write issued → every watcher has it (includes the fsync) */
  endToEnd: Latency;
  /** stored → every watcher has it (the fan-out alone) */
  fanOut: Latency;
}

async function watchLatency(durable: boolean, watchers: number, eventsPerSecond: number, seconds: number): Promise<WatchLatency> {
  return withDir(async (dir) => {
    const persistence = new TimedPersistence(durable ? new LevelPersistence(dir) : new NoPersistence());
    const store = await VersionedStore.open(persistence);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const fanOut: number[] = [];
    const total = eventsPerSecond * seconds;
    let stop = false;
    const consumers = Array.from({ length: watchers }, async () => {
      const watcher = store.watch('/registry/pods/');
      let seen = 0;
      while (seen < total && !stop) {
        await watcher.wait();
        const now = performance.now();
        for (const event of watcher.poll()) {
          const sent = sentAt.get(event.key);
          if (sent !== undefined) latencies.push(now - sent);
          const stored = persistence.storedAt.get(event.key);
          if (stored !== undefined) fanOut.push(now - stored);
          seen++;
        }
      }
      watcher.close();
    });
    const start = performance.now();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      await until(start + (i * 1000) / eventsPerSecond);
      const key = `/registry/pods/default/pod-${i}`;
      sentAt.set(key, performance.now());
      writes.push(store.create(key, pod(i)));
    }
    await Promise.all(writes);
    await Promise.race([Promise.all(consumers), new Promise((resolve) => setTimeout(resolve, 5000))]);
    stop = true;
    await store.close();
    return { endToEnd: summarise(latencies), fanOut: summarise(fanOut) };
  });
}

export async function storageBench(): Promise<void> {
  const rawPuts = await rawSyncedPuts(2000);
  const rawBatch = await rawUnsyncedBatch(20_000);
  const one = await durableCreates(1, 2000);
  const many = await durableCreates(32, 20_000);
  printSection('storage: durable writes (LevelDB, fsync per group commit)', [
    { name: 'raw level: synced single puts', value: `${fmt(rawPuts)} /s` },
    { name: 'raw level: one unsynced 20k batch', value: `${fmt(rawBatch)} /s` },
    { name: 'kubemu creates, 1 writer', value: `${fmt(one)} /s`, baseline: 'synced puts', ratio: ratio(one, rawPuts) },
    { name: 'kubemu creates, 32 writers', value: `${fmt(many)} /s`, baseline: 'synced puts', ratio: ratio(many, rawPuts) },
    { name: '', value: '', baseline: 'unsynced batch', ratio: ratio(many, rawBatch) },
  ]);
  printSection('storage: reads (served from memory)', await reads());
  const fsync = await rawSyncedPutLatency(1000, 3);
  const durable = await watchLatency(true, 100, 1000, 3);
  const memory = await watchLatency(false, 100, 1000, 3);
  const line = (l: Latency) => `p50 ${fmt(l.p50, 2)} ms  p99 ${fmt(l.p99, 2)} ms  max ${fmt(l.max, 1)} ms`;
  printSection('storage: watch delivery latency, 100 watchers, 1,000 events/s', [
    { name: 'LevelDB: stored → every watcher has it', value: line(durable.fanOut) },
    { name: 'memory:  stored → every watcher has it', value: line(memory.fanOut) },
    { name: 'LevelDB: write issued → every watcher has it', value: line(durable.endToEnd) },
    { name: 'baseline: raw level synced put at 1,000/s', value: line(fsync) },
    { name: 'deliveries per run', value: fmt(durable.fanOut.count) },
  ]);
}

/**
 * @module bench/http
 * Layer: benchmarks. The HTTP section: GET of one object and a 500-item LIST page from kubemu against a bare
 * express app serving the same bytes (measured in the same run, same client), and watch delivery latency to
 * 100 HTTP watchers at 1,000 events/s.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { startKubemu } from '../cli/instance.js';
import { fmt, printSection, rate, ratio } from './report.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { Accept: 'application/json' } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve(bytes));
      })
      .on('error', reject);
  });
}

/** Requests per second with `concurrency` clients over `ms` milliseconds. */
async function load(url: string, concurrency: number, ms: number): Promise<number> {
  let count = 0;
  const deadline = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await get(url);
        count++;
      }
    }),
  );
  return rate(count, performance.now() - start);
}

async function bareExpress(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/object', (_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/object`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function pod(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${String(i).padStart(4, '0')}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }], nodeName: `node-${i % 100}` },
  };
}

interface DeliverySummary {
  deliveries: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Watch delivery measured from a separate process, so the watchers' parsing does not share the server's event
 * loop. `emit(i, sent)` makes event i happen, stamped with the absolute time it was issued.
 */
async function watchLatency(url: string, emit: (i: number, sent: string) => unknown, watchers: number, perSecond: number, seconds: number): Promise<DeliverySummary> {
  const total = perSecond * seconds;
  const script = fileURLToPath(new URL('./watch-clients.ts', import.meta.url));
  const loader = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, script, url, String(watchers), String(total)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('ready\n')) resolve();
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // let every watcher's initial state arrive
  const clock = () => performance.timeOrigin + performance.now();
  const start = performance.now();
  const pending: unknown[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(emit(i, String(clock())));
  }
  await Promise.all(pending);
  await new Promise((resolve) => child.on('close', resolve));
  return JSON.parse(output.slice('ready\n'.length)) as DeliverySummary;
}

/** The floor: a bare node server writing a pre-serialized line of the same size to every open stream. */
async function bareBroadcaster(): Promise<{ url: string; broadcast(line: string): void; close(): Promise<void> }> {
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/watch`,
    broadcast: (line) => {
      for (const res of streams) res.write(line);
    },
    close: () => {
      for (const res of streams) res.end();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function configMap(i: number, sent: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}`, namespace: 'default' }, data: { sent } };
}

export async function httpBench(): Promise<void> {
  const kubemu = await startKubemu({ memory: true, port: 0, kubeconfig: false });
  const pods = kubemu.registry.resource('', 'pods');
  for (let i = 0; i < 500; i++) await kubemu.registry.create(pods, 'default', pod(i));
  const objectUrl = `${kubemu.url}/api/v1/namespaces/default/pods/pod-0042`;
  const listUrl = `${kubemu.url}/api/v1/namespaces/default/pods?limit=500`;
  const objectBytes = kubemu.registry.get(pods, 'default', 'pod-0042')?.bytes as Buffer;
  const bare = await bareExpress(objectBytes);
  const listBody = await new Promise<Buffer>((resolve) => http.get(listUrl, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
  }));
  const bareList = await bareExpress(listBody);
  for (const url of [objectUrl, bare.url]) await load(url, 16, 300); // warm up
  const bareGet = await load(bare.url, 32, 3000);
  const kubemuGet = await load(objectUrl, 32, 3000);
  const bareListRate = await load(bareList.url, 16, 3000);
  const kubemuList = await load(listUrl, 16, 3000);
  printSection('http: reads (32 keep-alive clients in-process)', [
    { name: 'bare express, same object bytes', value: `${fmt(bareGet)} req/s` },
    { name: 'kubemu GET pod', value: `${fmt(kubemuGet)} req/s`, baseline: 'bare express', ratio: ratio(kubemuGet, bareGet) },
    { name: `bare express, same ${fmt(listBody.length / 1024)} kB list bytes`, value: `${fmt(bareListRate)} req/s` },
    { name: 'kubemu LIST 500 pods', value: `${fmt(kubemuList)} req/s`, baseline: 'bare express', ratio: ratio(kubemuList, bareListRate) },
  ]);
  await bare.close();
  await bareList.close();

  const watchers = 100;
  const perSecond = 1000;
  const bareWatch = await bareBroadcaster();
  const sample = `${JSON.stringify({ type: 'ADDED', object: { ...configMap(0, ''), metadata: { name: 'w-0', namespace: 'default', uid: '00000000-0000-0000-0000-000000000000', resourceVersion: '1000', creationTimestamp: '2026-01-01T00:00:00Z' } } })}\n`;
  const floor = await watchLatency(bareWatch.url, (i, sent) => bareWatch.broadcast(sample.replace('"sent":""', `"sent":"${sent}"`).replace('w-0', `w-${i}`)), watchers, perSecond, 3);
  await bareWatch.close();
  const configmaps = kubemu.registry.resource('', 'configmaps');
  const watchUrl = `${kubemu.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0`;
  const measured = await watchLatency(watchUrl, (i, sent) => kubemu.registry.create(configmaps, 'default', configMap(i, sent)), watchers, perSecond, 3);
  printSection(`http: watch delivery, ${watchers} HTTP watchers in another process, ${fmt(perSecond)} events/s (write issued → watcher has the line)`, [
    { name: 'bare node broadcaster p50', value: `${fmt(floor.p50, 2)} ms` },
    { name: 'bare node broadcaster p99', value: `${fmt(floor.p99, 2)} ms` },
    { name: 'kubemu p50', value: `${fmt(measured.p50, 2)} ms`, baseline: 'bare p50', ratio: ratio(measured.p50, floor.p50) },
    { name: 'kubemu p90', value: `${fmt(measured.p90, 2)} ms` },
    { name: 'kubemu p99 (goal ≤ 10 ms)', value: `${fmt(measured.p99, 2)} ms`, baseline: 'bare p99', ratio: ratio(measured.p99, floor.p99) },
    { name: 'kubemu max', value: `${fmt(measured.max, 1)} ms` },
    { name: 'deliveries (kubemu / expected)', value: `${fmt(measured.deliveries)} / ${fmt(watchers * perSecond * 3)}` },
  ]);
  await kubemu.close();
  agent.destroy();
}

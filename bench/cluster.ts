/**
 * @module bench/cluster
 * Layer: benchmarks. The simulated cluster at scale: register N nodes (time until every node is Ready), then
 * run M pods through the scheduler and the kubelets (time until every pod is Running), on the durable
 * LevelDB store with fast pod lifecycles. The same-run baseline is the cost of the bare writes: creating as
 * many ConfigMaps through the same pipeline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubemu, type Kubemu } from '../cli/instance.js';
import type { KubeObject } from '../server/api/object.js';
import { fmt, printSection, rate } from './report.js';
import { until } from './until.js';

function count(kubemu: Kubemu, group: string, plural: string, predicate: (object: KubeObject) => boolean): number {
  const resource = kubemu.registry.resource(group, plural);
  let n = 0;
  for (const stored of kubemu.registry.list(resource, undefined)) if (predicate(stored.object)) n++;
  return n;
}

async function createMany(total: number, concurrency: number, create: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await create(next++);
    }),
  );
}

export async function clusterBench(sizes: { nodes: number; pods: number } = { nodes: 5000, pods: 10_000 }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-cluster-'));
  try {
    const start = performance.now();
    const kubemu = await startKubemu({ dataDir: dir, port: 0, kubeconfig: false, nodes: sizes.nodes, podLifecycle: 'fast' });
    const started = performance.now() - start;
    const ready = (node: KubeObject) => ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const allReady = await until(() => count(kubemu, '', 'nodes', ready) >= sizes.nodes, 120_000);
    const nodesReadyMs = performance.now() - start;

    const baselineStart = performance.now();
    const configmaps = kubemu.registry.resource('', 'configmaps');
    await createMany(sizes.pods, 32, (i) => kubemu.registry.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `baseline-${i}` }, data: { i: String(i) } }));
    const baselineMs = performance.now() - baselineStart;

    const podsStart = performance.now();
    const pods = kubemu.registry.resource('', 'pods');
    await createMany(sizes.pods, 32, (i) =>
      kubemu.registry.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `load-${i}`, labels: { app: 'load' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } }),
    );
    const createdMs = performance.now() - podsStart;
    const running = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase === 'Running';
    const allRunning = await until(() => count(kubemu, '', 'pods', running) >= sizes.pods, 180_000);
    const podsRunningMs = performance.now() - podsStart;
    await kubemu.close();
    printSection(`cluster: ${fmt(sizes.nodes)} fake nodes and ${fmt(sizes.pods)} pods (LevelDB, fast pod lifecycle; goal ≤ 10 s each, kwok's CI reference 60 s each)`, [
      { name: 'kubemu started (listening, nodes registering)', value: `${fmt(started)} ms` },
      { name: `all ${fmt(sizes.nodes)} nodes Ready`, value: allReady ? `${fmt(nodesReadyMs / 1000, 1)} s` : 'not within 120 s' },
      { name: `${fmt(sizes.pods)} pods created (32 writers)`, value: `${fmt(createdMs / 1000, 1)} s` },
      { name: `all ${fmt(sizes.pods)} pods Running (scheduled, bound, started)`, value: allRunning ? `${fmt(podsRunningMs / 1000, 1)} s` : 'not within 180 s' },
      { name: `baseline: ${fmt(sizes.pods)} ConfigMaps created (32 writers, same pipeline)`, value: `${fmt(baselineMs / 1000, 1)} s`, baseline: 'pods Running', ratio: `${fmt(podsRunningMs / baselineMs, 1)}× the bare writes` },
      { name: 'pods Running per second', value: `${fmt(rate(sizes.pods, podsRunningMs))} /s` },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

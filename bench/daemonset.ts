/**
 * @module bench/daemonset
 * Layer: benchmarks. A DaemonSet over N fake nodes (LevelDB, fast pod lifecycle): time until
 * status.numberReady equals desiredNumberScheduled, then a RollingUpdate at maxUnavailable 10 % — time to
 * complete and the peak number of nodes without an available daemon pod, watched event by event (it must
 * never exceed the budget). Same-run baseline: N bare ConfigMap creates through the same pipeline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubemu, type Kubemu } from '../cli/instance.js';
import type { KubeObject } from '../server/api/object.js';
import { trackAvailability } from '../test/support/availability.js';
import { fmt, printSection } from './report.js';
import { until } from './until.js';

type Status = { desiredNumberScheduled?: number; numberReady?: number; numberAvailable?: number; updatedNumberScheduled?: number; observedGeneration?: number };

function statusOf(kubemu: Kubemu): { status: Status; generation: number } {
  const ds = kubemu.registry.get(kubemu.registry.resource('apps', 'daemonsets'), 'default', 'bench')?.object as (KubeObject & { status?: Status }) | undefined;
  return { status: ds?.status ?? {}, generation: ds?.metadata.generation ?? 0 };
}

async function one(nodes: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-ds-'));
  try {
    const kubemu = await startKubemu({ dataDir: dir, port: 0, kubeconfig: false, nodes, podLifecycle: 'fast' });
    const nodeResource = kubemu.registry.resource('', 'nodes');
    const readyNodes = () => kubemu.registry.list(nodeResource, undefined).filter((n) => ((n.object.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
    await until(() => readyNodes() >= nodes, 120_000);

    const baselineStart = performance.now();
    const configmaps = kubemu.registry.resource('', 'configmaps');
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < nodes) await kubemu.registry.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `baseline-${next++}` } });
    }));
    const baselineMs = performance.now() - baselineStart;

    const daemonsets = kubemu.registry.resource('apps', 'daemonsets');
    const start = performance.now();
    await kubemu.registry.create(daemonsets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'bench' },
      spec: {
        selector: { matchLabels: { app: 'bench' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
      },
    });
    const ready = await until(() => {
      const { status } = statusOf(kubemu);
      return (status.desiredNumberScheduled ?? 0) === nodes && status.numberReady === nodes;
    }, 300_000);
    const readyMs = performance.now() - start;

    const names = Array.from({ length: nodes }, (_, i) => `node-${i + 1}`);
    const tracker = trackAvailability(kubemu.registry, 'default', 'bench', names);
    const updateStart = performance.now();
    await kubemu.registry.patch(daemonsets, 'default', 'bench', 'strategic', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } }, {});
    const updated = await until(() => {
      const { status, generation } = statusOf(kubemu);
      return status.observedGeneration === generation && status.updatedNumberScheduled === nodes && status.numberAvailable === nodes;
    }, 600_000);
    const updateMs = performance.now() - updateStart;
    tracker.stop();
    await kubemu.close();
    const budget = Math.ceil(nodes * 0.1);
    printSection(`daemonset: one DaemonSet over ${fmt(nodes)} fake nodes (LevelDB, fast pod lifecycle)`, [
      { name: 'baseline: as many ConfigMaps created (32 writers)', value: `${fmt(baselineMs / 1000, 1)} s` },
      { name: `numberReady = desired = ${fmt(nodes)} (goal ≤ 15 s at 5,000)`, value: ready ? `${fmt(readyMs / 1000, 1)} s` : 'not within 300 s', baseline: 'bare creates', ratio: `${fmt(readyMs / baselineMs, 1)}×` },
      { name: 'RollingUpdate at maxUnavailable 10 % complete', value: updated ? `${fmt(updateMs / 1000, 1)} s` : 'not within 600 s' },
      { name: `peak nodes without an available pod (budget ${fmt(budget)})`, value: `${fmt(tracker.worstUnavailable)}${tracker.worstUnavailable > budget ? '  ← OVER BUDGET' : ''}` },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function daemonSetBench(sizes: readonly number[] = [1000, 5000]): Promise<void> {
  for (const nodes of sizes) await one(nodes);
}

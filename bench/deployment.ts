/**
 * @module bench/deployment
 * Layer: benchmarks. Deployments at scale (LevelDB, fast pod lifecycle): one Deployment scaled from 0 to N
 * replicas until every one is available, then a RollingUpdate of an M-replica Deployment at 25 % surge and
 * unavailability — its time and the fewest available and most live pods a watcher saw (they must stay
 * within the budget). Same-run baselines: N bare ConfigMap creates, and M created and deleted, through the
 * same pipeline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubemu, type Kubemu } from '../cli/instance.js';
import type { KubeObject } from '../server/api/object.js';
import { trackReplicas } from '../test/support/availability.js';
import { fmt, printSection } from './report.js';
import { until } from './until.js';

type Status = { replicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number };

function statusOf(kubemu: Kubemu, name: string): { status: Status; generation: number } {
  const d = kubemu.registry.get(kubemu.registry.resource('apps', 'deployments'), 'default', name)?.object as (KubeObject & { status?: Status }) | undefined;
  return { status: d?.status ?? {}, generation: d?.metadata.generation ?? 0 };
}

function complete(kubemu: Kubemu, name: string, replicas: number): boolean {
  const { status, generation } = statusOf(kubemu, name);
  return status.observedGeneration === generation && status.updatedReplicas === replicas && status.availableReplicas === replicas && status.replicas === replicas;
}

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'app:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

export async function deploymentBench(sizes: { nodes: number; scaleTo: number; rolling: number } = { nodes: 200, scaleTo: 10_000, rolling: 1000 }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-bench-deploy-'));
  try {
    const kubemu = await startKubemu({ dataDir: dir, port: 0, kubeconfig: false, nodes: sizes.nodes, podLifecycle: 'fast' });
    const nodeResource = kubemu.registry.resource('', 'nodes');
    const readyNodes = () => kubemu.registry.list(nodeResource, undefined).filter((n) => ((n.object.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
    await until(() => readyNodes() >= sizes.nodes, 120_000);

    const baselineStart = performance.now();
    const configmaps = kubemu.registry.resource('', 'configmaps');
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < sizes.scaleTo) await kubemu.registry.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `baseline-${next++}` } });
      }),
    );
    const baselineMs = performance.now() - baselineStart;
    // What a rolling update of M replicas writes at the least: M creates and M deletes.
    const churnStart = performance.now();
    for (let i = 0; i < sizes.rolling; i += 32) {
      const batch = Array.from({ length: Math.min(32, sizes.rolling - i) }, (_, j) => `churn-${i + j}`);
      await Promise.all(batch.map((name) => kubemu.registry.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })));
      await Promise.all(batch.map((name) => kubemu.registry.delete(configmaps, 'default', name)));
    }
    const churnMs = performance.now() - churnStart;

    const deployments = kubemu.registry.resource('apps', 'deployments');
    await kubemu.registry.create(deployments, 'default', deployment('scale', 0));
    await until(() => statusOf(kubemu, 'scale').status.observedGeneration === 1, 30_000);
    const scaleStart = performance.now();
    await kubemu.registry.patch(deployments, 'default', 'scale', 'merge', { spec: { replicas: sizes.scaleTo } }, {});
    const scaled = await until(() => complete(kubemu, 'scale', sizes.scaleTo), 600_000);
    const scaleMs = performance.now() - scaleStart;
    await kubemu.registry.patch(deployments, 'default', 'scale', 'merge', { spec: { replicas: 0 } }, {});
    const pods = kubemu.registry.resource('', 'pods');
    await until(() => kubemu.registry.list(pods, 'default').length === 0, 600_000);

    await kubemu.registry.create(deployments, 'default', deployment('roll', sizes.rolling));
    await until(() => complete(kubemu, 'roll', sizes.rolling), 600_000);
    const tracker = trackReplicas(kubemu.registry, 'default', 'app', 'roll');
    const rollStart = performance.now();
    await kubemu.registry.patch(deployments, 'default', 'roll', 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } }, {});
    const rolled = await until(() => complete(kubemu, 'roll', sizes.rolling), 600_000);
    const rollMs = performance.now() - rollStart;
    tracker.stop();
    await kubemu.close();
    const quarter = Math.ceil(sizes.rolling * 0.25);
    const floor = sizes.rolling - Math.floor(sizes.rolling * 0.25);
    printSection(`deployment: ${fmt(sizes.nodes)} fake nodes (LevelDB, fast pod lifecycle; goal ≤ 10 s for 10,000, kwok's CI reference 60 s)`, [
      { name: `baseline: ${fmt(sizes.scaleTo)} ConfigMaps created (32 writers)`, value: `${fmt(baselineMs / 1000, 1)} s` },
      { name: `Deployment scaled 0 → ${fmt(sizes.scaleTo)}, all available`, value: scaled ? `${fmt(scaleMs / 1000, 1)} s` : 'not within 600 s', baseline: 'bare creates', ratio: `${fmt(scaleMs / baselineMs, 1)}×` },
      { name: `baseline: ${fmt(sizes.rolling)} ConfigMaps created and deleted (32 writers)`, value: `${fmt(churnMs / 1000, 1)} s` },
      { name: `RollingUpdate of ${fmt(sizes.rolling)} replicas at 25 %/25 % complete`, value: rolled ? `${fmt(rollMs / 1000, 1)} s` : 'not within 600 s', baseline: 'bare creates and deletes', ratio: `${fmt(rollMs / churnMs, 1)}×` },
      { name: `fewest available pods seen (floor ${fmt(floor)})`, value: `${fmt(tracker.fewestAvailable)}${tracker.fewestAvailable < floor ? '  ← BELOW FLOOR' : ''}` },
      { name: `most live pods seen (ceiling ${fmt(sizes.rolling + quarter)})`, value: `${fmt(tracker.mostAlive)}${tracker.mostAlive > sizes.rolling + quarter ? '  ← OVER CEILING' : ''}` },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

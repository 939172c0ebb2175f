import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startKubemu, type Kubemu } from '../cli/instance.js';
import type { KubeObject } from '../server/api/object.js';
import { eventually } from './support/wait.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

type Pod = KubeObject & { spec: { nodeName?: string }; status?: { phase?: string; podIP?: string; startTime?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] } };

it('after a restart, kubelets adopt their nodes and pods: nothing restarts, status is kept, deletions finish', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-restart-'));
  dirs.push(dir);
  const start = () => startKubemu({ dataDir: dir, port: 0, kubeconfig: false, nodes: 2, podLifecycle: 'fast' });
  const pods = (kubemu: Kubemu) => kubemu.registry.resource('', 'pods');
  const pod = (kubemu: Kubemu, name: string) => kubemu.registry.get(pods(kubemu), 'default', name)?.object as Pod | undefined;

  let kubemu = await start();
  const uids: string[] = [];
  for (const name of ['steady', 'leaving']) {
    const created = await kubemu.registry.create(pods(kubemu), 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], terminationGracePeriodSeconds: 1 } });
    uids.push(created.object.metadata.uid as string);
  }
  await eventually('both pods run', () => pod(kubemu, 'steady')?.status?.phase === 'Running' && pod(kubemu, 'leaving')?.status?.phase === 'Running');
  const before = pod(kubemu, 'steady') as Pod;
  const nodesBefore = kubemu.registry.list(kubemu.registry.resource('', 'nodes'), undefined).map((n) => `${n.object.metadata.name}/${n.object.metadata.uid}`);
  await kubemu.close();

  kubemu = await start();
  try {
    // The same nodes (not registered again), the same pod, untouched.
    expect(kubemu.registry.list(kubemu.registry.resource('', 'nodes'), undefined).map((n) => `${n.object.metadata.name}/${n.object.metadata.uid}`)).toEqual(nodesBefore);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = pod(kubemu, 'steady') as Pod;
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.status).toMatchObject({ phase: 'Running', podIP: before.status?.podIP, startTime: before.status?.startTime });
    expect(after.status?.conditions?.find((c) => c.type === 'Ready')).toEqual(before.status?.conditions?.find((c) => c.type === 'Ready'));
    // Leases are renewed at once, so the nodes stay Ready.
    const lease = kubemu.registry.get(kubemu.registry.resource('coordination.k8s.io', 'leases'), 'kube-node-lease', 'node-1')?.object as KubeObject & { spec: { renewTime: string } };
    expect(Date.now() - Date.parse(lease.spec.renewTime)).toBeLessThan(5000);
    // A deletion requested now is finished by the adopted kubelet.
    await kubemu.registry.delete(pods(kubemu), 'default', 'leaving');
    await eventually('the deleted pod is gone', () => pod(kubemu, 'leaving') === undefined);
  } finally {
    await kubemu.close();
  }
});

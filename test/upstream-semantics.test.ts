import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { kubectlAvailable, NEWEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

/** API behaviour that upstream's own client suites rely on. */
describe.runIf(kubectlAvailable([NEWEST]))(`kubectl ${NEWEST}: semantics clients rely on`, () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    // Leases renew every 2 s (a quarter of the grace period), so a re-created kube-node-lease fills again quickly.
    cluster = await startTestCluster({ nodes: 2, namespaceDeletionDelayMs: 0, systemNamespacesIntervalMs: 300, nodeMonitorGracePeriodMs: 8000 });
    kubectl = cluster.kubectl(NEWEST);
    await kubectl.waitForReadyNodes(2);
  });
  afterAll(() => cluster.close());

  it('treats resourceVersion "0" in an update as no precondition', async () => {
    await kubectl.ok(['create', 'configmap', 'rv0', '--from-literal=a=1']);
    const body = '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"rv0","namespace":"default","resourceVersion":"0"},"data":{"a":"2"}}';
    expect(await kubectl.ok(['replace', '-f', '-'], { stdin: body })).toBe('configmap/rv0 replaced\n');
    expect(await kubectl.ok(['get', 'configmap', 'rv0', '-o', 'jsonpath={.data.a}'])).toBe('2');
    // Any other stale version still conflicts.
    const stale = await kubectl.run(['replace', '-f', '-'], { stdin: body.replace('"0"', '"1"') });
    expect(stale.stderr).toContain('the object has been modified; please apply your changes to the latest version and try again');
  });

  it('brings a deleted system namespace back, and the kubelets renew their leases in it again', async () => {
    await kubectl.ok(['delete', 'namespace', 'kube-node-lease', '--timeout=30s'], { timeoutMs: 40_000 });
    await eventually('kube-node-lease is back', async () => (await kubectl.run(['get', 'namespace', 'kube-node-lease', '--no-headers'])).stdout.includes('Active'), 10_000);
    await eventually('the node leases are back', async () => (await kubectl.ok(['get', 'leases', '-n', 'kube-node-lease', '-o', 'name'])).trim().split('\n').length === 2, 20_000);
    const refused = await kubectl.run(['delete', 'namespace', 'kube-system']);
    expect(refused.stderr).toContain('forbidden');
  });

  it('reports an unclaimed PersistentVolume Available and lets an unused one be deleted', async () => {
    const pv = 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /tmp/pv1}\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: pv });
    await eventually('pv1 is Available', async () => (await kubectl.ok(['get', 'pv', 'pv1', '-o', 'jsonpath={.status.phase}'])) === 'Available');
    expect(await kubectl.ok(['delete', 'pv', 'pv1', '--timeout=20s'], { timeoutMs: 30_000 })).toBe('persistentvolume "pv1" deleted\n');
  });

  it('keeps a claim in use while a pod mounts it, and deletes it once the pod is gone', async () => {
    const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: pvc });
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  nodeName: node-1\n  containers: [{name: c, image: nginx}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: pod });
    await kubectl.ok(['delete', 'pvc', 'data', '--wait=false']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await kubectl.ok(['get', 'pvc', 'data', '--no-headers'])).toMatch(/^data\s+Terminating\s/);
    await kubectl.ok(['delete', 'pod', 'user', '--grace-period=0', '--force']);
    await kubectl.ok(['wait', '--for=delete', 'pvc/data', '--timeout=20s'], { timeoutMs: 30_000 });
  });

  it('force-deletes a running pod even when its kubelet removes it first', async () => {
    for (let i = 0; i < 5; i++) {
      await kubectl.ok(['run', `forced-${i}`, '--image=nginx', '--overrides={"spec":{"nodeName":"node-2"}}']);
      await eventually(`forced-${i} runs`, async () => (await kubectl.ok(['get', 'pod', `forced-${i}`, '-o', 'jsonpath={.status.phase}'])) === 'Running');
      const deleted = await kubectl.run(['delete', 'pod', `forced-${i}`, '--grace-period=0', '--force']);
      expect(deleted.stderr).not.toContain('NotFound');
      expect(deleted.stdout).toBe(`pod "forced-${i}" force deleted\n`);
    }
  });

  it('writes one watch event per WebSocket message', async () => {
    await kubectl.ok(['create', 'namespace', 'four']);
    for (const name of ['a', 'b', 'c', 'd']) await kubectl.ok(['create', 'configmap', name, '-n', 'four']);
    const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}/api/v1/namespaces/four/configmaps?watch=true`);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    await eventually('four initial events arrive', () => messages.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    ws.close();
    expect(messages).toHaveLength(4);
    expect(messages.map((m) => (JSON.parse(m) as { type: string; object: { metadata: { name: string } } }).object.metadata.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

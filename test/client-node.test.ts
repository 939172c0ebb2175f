import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as clientNode1 from '@kubernetes/client-node';
import * as clientNode2 from '@kubernetes/client-node-2';
import type { ObjectCache, V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startKubemu, type Kubemu } from '../cli/instance.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-client-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

// 1.x as most programs use it today; 2.x, generated from the 1.36 OpenAPI, needs Node ≥ 22 (the tests run on 24).
const clients = [
  ['1.x', clientNode1],
  ['2.x', clientNode2 as unknown as typeof clientNode1],
] as const;

describe.each(clients)('@kubernetes/client-node %s', (version, { CoreV1Api, KubeConfig, makeInformer }) => {
  it('makeInformer syncs, follows changes, and resumes across a kubemu restart without missing or repeating events', async () => {
    const port = await freePort();
    const options = { dataDir: join(dir, `data-${version}`), port, kubeconfig: join(dir, `kubeconfig-${version}`) };
    let kubemu: Kubemu = await startKubemu(options);
    const kc = new KubeConfig();
    kc.loadFromFile(options.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () => api.listNamespacedConfigMap({ namespace: 'default' }));
    const cache = informer as unknown as ObjectCache<V1ConfigMap>;
    const seen: string[] = [];
    let errors = 0;
    informer.on('add', (cm) => seen.push(`add ${cm.metadata?.name} ${JSON.stringify(cm.data ?? {})}`));
    informer.on('update', (cm) => seen.push(`update ${cm.metadata?.name} ${JSON.stringify(cm.data ?? {})}`));
    informer.on('delete', (cm) => seen.push(`delete ${cm.metadata?.name}`));
    informer.on('error', () => {
      errors++;
      setTimeout(() => void informer.start(), 500);
    });
    await informer.start();

    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' }, data: { v: '1' } } });
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'b' }, data: { v: '1' } } });
    await api.patchNamespacedConfigMap({ namespace: 'default', name: 'a', body: [{ op: 'replace', path: '/data/v', value: '2' }] });
    await until(() => seen.length === 3);
    expect(cache.list().map((cm) => cm.metadata?.name).sort()).toEqual(['a', 'b']);

    // Restart kubemu on the same port and data directory; change things before the informer reconnects.
    await kubemu.close();
    kubemu = await startKubemu(options);
    await api.replaceNamespacedConfigMap({ namespace: 'default', name: 'b', body: { metadata: { name: 'b' }, data: { v: '2' } } });
    await api.deleteNamespacedConfigMap({ namespace: 'default', name: 'a' });
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '1' } } });
    await until(() => seen.length >= 6);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(errors).toBeGreaterThan(0);
    expect(seen).toEqual(['add a {"v":"1"}', 'add b {"v":"1"}', 'update a {"v":"2"}', 'update b {"v":"2"}', 'delete a', 'add c {"v":"1"}']);
    expect(cache.list().map((cm) => cm.metadata?.name).sort()).toEqual(['b', 'c']);
    await informer.stop();
    await kubemu.close();
  }, 60_000);
});

/**
 * Concurrency over HTTP, as many clients at once would drive a real API server: optimistic concurrency
 * exact under RV-guarded updaters, exactly one winner among same-name creates, and two server-side apply
 * managers sharing an object without losing each other's fields. Counts are printed; RACE_SEED reproduces
 * the interleaving choices.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from './support/random.js';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';

const SEED = Number(process.env.RACE_SEED ?? 20261202);
const random = seeded(SEED);
const CM = '/api/v1/namespaces/default/configmaps';

let cluster: TestCluster;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  port = Number(new URL(cluster.url).port);
});
afterAll(async () => {
  agent.destroy();
  await cluster.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': contentType, ...(bytes && { 'content-length': bytes.length }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

function tally(codes: number[]): string {
  const counts = new Map<number, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([code, n]) => `${code}×${n}`).join(' ');
}

describe(`concurrent clients (seed ${SEED})`, () => {
  it('64 clients with 2,000 RV-guarded updates: every success counted once, every loss a 409', async () => {
    await call('POST', CM, configMap('counter', { n: '0' })).then((r) => expect(r.status).toBe(201));
    const codes: number[] = [];
    let remaining = 2000;
    const client = async () => {
      while (remaining > 0) {
        remaining--;
        const current = await call('GET', `${CM}/counter`);
        const data = current.body.data as { n: string };
        // Some clients pause between read and write, so reads go stale in every pattern.
        if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve));
        const next = { ...current.body, data: { n: String(Number(data.n) + 1) } };
        codes.push((await call('PUT', `${CM}/counter`, next)).status);
      }
    };
    await Promise.all(Array.from({ length: 64 }, client));
    const final = await call('GET', `${CM}/counter`);
    const successes = codes.filter((code) => code === 200).length;
    console.log(`RV-guarded updates: ${codes.length} PUTs: ${tally(codes)}; counter ${(final.body.data as { n: string }).n}`);
    expect(codes.every((code) => code === 200 || code === 409)).toBe(true);
    expect(Number((final.body.data as { n: string }).n)).toBe(successes);
    expect(Number((final.body.metadata as { resourceVersion: string }).resourceVersion)).toBeGreaterThan(0);
  });

  it('50 rounds of 20 same-name creates: exactly one winner each, the rest 409 AlreadyExists', async () => {
    const codes: number[] = [];
    for (let round = 0; round < 50; round++) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', CM, configMap(`same-${round}`, { writer: String(i) }))));
      const winners = answers.filter((a) => a.status === 201);
      expect(winners).toHaveLength(1);
      for (const loser of answers.filter((a) => a.status !== 201)) {
        expect(loser.status).toBe(409);
        expect(loser.body.reason).toBe('AlreadyExists');
      }
      const stored = await call('GET', `${CM}/same-${round}`);
      expect(stored.body.data).toEqual((winners[0] as Answer).body.data);
      codes.push(...answers.map((a) => a.status));
    }
    console.log(`same-name creates: ${tally(codes)}`);
  });

  it('two server-side apply managers, concurrently, keep their own fields; a shared field conflicts unless forced', async () => {
    const apply = (manager: string, data: Record<string, string>, force = false) =>
      call('PATCH', `${CM}/shared?fieldManager=${manager}${force ? '&force=true' : ''}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' }, data }, 'application/apply-patch+yaml');
    const codes: number[] = [];
    const rounds = 100;
    const managers = ['alpha', 'beta'].map(async (manager) => {
      for (let i = 0; i < rounds; i++) {
        const answer = await apply(manager, { [`${manager}-key`]: String(i), [`${manager}-extra-${i % 3}`]: 'x' });
        codes.push(answer.status);
        expect([200, 201]).toContain(answer.status);
      }
    });
    await Promise.all(managers);
    const final = await call('GET', `${CM}/shared`);
    const data = final.body.data as Record<string, string>;
    // Each manager's last apply stands; what it stopped applying is gone; nothing of the other was lost.
    expect(data).toEqual({ 'alpha-key': String(rounds - 1), 'alpha-extra-0': 'x', 'beta-key': String(rounds - 1), 'beta-extra-0': 'x' });
    const owners = (final.body.metadata as { managedFields: { manager: string; operation: string }[] }).managedFields.map((e) => `${e.manager}/${e.operation}`).sort();
    expect(owners).toEqual(['alpha/Apply', 'beta/Apply']);
    const conflict = await apply('beta', { 'alpha-key': 'taken' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toContain('conflict with "alpha"');
    expect((await apply('beta', { 'alpha-key': 'taken', 'beta-key': 'b' }, true)).status).toBe(200);
    console.log(`two apply managers: ${tally(codes)}, then 1 conflict and 1 forced apply`);
  });
});

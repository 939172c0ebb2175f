/**
 * Faults to the whole process: `kubemu serve` killed with SIGKILL while 16 clients write 15 kinds over HTTP
 * (every acknowledged object must be there after the restart), and a data directory whose LevelDB log was
 * truncated (refused with one line; started with --recover, saying what was lost). KILL_SEED reproduces
 * the kill moments.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServeProcess } from './support/process.js';
import { seeded } from './support/random.js';

const SEED = Number(process.env.KILL_SEED ?? 20261202);
const ROUNDS = 5;
const random = seeded(SEED);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function portOf(serve: ServeProcess): number {
  return Number(/http:\/\/[^:]+:(\d+)/.exec(serve.readyLine)?.[1]);
}

function call(port: number, agent: Agent, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve) => {
    const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json', ...(bytes && { 'content-length': bytes.length }) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(bytes);
  });
}

const labels = { app: 'load' };
const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
/** One object of each of 15 kinds, named n, as [collection path, body]. */
const KINDS: ReadonlyArray<(n: string) => [string, Record<string, unknown>]> = [
  (n) => ['/api/v1/namespaces/default/configmaps', { metadata: { name: n }, data: { k: n } }],
  (n) => ['/api/v1/namespaces/default/secrets', { metadata: { name: n }, stringData: { k: n } }],
  (n) => ['/api/v1/namespaces/default/services', { metadata: { name: n }, spec: { selector: labels, ports: [{ port: 80 }] } }],
  (n) => ['/api/v1/namespaces/default/serviceaccounts', { metadata: { name: n } }],
  (n) => ['/api/v1/namespaces/default/pods', { metadata: { name: n, labels }, spec: template.spec }],
  (n) => ['/api/v1/namespaces/default/persistentvolumeclaims', { metadata: { name: n }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  (n) => ['/api/v1/namespaces', { metadata: { name: n } }],
  (n) => ['/apis/apps/v1/namespaces/default/deployments', { metadata: { name: n }, spec: { replicas: 0, selector: { matchLabels: labels }, template } }],
  (n) => ['/apis/apps/v1/namespaces/default/statefulsets', { metadata: { name: n }, spec: { replicas: 0, serviceName: n, selector: { matchLabels: labels }, template } }],
  (n) => ['/apis/batch/v1/namespaces/default/cronjobs', { metadata: { name: n }, spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: { ...template.spec, restartPolicy: 'Never' } } } } } }],
  (n) => ['/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: n }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }],
  (n) => ['/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', { metadata: { name: n }, spec: { podSelector: { matchLabels: labels } } }],
  (n) => ['/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: n }, spec: { minAvailable: 1, selector: { matchLabels: labels } } }],
  (n) => ['/apis/coordination.k8s.io/v1/namespaces/default/leases', { metadata: { name: n }, spec: { holderIdentity: n } }],
  (n) => ['/apis/scheduling.k8s.io/v1/priorityclasses', { metadata: { name: n }, value: 1000 }],
];

describe(`kubemu serve under faults (seed ${SEED})`, () => {
  it(`loses no acknowledged object of 15 kinds across ${ROUNDS} SIGKILLs under load`, { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemu-faults-'));
    dirs.push(dir);
    const args = ['--port', '0', '--data-dir', join(dir, 'data'), '--kubeconfig', join(dir, 'kubeconfig'), '--nodes', '2', '--pod-lifecycle', 'fast'];
    const acknowledged: string[] = [];
    let attempts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const serve = await startServe(args);
      const port = portOf(serve);
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      // Everything acknowledged before this start is still there.
      const missing: string[] = [];
      for (const path of acknowledged) if ((await call(port, agent, 'GET', path)) !== 200) missing.push(path);
      expect(missing, `lost after kill ${round}`).toEqual([]);
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `r${round}-w${w}-${i}`;
          const [collection, body] = (KINDS[(w + i) % KINDS.length] as (n: string) => [string, Record<string, unknown>])(name);
          attempts++;
          const code = await call(port, agent, 'POST', collection, body);
          if (code === 201) acknowledged.push(`${collection}/${name}`);
          else if (code !== 0) throw new Error(`POST ${collection} ${name} answered ${code}`);
        }
      };
      const writers = Array.from({ length: 16 }, (_, w) => writer(w));
      await new Promise((resolve) => setTimeout(resolve, 300 + random.int(1200)));
      serve.child.kill('SIGKILL');
      await serve.exited;
      stop = true;
      await Promise.all(writers);
      agent.destroy();
    }
    const serve = await startServe(args);
    const port = portOf(serve);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    let present = 0;
    for (const path of acknowledged) if ((await call(port, agent, 'GET', path)) === 200) present++;
    serve.child.kill('SIGTERM');
    await serve.exited;
    agent.destroy();
    console.log(`SIGKILL under load: ${ROUNDS} kills, ${attempts} creates sent, ${acknowledged.length} acknowledged, ${present} present after restarts`);
    expect(acknowledged.length).toBeGreaterThan(ROUNDS * 30);
    expect(present).toBe(acknowledged.length);
  });

  it('refuses a data directory whose LevelDB log was truncated, in one line; --recover starts and says what was lost', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemu-faults-'));
    dirs.push(dir);
    const args = ['--port', '0', '--data-dir', join(dir, 'data'), '--kubeconfig', join(dir, 'kubeconfig'), '--nodes', '1'];
    const serve = await startServe(args);
    const port = portOf(serve);
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 300; i++) expect(await call(port, agent, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `cm-${i}` }, data: { v: 'x'.repeat(500) } })).toBe(201);
    agent.destroy();
    serve.child.kill('SIGTERM');
    await serve.exited;
    const data = join(dir, 'data');
    for (const log of readdirSync(data).filter((name) => name.endsWith('.log'))) truncateSync(join(data, log), Math.floor(statSync(join(data, log)).size / 2));

    const refused = await runCli(['serve', ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^kubemu: the data directory .* lost acknowledged writes: its database ends at revision \d+, but revisions \d+–\d+ were committed .*--recover/);

    const recovered = await startServe([...args, '--recover']);
    expect(recovered.stderr()).toMatch(/kubemu: recovered .*: revisions \d+–\d+ are lost; continuing at revision \d+/);
    recovered.child.kill('SIGTERM');
    expect((await recovered.exited).code).toBe(0);
  });
});

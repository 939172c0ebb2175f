import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { openLevelStore } from '../storage/leveldb.js';
import { findKubectl, Kubectl, kubectlAvailable, NEWEST, OLDEST } from './support/kubectl.js';
import { runCli, startServe } from './support/process.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function serverOf(kubeconfigPath: string): Promise<string> {
  const config = parse(await readFile(kubeconfigPath, 'utf8'));
  return config.clusters[0].cluster.server as string;
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('kubemu serve', () => {
  it('writes a kubeconfig with the real port, prints one ready line, answers health and version, exits 0 on SIGTERM', async () => {
    const dir = await tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', join(dir, 'data')]);
    const kubeconfig = join(dir, 'data', 'kubeconfig');
    expect(serve.readyLine).toContain(kubeconfig);
    expect(serve.readyLine).toContain(`kubectl --kubeconfig ${kubeconfig}`);
    const config = parse(await readFile(kubeconfig, 'utf8'));
    expect(config['current-context']).toBe('kubemu');
    const server = await serverOf(kubeconfig);
    expect(server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server).not.toMatch(/:6443$/);

    for (const path of ['/healthz', '/livez', '/readyz', '/readyz/ping', '/livez/ping']) {
      const res = await fetch(server + path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe('ok');
    }
    const verbose = await (await fetch(`${server}/readyz?verbose`)).text();
    expect(verbose).toContain('[+]etcd ok');
    expect(verbose).toContain('readyz check passed');
    const version = (await (await fetch(`${server}/version`)).json()) as Record<string, string>;
    expect(version.major).toBe('1');
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    const missing = await fetch(`${server}/no/such/path`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });

    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
    // The store was closed cleanly: the directory opens again at once.
    const store = await openLevelStore(join(dir, 'data'));
    await store.close();
  });

  it('exits 0 on SIGINT too', async () => {
    const dir = await tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dir]);
    serve.child.kill('SIGINT');
    expect((await serve.exited).code).toBe(0);
  });

  it('with --memory writes nothing but the kubeconfig; by default uses ./.kubemu', async () => {
    const cwd = await tempDir();
    const memory = await startServe(['--memory', '--port', '0', '--kubeconfig', join(cwd, 'kc.yaml')], cwd);
    expect(memory.readyLine).toContain('in memory');
    expect(await readdir(cwd)).toEqual(['kc.yaml']);
    memory.child.kill('SIGTERM');
    expect((await memory.exited).code).toBe(0);

    const defaults = await startServe(['--port', '0'], cwd);
    expect(existsSync(join(cwd, '.kubemu', 'kubeconfig'))).toBe(true);
    expect(existsSync(join(cwd, '.kubemu', 'CURRENT'))).toBe(true);
    defaults.child.kill('SIGTERM');
    expect((await defaults.exited).code).toBe(0);
  });

  it('warns when it listens beyond loopback, and says where; keeps its data directory to its owner', async () => {
    const dir = await tempDir();
    const exposed = await startServe(['--address', '0.0.0.0', '--port', '0', '--data-dir', join(dir, 'data')]);
    expect(exposed.stderr()).toMatch(/^kubemu: warning: listening on 0\.0\.0\.0 — reachable from other machines, with no authentication/);
    expect(exposed.readyLine).toMatch(/^kubemu ready at http:\/\/127\.0\.0\.1:\d+ \(LevelDB, listening on 0\.0\.0\.0:\d+\)/);
    exposed.child.kill('SIGTERM');
    expect((await exposed.exited).code).toBe(0);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    const local = await startServe(['--port', '0', '--memory', '--kubeconfig', join(dir, 'kc')]);
    expect(local.stderr()).not.toContain('warning');
    local.child.kill('SIGTERM');
    await local.exited;
  });

  it('rejects bad flags with a clear message and exit code 2, never a stack trace', async () => {
    for (const args of [['serve', '--port', 'abc'], ['serve', '--port', '70000'], ['serve', '--bogus'], ['frobnicate'], ['serve', '--nodes', '-1'], ['serve', '--data-dir', '']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^kubemu: .+\nRun 'kubemu help' for usage\.\n$/);
      noStackTrace(result.stderr);
    }
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--data-dir DIR');
  });

  it('--node-config: node pools from a YAML file, and a clear exit 2 for a bad one', async () => {
    const dir = await tempDir();
    const good = join(dir, 'nodes.yaml');
    await writeFile(good, 'nodePools:\n- namePrefix: cpu-\n  count: 2\n- namePrefix: gpu-\n  count: 1\n  labels: {accelerator: nvidia}\n  capacity: {nvidia.com/gpu: "4"}\n  taints: [{key: nvidia.com/gpu, effect: NoSchedule}]\npodLifecycle:\n  speed: fast\n');
    const serve = await startServe(['--memory', '--port', '0', '--kubeconfig', join(dir, 'kubeconfig'), '--node-config', good]);
    try {
      const server = await serverOf(join(dir, 'kubeconfig'));
      let names: string[] = [];
      for (let i = 0; i < 100 && names.length < 3; i++) {
        const list = (await (await fetch(`${server}/api/v1/nodes`)).json()) as { items: { metadata: { name: string } }[] };
        names = list.items.map((n) => n.metadata.name);
        if (names.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(names.sort()).toEqual(['cpu-1', 'cpu-2', 'gpu-1']);
      const gpu = (await (await fetch(`${server}/api/v1/nodes/gpu-1`)).json()) as { metadata: { labels: Record<string, string> }; status: { capacity: Record<string, string> } };
      expect(gpu.metadata.labels.accelerator).toBe('nvidia');
      expect(gpu.status.capacity['nvidia.com/gpu']).toBe('4');
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'nodePools:\n- count: many\n');
    for (const [file, message] of [
      [bad, `kubemu: --node-config ${bad}: nodePools[0].count must be a whole number from 0 to 100000\n`],
      [join(dir, 'missing.yaml'), `kubemu: cannot read --node-config ${join(dir, 'missing.yaml')}: no such file\n`],
    ] as const) {
      const result = await runCli(['serve', '--memory', '--port', '0', '--node-config', file]);
      expect(result.code).toBe(2);
      expect(result.stderr.startsWith(message)).toBe(true);
      noStackTrace(result.stderr);
    }
  });

  it('explains an occupied port or data directory in one line and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const busy = await runCli(['serve', '--memory', '--port', String(port), '--kubeconfig', join(await tempDir(), 'kc')]);
    blocker.close();
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`127.0.0.1:${port} is already in use`);
    noStackTrace(busy.stderr);

    const dir = await tempDir();
    const first = await startServe(['--port', '0', '--data-dir', dir]);
    const second = await runCli(['serve', '--port', '0', '--data-dir', dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('in use by another kubemu');
    noStackTrace(second.stderr);
    first.child.kill('SIGTERM');
    await first.exited;
  });
});

describe.runIf(kubectlAvailable())('kubectl against kubemu serve', () => {
  it.each([OLDEST, NEWEST])('kubectl %s reads the server version', async (minor) => {
    expect(findKubectl(minor)).toBeDefined();
    const dir = await tempDir();
    const serve = await startServe(['--memory', '--port', '0', '--kubeconfig', join(dir, 'kubeconfig')]);
    try {
      const kubectl = new Kubectl(minor, join(dir, 'kubeconfig'));
      const out = JSON.parse(await kubectl.ok(['version', '-o', 'json']));
      expect(out.clientVersion.minor).toBe(minor.split('.')[1]);
      expect(out.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});

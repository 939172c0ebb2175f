import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { serverUrl, writeKubeconfig } from './kubeconfig.js';

describe('kubeconfig', () => {
  it('names cluster, user and context kubemu and selects the context', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubemu-kc-'));
    const path = join(dir, 'nested', 'kubeconfig');
    await writeKubeconfig(path, { server: 'http://127.0.0.1:1234' });
    const config = parse(await readFile(path, 'utf8'));
    expect(config['current-context']).toBe('kubemu');
    expect(config.clusters).toEqual([{ name: 'kubemu', cluster: { server: 'http://127.0.0.1:1234', 'insecure-skip-tls-verify': true } }]);
    expect(config.users[0].name).toBe('kubemu');
    expect(config.contexts).toEqual([{ name: 'kubemu', context: { cluster: 'kubemu', user: 'kubemu' } }]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches wildcard listen addresses through loopback', () => {
    expect(serverUrl('0.0.0.0', 80)).toBe('http://127.0.0.1:80');
    expect(serverUrl('::', 80)).toBe('http://[::1]:80');
    expect(serverUrl('10.1.2.3', 6443)).toBe('http://10.1.2.3:6443');
  });
});

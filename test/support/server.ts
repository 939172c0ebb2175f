/**
 * @module test/support/server
 * Layer: tests. An in-process kubemu for a test file: in memory, on a free port, with its own kubeconfig,
 * plus kubectl and HTTP helpers bound to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startKubemu, type Kubemu, type KubemuOptions } from '../../cli/instance.js';
import { Kubectl } from './kubectl.js';

export interface TestCluster {
  kubemu: Kubemu;
  url: string;
  kubeconfig: string;
  dir: string;
  kubectl(minor: string): Kubectl;
  http(): request.Agent;
  close(): Promise<void>;
}

export async function startTestCluster(options: KubemuOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const kubemu = await startKubemu({ memory: true, port: 0, kubeconfig, podLifecycle: 'fast', ...options });
  const clients = new Map<string, Kubectl>();
  return {
    kubemu,
    url: kubemu.url,
    kubeconfig,
    dir,
    kubectl(minor) {
      let client = clients.get(minor);
      if (!client) {
        client = new Kubectl(minor, kubeconfig);
        clients.set(minor, client);
      }
      return client;
    },
    http: () => request.agent(kubemu.url),
    async close() {
      await kubemu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A ConfigMap body. */
export function configMap(name: string, data: Record<string, string> = { k: 'v' }, labels?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels && { labels }) }, data };
}

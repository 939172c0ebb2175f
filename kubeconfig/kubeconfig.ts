/**
 * @module kubeconfig/kubeconfig
 * Layer: kubeconfig (depends only on yaml). Builds and writes the kubeconfig that points kubectl and
 * client libraries at a running kubemu: cluster, user and context all named `kubemu`, current-context set.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const KUBECONFIG_NAME = 'kubemu';

export interface KubeconfigOptions {
  /** the API server URL, e.g. http://127.0.0.1:6443 */
  server: string;
  /** cluster, user and context name (default `kubemu`) */
  name?: string;
  /** the context's default namespace */
  namespace?: string;
}

export function buildKubeconfig({ server, name = KUBECONFIG_NAME, namespace }: KubeconfigOptions): Record<string, unknown> {
  const context: Record<string, string> = { cluster: name, user: name };
  if (namespace) context.namespace = namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    // Plain HTTP: some clients (@kubernetes/client-node) accept it only with TLS verification declared off.
    clusters: [{ name, cluster: { server, ...(server.startsWith('http:') && { 'insecure-skip-tls-verify': true }) } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context }],
    'current-context': name,
  };
}

/** Write atomically (temp file + rename), readable by the owner only, as kubectl expects of credentials files. */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, stringify(buildKubeconfig(options)), { mode: 0o600 });
  await rename(temp, path);
}

/** The URL clients should use for a listen address: wildcard addresses are reached through loopback. */
export function serverUrl(address: string, port: number): string {
  const host = address === '0.0.0.0' || address === '' ? '127.0.0.1' : address === '::' ? '::1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

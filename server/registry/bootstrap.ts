/**
 * @module server/registry/bootstrap
 * Layer: registry. The objects a fresh cluster has before anyone writes: the four system namespaces with
 * their default ServiceAccounts, the `kubernetes` Service and its Endpoints, and the two system
 * PriorityClasses. Idempotent: on a restart existing objects are kept. Afterwards the system namespaces are
 * ensured periodically, as kube-apiserver's system-namespaces controller does (a deleted `kube-node-lease`
 * comes back within a minute).
 */
import type { KubeObject } from '../api/object.js';
import { isApiError } from '../api/status.js';
import { KUBERNETES_SERVICE_IP } from './admission/service-allocation.js';
import type { Registry } from './registry.js';
import { SYSTEM_PRIORITY_CLASSES } from './resources/scheduling.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** where clients reach the API server (the `kubernetes` endpoints) */
  address: string;
  port: number;
}

async function ensure(registry: Registry, group: string, plural: string, namespace: string | undefined, object: KubeObject): Promise<void> {
  const resource = registry.resource(group, plural);
  if (registry.get(resource, namespace, object.metadata.name as string)) return;
  try {
    await registry.create(resource, namespace, object, { fieldValidation: 'Strict' });
  } catch (err) {
    if (!(isApiError(err) && err.code === 409)) throw err;
  }
}

/** Upstream's system-namespaces controller interval. */
export const SYSTEM_NAMESPACES_INTERVAL_MS = 60_000;

/** Re-create missing system namespaces every interval; returns the function that stops it. */
export function keepSystemNamespaces(registry: Registry, intervalMs = SYSTEM_NAMESPACES_INTERVAL_MS): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      for (const name of SYSTEM_NAMESPACES) {
        await ensure(registry, '', 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch((error: unknown) => {
          process.stderr.write(`kubemu: unable to create required system namespace ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
        });
      }
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

export async function bootstrap(registry: Registry, options: BootstrapOptions): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) await ensure(registry, '', 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const namespace of SYSTEM_NAMESPACES) {
    await ensure(registry, '', 'serviceaccounts', namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
  }
  for (const [name, { value, description }] of Object.entries(SYSTEM_PRIORITY_CLASSES)) {
    await ensure(registry, 'scheduling.k8s.io', 'priorityclasses', undefined, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
      globalDefault: false,
      description,
    });
  }
  await ensure(registry, '', 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.port }], type: 'ClusterIP' },
  });
  const endpoints = { subsets: [{ addresses: [{ ip: options.address }], ports: [{ name: 'https', port: options.port, protocol: 'TCP' }] }] };
  const resource = registry.resource('', 'endpoints');
  const current = registry.get(resource, 'default', 'kubernetes');
  if (!current) {
    await ensure(registry, '', 'endpoints', 'default', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      ...endpoints,
    });
  } else {
    // The port changes from run to run (--port 0): keep the endpoints true.
    await registry.patch(resource, 'default', 'kubernetes', 'merge', endpoints, {});
  }
}

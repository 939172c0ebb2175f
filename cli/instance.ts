/**
 * @module cli/instance
 * Layer: composition root. Starts one kubemu — store, API server, (later) controllers and fake kubelets —
 * and stops it in the right order. `kubemu serve` runs it; tests and other programs import it as a
 * fixture (`startKubemu({ memory: true, port: 0 })`).
 */
import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { serverUrl, writeKubeconfig } from '../kubeconfig/kubeconfig.js';
import { createApp } from '../server/http/app.js';
import { browserGuard } from '../server/http/browser-guard.js';
import { defaultInFlightLimits } from '../server/http/max-in-flight.js';
import { listen, type RunningServer } from '../server/http/listen.js';
import { podLogHandler } from '../server/http/pod-logs.js';
import { WatchServer } from '../server/http/watch.js';
import { attachWebSocketWatch } from '../server/http/websocket-watch.js';
import { defaultAdmission } from '../server/registry/admission/index.js';
import { bootstrap, keepSystemNamespaces } from '../server/registry/bootstrap.js';
import { Catalogue } from '../server/registry/catalogue.js';
import { Registry } from '../server/registry/registry.js';
import { RESOURCES } from '../server/registry/resources/index.js';
import { openLevelStore } from '../storage/leveldb.js';
import { defaultControllers } from '../controllers/index.js';
import { kubeletConfig } from '../controllers/kubelet/config.js';
import { ControllerManager } from '../controllers/manager.js';
import { InProcessClient } from '../server/registry/in-process-client.js';
import { openMemoryStore } from '../storage/memory.js';
import type { VersionedStore } from '../storage/store.js';

export interface KubemuOptions {
  /** LevelDB data directory (default ./.kubemu); ignored with `memory` */
  dataDir?: string;
  /** keep everything in memory: nothing touches disk */
  memory?: boolean;
  /** listen address (default 127.0.0.1) */
  address?: string;
  /** listen port (default 6443; 0 picks a free port) */
  port?: number;
  /** where to write the kubeconfig (default DATA_DIR/kubeconfig); false writes none */
  kubeconfig?: string | false;
  /** fake nodes to register (default 3) */
  nodes?: number;
  /** revisions kept for watch resumption and continue tokens (default 10,000) */
  historyWindow?: number;
  /** fsync each group commit (default true) */
  sync?: boolean;
  /** how often watches that allow bookmarks get one (default 60 s, as upstream) */
  bookmarkIntervalMs?: number;
  /** run the controllers (garbage collector, namespace, service accounts, event TTL…); default true */
  controllers?: boolean;
  /** how long events live after their last write (default 3600) */
  eventTtlSeconds?: number;
  /** node pools and pod lifecycle, as parsed from --node-config (YAML) */
  nodeConfig?: unknown;
  /** pod lifecycle timings: realistic (default) or fast (for tests) */
  podLifecycle?: 'realistic' | 'fast';
  /** how long a deleted namespace waits before the namespace controller empties it (default 5 000 ms, as upstream) */
  namespaceDeletionDelayMs?: number;
  /** how long a silent kubelet's node stays Ready before it turns Unknown (default 40 000 ms) */
  nodeMonitorGracePeriodMs?: number;
  /** concurrent read-only requests served before 429 (default 100 per core, at most 400; 0: no limit) */
  maxRequestsInflight?: number;
  /** concurrent mutating requests served before 429 (default 50 per core, at most 200; 0: no limit) */
  maxMutatingRequestsInflight?: number;
  /** start even though the data directory's log lost records (what was lost is reported); default false */
  recover?: boolean;
  /** how often missing system namespaces are re-created (default 60 000 ms, as kube-apiserver) */
  systemNamespacesIntervalMs?: number;
  /** how long PodGC leaves a pod bound to a node that no longer exists (default 40 000 ms, as upstream) */
  podGcQuarantineMs?: number;
}

export interface Kubemu {
  /** the API server URL clients use */
  readonly url: string;
  readonly port: number;
  /** the kubeconfig written, if any */
  readonly kubeconfigPath: string | undefined;
  readonly store: VersionedStore;
  /** the write pipeline every client (HTTP or in-process) goes through */
  readonly registry: Registry;
  /** stop accepting, finish in-flight requests and writes, close the store */
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.kubemu';

export async function startKubemu(options: KubemuOptions = {}): Promise<Kubemu> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  // A bad node configuration is reported before anything starts.
  const kubelet = kubeletConfig({ nodes: options.nodes ?? 3, ...(options.podLifecycle && { speed: options.podLifecycle }), file: options.nodeConfig });
  const address = options.address ?? '127.0.0.1';
  const storeOptions = { ...(options.historyWindow !== undefined && { historyWindow: options.historyWindow }) };
  const store = options.memory
    ? await openMemoryStore(storeOptions)
    : await openLevelStore(dataDir, {
        ...storeOptions,
        sync: options.sync ?? true,
        recover: options.recover ?? false,
        onNotice: (message) => process.stderr.write(`kubemu: ${message}\n`),
      });

  const registry = new Registry(store, new Catalogue(RESOURCES), { admission: defaultAdmission() });
  const shutdown = new AbortController();
  // Every open watch listens for shutdown: lift the default listener cap.
  setMaxListeners(0, shutdown.signal);
  let stopping = false;
  const watches = new WatchServer(registry, shutdown.signal, options.bookmarkIntervalMs ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {});
  const guard = browserGuard(address);
  const app = createApp({
    registry,
    watches,
    guard,
    inFlight: {
      readOnly: options.maxRequestsInflight ?? defaultInFlightLimits().readOnly,
      mutating: options.maxMutatingRequestsInflight ?? defaultInFlightLimits().mutating,
    },
    ...(options.controllers !== false && { subresources: { 'pods/log': podLogHandler(shutdown.signal) } }),
    health: {
      livez: [{ name: 'ping', check: () => undefined }],
      readyz: [
        { name: 'ping', check: () => undefined },
        { name: 'etcd', check: () => (store.writable ? undefined : 'storage is not accepting writes') },
        { name: 'shutdown', check: () => (stopping ? 'shutting down' : undefined) },
      ],
    },
  });

  let server: RunningServer;
  try {
    server = await listen(app, { address, port: options.port ?? 6443 }, shutdown);
  } catch (err) {
    await store.close();
    throw describeListenError(err, address, options.port ?? 6443);
  }

  attachWebSocketWatch(server.server, registry, watches, guard);
  const url = serverUrl(address, server.port);
  try {
    await bootstrap(registry, { address: address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address, port: server.port });
  } catch (err) {
    await server.close();
    await store.close();
    throw err;
  }
  const stopSystemNamespaces = keepSystemNamespaces(registry, options.systemNamespacesIntervalMs);
  const controllers =
    options.controllers === false
      ? undefined
      : new ControllerManager(
          new InProcessClient(registry, 'kube-controller-manager'),
          defaultControllers({
            kubelet,
            ...(options.eventTtlSeconds !== undefined && { eventTtlSeconds: options.eventTtlSeconds }),
            ...(options.nodeMonitorGracePeriodMs !== undefined && { nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs }),
            ...(options.namespaceDeletionDelayMs !== undefined && { namespaceDeletionDelayMs: options.namespaceDeletionDelayMs }),
            ...(options.podGcQuarantineMs !== undefined && { podGcQuarantineMs: options.podGcQuarantineMs }),
          }),
        );
  await controllers?.start();
  const kubeconfigPath = options.kubeconfig === false ? undefined : resolve(options.kubeconfig ?? `${dataDir}/kubeconfig`);
  if (kubeconfigPath) await writeKubeconfig(kubeconfigPath, { server: url });

  let closing: Promise<void> | undefined;
  return {
    url,
    port: server.port,
    kubeconfigPath,
    store,
    registry,
    close() {
      closing ??= (async () => {
        stopping = true;
        await stopSystemNamespaces();
        await controllers?.stop();
        await server.close();
        await store.close();
      })();
      return closing;
    },
  };
}

function describeListenError(err: unknown, address: string, port: number): Error {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return new Error(`${address}:${port} is already in use (try --port 0 for a free port)`);
  if (code === 'EADDRNOTAVAIL') return new Error(`cannot listen on ${address}: no such local address`);
  if (code === 'EACCES') return new Error(`not permitted to listen on ${address}:${port}`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * @module cli/args
 * Layer: cli. Parses the command line into a command and KubemuOptions. The flags of `kubemu serve` are a
 * contract other tooling relies on: keep their names and meaning stable.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../server/api/duration.js';
import type { KubemuOptions } from './instance.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ServeOptions = KubemuOptions & { nodeConfigFile?: string };

export type Command = { name: 'serve'; options: ServeOptions } | { name: 'help' } | { name: 'version' };

export const USAGE = `Usage: kubemu <command> [flags]

Commands:
  serve        start the API server (the default command)
  version      print the kubemu and Kubernetes versions
  help         print this help

Flags of serve:
  --data-dir DIR        LevelDB data directory (default ./.kubemu)
  --memory              keep everything in memory; nothing is written to disk
  --address ADDR        listen address (default 127.0.0.1)
  --port N              listen port (default 6443; 0 picks a free port)
  --kubeconfig PATH     where to write the kubeconfig (default DATA_DIR/kubeconfig)
  --nodes N             fake nodes to register (default 3)
  --history-window N    revisions kept for watch resumption and continue tokens (default 10000)
  --event-ttl DURATION  how long events are kept after their last write (default 1h)
  --node-config FILE    node pools and pod lifecycle (YAML; see the README)
  --pod-lifecycle SPEED realistic (default: seconds, as a real cluster) or fast (for tests)
  --namespace-deletion-delay DURATION
                        how long a deleted namespace waits before it is emptied (default 5s, as upstream)
  --node-monitor-grace-period DURATION
                        how long a silent kubelet's node stays Ready (default 40s)
  --max-requests-inflight N
                        read-only requests served at once before 429 (default 100 per core, at most 400; 0: no limit)
  --max-mutating-requests-inflight N
                        mutating requests served at once before 429 (default 50 per core, at most 200; 0: no limit)
  --recover             start from a data directory whose log lost records, saying what was lost
`;

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${flag} must not be empty`);
  return value;
}

export function parseCommandLine(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        memory: { type: 'boolean' },
        address: { type: 'string' },
        port: { type: 'string' },
        kubeconfig: { type: 'string' },
        nodes: { type: 'string' },
        'history-window': { type: 'string' },
        'event-ttl': { type: 'string' },
        'node-config': { type: 'string' },
        'pod-lifecycle': { type: 'string' },
        'node-monitor-grace-period': { type: 'string' },
        'namespace-deletion-delay': { type: 'string' },
        'max-requests-inflight': { type: 'string' },
        'max-mutating-requests-inflight': { type: 'string' },
        recover: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    // node:util's messages span lines and suggest `--` for positionals; keep the one-line gist.
    const message = (err as Error).message.replace(/\s*To specify a positional argument.*$/s, '').replace(/\s*\n\s*/g, ' ');
    throw new UsageError(message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  if (values.version) return { name: 'version' };
  const [command = 'serve', ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (command === 'help') return { name: 'help' };
  if (command === 'version') return { name: 'version' };
  if (command !== 'serve') throw new UsageError(`unknown command "${command}"`);

  const options: ServeOptions = {};
  const dataDir = nonEmpty('data-dir', values['data-dir']);
  if (dataDir !== undefined) options.dataDir = dataDir;
  if (values.memory) options.memory = true;
  const address = nonEmpty('address', values.address);
  if (address !== undefined) options.address = address;
  const port = integer('port', values.port, 0, 65535);
  if (port !== undefined) options.port = port;
  const kubeconfig = nonEmpty('kubeconfig', values.kubeconfig);
  if (kubeconfig !== undefined) options.kubeconfig = kubeconfig;
  const nodes = integer('nodes', values.nodes, 0, 100_000);
  if (nodes !== undefined) options.nodes = nodes;
  const historyWindow = integer('history-window', values['history-window'], 1, 10_000_000);
  if (historyWindow !== undefined) options.historyWindow = historyWindow;
  const eventTtl = values['event-ttl'];
  if (eventTtl !== undefined) {
    const ms = parseDuration(eventTtl);
    if (ms === undefined || ms < 1000) throw new UsageError(`--event-ttl must be a duration of at least 1s such as 1h or 30m, got "${eventTtl}"`);
    options.eventTtlSeconds = ms / 1000;
  }
  const nodeConfig = nonEmpty('node-config', values['node-config']);
  if (nodeConfig !== undefined) options.nodeConfigFile = nodeConfig;
  const speed = values['pod-lifecycle'];
  if (speed !== undefined) {
    if (speed !== 'realistic' && speed !== 'fast') throw new UsageError(`--pod-lifecycle must be "realistic" or "fast", got "${speed}"`);
    options.podLifecycle = speed;
  }
  const grace = values['node-monitor-grace-period'];
  if (grace !== undefined) {
    const ms = parseDuration(grace);
    if (ms === undefined || ms < 1000) throw new UsageError(`--node-monitor-grace-period must be a duration of at least 1s such as 40s, got "${grace}"`);
    options.nodeMonitorGracePeriodMs = ms;
  }
  const namespaceDelay = values['namespace-deletion-delay'];
  if (namespaceDelay !== undefined) {
    const ms = parseDuration(namespaceDelay);
    if (ms === undefined) throw new UsageError(`--namespace-deletion-delay must be a duration such as 5s or 0s, got "${namespaceDelay}"`);
    options.namespaceDeletionDelayMs = ms;
  }
  const readOnly = integer('max-requests-inflight', values['max-requests-inflight'], 0, 1_000_000);
  if (readOnly !== undefined) options.maxRequestsInflight = readOnly;
  const mutating = integer('max-mutating-requests-inflight', values['max-mutating-requests-inflight'], 0, 1_000_000);
  if (mutating !== undefined) options.maxMutatingRequestsInflight = mutating;
  if (values.recover) options.recover = true;
  return { name: 'serve', options };
}

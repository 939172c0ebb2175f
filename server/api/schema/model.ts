/**
 * @module server/api/schema/model
 * Layer: api. The schema model of every built-in type, loaded once (lazily) from the `kubernetes-types`
 * package's declaration files: definitions by OpenAPI name, the definition of each group/version/kind, and
 * field documentation for printer column descriptions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { readDeclarations, type TypeDef } from './declarations.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export function gvkKey({ group, version, kind }: GroupVersionKind): string {
  return `${group}/${version}/${kind}`;
}

/** `apps/v1` → {group: apps, version: v1}; `v1` → {group: '', version: v1}. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export class SchemaModel {
  private readonly byGvk = new Map<string, TypeDef>();

  constructor(readonly definitions: ReadonlyMap<string, TypeDef>) {
    for (const def of definitions.values()) {
      const gvk = gvkOf(def);
      // Prefer the first definition seen for a GVK (the object, not its List).
      if (gvk && !this.byGvk.has(gvkKey(gvk))) this.byGvk.set(gvkKey(gvk), def);
    }
  }

  get(name: string): TypeDef | undefined {
    return this.definitions.get(name);
  }

  forKind(gvk: GroupVersionKind): TypeDef | undefined {
    return this.byGvk.get(gvkKey(gvk));
  }

  /** The documentation of one field of a definition (`''` when unknown), e.g. doc('io.k8s.api.core.v1.PodStatus', 'podIP'). */
  doc(definition: string, fieldName: string): string {
    return this.definitions.get(definition)?.properties?.[fieldName]?.description ?? '';
  }
}

/** The GVK an object definition declares through literal `apiVersion` and `kind` fields. */
export function gvkOf(def: TypeDef): GroupVersionKind | undefined {
  const apiVersion = def.properties?.apiVersion?.type;
  const kind = def.properties?.kind?.type;
  if (apiVersion?.kind !== 'literal' || kind?.kind !== 'literal') return undefined;
  return { ...parseApiVersion(apiVersion.value), kind: kind.value };
}

function typesDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('kubernetes-types/package.json'));
}

function* declarationFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarationFiles(path);
    else if (entry.name.endsWith('.d.ts')) yield path;
  }
}

let loaded: SchemaModel | undefined;

/** The schema model, read from kubernetes-types on first use (≈ tens of milliseconds) and kept. */
export function schemaModel(): SchemaModel {
  if (!loaded) {
    const root = typesDirectory();
    const definitions = new Map<string, TypeDef>();
    for (const file of declarationFiles(root)) {
      const modulePath = relative(root, file).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
      for (const def of readDeclarations(modulePath, readFileSync(file, 'utf8'))) definitions.set(def.name, def);
    }
    loaded = new SchemaModel(definitions);
  }
  return loaded;
}

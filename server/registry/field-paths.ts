/**
 * @module server/registry/field-paths
 * Layer: registry. Field paths as server-side apply sees an object (sigs.k8s.io/structured-merge-diff
 * semantics, simplified to what kubemu needs): every owned leaf of an object, keyed as in managedFields'
 * FieldsV1 — `f:<field>`, `k:{<list-map keys>}`, `v:<set value>`, `.` for a list item or map itself — plus
 * reading, writing and removing the value at a path, and FieldsV1 conversion.
 */
import { isPlainObject } from '../api/object.js';
import type { TypeRef } from '../api/schema/declarations.js';
import { fieldSemantics, type FieldSemantics } from '../api/schema/list-semantics.js';
import { schemaModel } from '../api/schema/model.js';

/** Path elements joined by this separator form a path key. */
export const SEP = '\u0001';

/** Structs upstream marks atomic: owned and replaced as a whole. */
const ATOMIC_STRUCTS = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
]);

export type Json = unknown;

function resolve(type: TypeRef | undefined): TypeRef | undefined {
  let current = type;
  for (let i = 0; i < 8 && current?.kind === 'ref'; i++) {
    const def = schemaModel().get(current.name);
    if (def?.alias) current = def.alias;
    else return current;
  }
  return current;
}

/** The JSON key upstream uses for a list-map item: its key fields, sorted. */
export function itemKey(item: Json, keys: readonly string[]): string {
  const record = isPlainObject(item) ? item : {};
  const picked: Record<string, Json> = {};
  for (const key of [...keys].sort()) if (record[key] !== undefined) picked[key] = record[key];
  return `k:${JSON.stringify(picked)}`;
}

export interface Shape {
  /** the structural type of the value at this position, or undefined when unknown */
  type: TypeRef | undefined;
  /** list semantics when the value is a list field */
  semantics: FieldSemantics | undefined;
}

/** The shape of a struct's field, or of a map's values. */
export function childShape(parent: TypeRef | undefined, field: string): Shape {
  const resolved = resolve(parent);
  if (resolved?.kind === 'ref') {
    const def = schemaModel().get(resolved.name);
    return { type: def?.properties?.[field]?.type, semantics: fieldSemantics(resolved.name, field) };
  }
  if (resolved?.kind === 'map') return { type: resolved.values, semantics: undefined };
  return { type: undefined, semantics: undefined };
}

function itemShape(type: TypeRef | undefined): TypeRef | undefined {
  const resolved = resolve(type);
  return resolved?.kind === 'array' ? resolved.items : undefined;
}

function isAtomicStruct(type: TypeRef | undefined): boolean {
  const resolved = resolve(type);
  return resolved?.kind === 'ref' && ATOMIC_STRUCTS.has(resolved.name);
}

/** Collect the leaf paths of `value` (its owned fields) into `out`. */
export function collectPaths(value: Json, shape: Shape, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    const { semantics } = shape;
    if (semantics?.listType === 'map' && semantics.listMapKeys) {
      const items = itemShape(shape.type);
      for (const item of value) {
        const key = `${prefix}${SEP}${itemKey(item, semantics.listMapKeys)}`;
        out.add(`${key}${SEP}.`);
        if (isPlainObject(item)) for (const [name, child] of Object.entries(item)) collectPaths(child, childShape(items, name), `${key}${SEP}f:${name}`, out);
      }
      return;
    }
    if (semantics?.listType === 'set') {
      for (const item of value) out.add(`${prefix}${SEP}v:${JSON.stringify(item)}`);
      return;
    }
    out.add(prefix);
    return;
  }
  if (isPlainObject(value) && !isAtomicStruct(shape.type)) {
    const entries = Object.entries(value);
    if (entries.length === 0) {
      out.add(prefix);
      return;
    }
    if (resolve(shape.type)?.kind === 'map') out.add(`${prefix}${SEP}.`);
    for (const [name, child] of entries) collectPaths(child, childShape(shape.type, name), `${prefix}${SEP}f:${name}`, out);
    return;
  }
  out.add(prefix);
}

/** Navigate one path element: the child value, or undefined. */
function step(value: Json, element: string): Json {
  if (element.startsWith('f:')) return isPlainObject(value) ? value[element.slice(2)] : undefined;
  if (element.startsWith('k:')) {
    if (!Array.isArray(value)) return undefined;
    const wanted = JSON.parse(element.slice(2)) as Record<string, Json>;
    return value.find((item) => isPlainObject(item) && Object.entries(wanted).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v)));
  }
  if (element.startsWith('v:')) {
    if (!Array.isArray(value)) return undefined;
    const wanted = element.slice(2);
    return value.find((item) => JSON.stringify(item) === wanted);
  }
  return value;
}

/** The value at a path (undefined when absent). A path's first element is relative to the object root. */
export function valueAt(root: Json, path: string): Json {
  let current = root;
  for (const element of path.split(SEP).slice(1)) {
    current = step(current, element);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Remove the value at a path from `root` (in place); a `.` path removes the list item or map itself. */
export function removeAt(root: Json, path: string): void {
  const elements = path.split(SEP).slice(1);
  if (elements[elements.length - 1] === '.') elements.pop();
  let parent = root;
  for (const element of elements.slice(0, -1)) {
    parent = step(parent, element);
    if (parent === undefined) return;
  }
  const last = elements[elements.length - 1];
  if (last === undefined) return;
  if (last.startsWith('f:') && isPlainObject(parent)) {
    delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const target = step(parent, last);
    const index = parent.indexOf(target);
    if (index >= 0) parent.splice(index, 1);
  }
}

/** Human form of a path for conflict messages: `.spec.containers[name="c"].image`. */
export function describePath(path: string): string {
  return path
    .split(SEP)
    .slice(1)
    .filter((element) => element !== '.')
    .map((element) => {
      if (element.startsWith('f:')) return `.${element.slice(2)}`;
      if (element.startsWith('k:')) {
        const keys = JSON.parse(element.slice(2)) as Record<string, Json>;
        return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[=${element.slice(2)}]`;
    })
    .join('');
}

/** A set of paths as FieldsV1 (`{"f:spec":{"f:replicas":{}}}`). */
export function toFieldsV1(paths: Iterable<string>): Record<string, Json> {
  const root: Record<string, Json> = {};
  for (const path of paths) {
    let node = root;
    for (const element of path.split(SEP).slice(1)) {
      node[element] ??= {};
      node = node[element] as Record<string, Json>;
    }
  }
  return root;
}

/** FieldsV1 back to its set of leaf paths. */
export function fromFieldsV1(fields: Json, prefix = '', out = new Set<string>()): Set<string> {
  if (!isPlainObject(fields)) return out;
  const entries = Object.entries(fields);
  if (entries.length === 0 && prefix) out.add(prefix);
  for (const [element, child] of entries) fromFieldsV1(child, `${prefix}${SEP}${element}`, out);
  return out;
}

/**
 * @module server/registry/field-paths
 * Layer: registry. Field paths as server-side apply sees an object (sigs.k8s.io/structured-merge-diff
 * semantics, simplified to what kubemu needs): every owned leaf of an object, keyed as in managedFields'
 * FieldsV1 — `f:<field>`, `k:{<list-map keys>}`, `v:<set value>`, `.` for a list item or map itself — plus
 * reading, writing and removing the value at a path, and FieldsV1 conversion.
 */
import { deepEqual as deepEqualJson } from '../api/equality.js';
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
/**
 * Defaults of list-map key fields (`+default` in k8s.io/api: the `protocol` of container, service and endpoint
 * ports). An item that leaves a key out is keyed by its default, as structured-merge-diff keys it — so an
 * apply that omits `protocol` names the same item as the stored, defaulted one.
 */
const KEY_DEFAULTS: Readonly<Record<string, Json>> = { protocol: 'TCP' };

export function itemKey(item: Json, keys: readonly string[]): string {
  const record = isPlainObject(item) ? item : {};
  const picked: Record<string, Json> = {};
  for (const key of [...keys].sort()) {
    const value = record[key] ?? KEY_DEFAULTS[key];
    if (value !== undefined) picked[key] = value;
  }
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

/**
 * The paths an update changes and removes, found by walking the old and new values side by side and
 * descending only where they differ: `changed` gets every path of `next` that is new or holds a different
 * value, `removed` every path of `old` that `next` no longer has — what comparing the two full path sets
 * would give, without building them.
 */
export function diffPaths(old: Json, next: Json, shape: Shape, prefix: string, changed: Set<string>, removed: Set<string>): void {
  if (old === next || deepEqualJson(old, next)) return;
  if (old === undefined) return collectPaths(next, shape, prefix, changed);
  if (next === undefined) return collectPaths(old, shape, prefix, removed);
  const { semantics } = shape;
  const keys = semantics?.listType === 'map' ? semantics.listMapKeys : undefined;
  if (Array.isArray(old) && Array.isArray(next) && keys && uniqueKeys(old, keys) && uniqueKeys(next, keys)) {
    const items = itemShape(shape.type);
    const before = new Map<string, Json>(old.map((item) => [itemKey(item, keys), item]));
    const seen = new Set<string>();
    for (const item of next) {
      const key = itemKey(item, keys);
      seen.add(key);
      const path = `${prefix}${SEP}${key}`;
      const previous = before.get(key);
      if (previous === undefined) changed.add(`${path}${SEP}.`);
      diffFields(previous, item, items, path, changed, removed);
    }
    for (const [key, item] of before) {
      if (seen.has(key)) continue;
      const path = `${prefix}${SEP}${key}`;
      removed.add(`${path}${SEP}.`);
      diffFields(item, undefined, items, path, changed, removed);
    }
    return;
  }
  if (Array.isArray(old) && Array.isArray(next) && semantics?.listType === 'set') {
    const before = new Set(old.map((item) => JSON.stringify(item)));
    const after = new Set(next.map((item) => JSON.stringify(item)));
    for (const value of after) if (!before.has(value)) changed.add(`${prefix}${SEP}v:${value}`);
    for (const value of before) if (!after.has(value)) removed.add(`${prefix}${SEP}v:${value}`);
    return;
  }
  const structured = !isAtomicStruct(shape.type);
  if (structured && isPlainObject(old) && isPlainObject(next) && Object.keys(old).length > 0 && Object.keys(next).length > 0) {
    // Both are non-empty objects: the map's own `.` path is in both; only the fields can differ.
    diffFields(old, next, shape.type, prefix, changed, removed);
    return;
  }
  // Different shapes, an emptied or filled object, an atomic value, or a list with repeated keys: compare
  // the two path sets of this subtree, and the values of the paths both have.
  const before = new Set<string>();
  const after = new Set<string>();
  collectPaths(old, shape, prefix, before);
  collectPaths(next, shape, prefix, after);
  for (const path of after) {
    if (!before.has(path)) changed.add(path);
    else if (!path.endsWith(`${SEP}.`)) {
      const relative = path.slice(prefix.length);
      if (!deepEqualJson(valueAt(old, relative), valueAt(next, relative))) changed.add(path);
    }
  }
  for (const path of before) if (!after.has(path)) removed.add(path);
}

function uniqueKeys(items: readonly Json[], keys: readonly string[]): boolean {
  return new Set(items.map((item) => itemKey(item, keys))).size === items.length;
}

/** diffPaths over the fields of two objects (either may be absent). */
function diffFields(old: Json, next: Json, type: TypeRef | undefined, prefix: string, changed: Set<string>, removed: Set<string>): void {
  const before = isPlainObject(old) ? old : {};
  const after = isPlainObject(next) ? next : {};
  for (const name of Object.keys(after)) diffPaths(before[name], after[name], childShape(type, name), `${prefix}${SEP}f:${name}`, changed, removed);
  for (const name of Object.keys(before)) if (!(name in after)) collectPaths(before[name], childShape(type, name), `${prefix}${SEP}f:${name}`, removed);
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
    // Paths start with the separator; each element runs to the next one.
    for (let start = 1; start <= path.length; ) {
      let end = path.indexOf(SEP, start);
      if (end < 0) end = path.length;
      const element = path.slice(start, end);
      node = (node[element] ??= {}) as Record<string, Json>;
      start = end + 1;
    }
  }
  return sortedFields(root);
}

/** FieldsV1 with every level's keys in order, as upstream serialises it (no key is integer-like). */
function sortedFields(node: Record<string, Json>): Record<string, Json> {
  const keys = Object.keys(node);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = (keys[i - 1] as string) < (keys[i] as string);
  if (ordered) {
    for (const key of keys) node[key] = sortedFields(node[key] as Record<string, Json>);
    return node;
  }
  const out: Record<string, Json> = {};
  for (const key of keys.sort()) out[key] = sortedFields(node[key] as Record<string, Json>);
  return out;
}

/**
 * Whether a FieldsV1 value decodes as structured-merge-diff decodes it: objects all the way down, keyed by `.`
 * or a path element (`f:name`, `i:3`, `k:{json object}`, `v:json`; another one-letter prefix is skipped).
 */
export function isValidFieldsV1(fields: Json): boolean {
  const stack: Json[] = [fields];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isPlainObject(node)) return false;
    for (const [element, child] of Object.entries(node)) {
      if (element !== '.' && !validPathElement(element)) return false;
      stack.push(child);
    }
  }
  return true;
}

function validPathElement(element: string): boolean {
  if (element.length < 2 || element[1] !== ':') return false;
  const body = element.slice(2);
  switch (element[0]) {
    case 'f':
      return true;
    case 'i':
      return /^-?\d+$/.test(body);
    case 'k':
    case 'v':
      try {
        const value = JSON.parse(body) as unknown;
        return element[0] === 'v' || isPlainObject(value);
      } catch {
        return false;
      }
    default:
      return true;
  }
}

/** FieldsV1 back to its set of leaf paths. */
export function fromFieldsV1(fields: Json, prefix = '', out = new Set<string>()): Set<string> {
  if (!isPlainObject(fields)) return out;
  const entries = Object.entries(fields);
  if (entries.length === 0 && prefix) out.add(prefix);
  for (const [element, child] of entries) fromFieldsV1(child, `${prefix}${SEP}${element}`, out);
  return out;
}

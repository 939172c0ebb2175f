/**
 * @module server/registry/strategic-merge
 * Layer: registry. Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch semantics): maps merge,
 * lists merge by their declared merge key (or as sets of primitives) or are replaced, with the directives
 * `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 * The type of every field comes from the schema model, the merge semantics from list-semantics.ts.
 */
import { cloneJson } from '../api/equality.js';
import { isPlainObject } from '../api/object.js';
import type { TypeRef } from '../api/schema/declarations.js';
import { fieldSemantics, type FieldSemantics } from '../api/schema/list-semantics.js';
import { schemaModel } from '../api/schema/model.js';
import type { Resource } from './resource.js';

export class StrategicPatchError extends Error {
  override readonly name = 'StrategicPatchError';
}

type Json = unknown;
type Dict = Record<string, Json>;

const DELETE = Symbol('delete');
const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_LIST = '$deleteFromPrimitiveList/';

function isDirectiveKey(key: string): boolean {
  return key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ORDER) || key.startsWith(DELETE_FROM_LIST);
}

/** Follow refs and aliases to a structural type; `undefined` means "no schema: merge maps, replace lists". */
function resolve(type: TypeRef | undefined): TypeRef | undefined {
  let current = type;
  for (let i = 0; i < 8 && current?.kind === 'ref'; i++) {
    const def = schemaModel().get(current.name);
    if (def?.alias) current = def.alias;
    else return current;
  }
  return current;
}

function definitionName(type: TypeRef | undefined): string | undefined {
  const resolved = resolve(type);
  return resolved?.kind === 'ref' ? resolved.name : undefined;
}

/** A patch value with every directive removed, as it lands where the original had nothing. */
function strip(value: Json, type: TypeRef | undefined): Json | typeof DELETE {
  if (Array.isArray(value)) {
    const resolved = resolve(type);
    const itemType = resolved?.kind === 'array' ? resolved.items : undefined;
    const out: Json[] = [];
    for (const item of value) {
      if (isPlainObject(item) && (item[PATCH] === 'delete' || item[PATCH] === 'replace') && Object.keys(item).length === 1) continue;
      if (isPlainObject(item) && item[PATCH] === 'delete') continue;
      const cleaned = strip(item, itemType);
      if (cleaned !== DELETE) out.push(cleaned);
    }
    return out;
  }
  if (!isPlainObject(value)) return value;
  if (value[PATCH] === 'delete') return DELETE;
  return mergeObject(undefined, value, type);
}

function mergeValue(original: Json, patch: Json, type: TypeRef | undefined, semantics: FieldSemantics | undefined, order: Json): Json | typeof DELETE {
  if (patch === null) return DELETE;
  if (isPlainObject(patch)) return mergeObject(isPlainObject(original) ? original : undefined, patch, type);
  if (Array.isArray(patch)) {
    const resolved = resolve(type);
    const itemType = resolved?.kind === 'array' ? resolved.items : undefined;
    if (semantics?.strategy === 'merge') {
      const base = Array.isArray(original) ? original : [];
      const merged = semantics.mergeKey ? mergeListByKey(base, patch, semantics.mergeKey, itemType) : mergePrimitiveList(base, patch);
      return Array.isArray(order) ? reorder(merged, order, semantics.mergeKey) : merged;
    }
    return strip(patch, type);
  }
  return patch;
}

/** Merge two maps: a struct (typed fields) or a map[string]T (every value of one type). */
function mergeObject(original: Dict | undefined, patch: Dict, type: TypeRef | undefined): Dict | typeof DELETE {
  const directive = patch[PATCH];
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') {
    const replacement: Dict = {};
    for (const [key, value] of Object.entries(patch)) if (key !== PATCH) replacement[key] = value;
    return strip(replacement, type) as Dict;
  }
  if (directive !== undefined && directive !== 'merge') throw new StrategicPatchError(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);

  const resolved = resolve(type);
  const definition = resolved?.kind === 'ref' ? schemaModel().get(resolved.name) : undefined;
  const valueType = resolved?.kind === 'map' ? resolved.values : undefined;
  const result: Dict = original ? { ...original } : {};

  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key)) continue;
    const fieldType = definition ? definition.properties?.[key]?.type : valueType;
    const semantics = definition ? fieldSemantics(definition.name, key) : undefined;
    const merged = mergeValue(result[key], value, fieldType, semantics, patch[`${SET_ORDER}${key}`]);
    if (merged === DELETE) delete result[key];
    else result[key] = merged;
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_LIST)) {
      const target = key.slice(DELETE_FROM_LIST.length);
      if (!Array.isArray(value)) throw new StrategicPatchError(`${key} must be a list`);
      if (Array.isArray(result[target])) result[target] = (result[target] as Json[]).filter((item) => !value.includes(item));
    } else if (key.startsWith(SET_ORDER)) {
      const target = key.slice(SET_ORDER.length);
      if (target in patch || !Array.isArray(value) || !Array.isArray(result[target])) continue;
      const semantics = definition ? fieldSemantics(definition.name, target) : undefined;
      result[target] = reorder(result[target] as Json[], value, semantics?.mergeKey);
    }
  }

  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new StrategicPatchError(`${RETAIN_KEYS} must be a list`);
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

function mergeListByKey(original: Json[], patch: Json[], mergeKey: string, itemType: TypeRef | undefined): Json[] {
  if (patch.some((item) => isPlainObject(item) && item[PATCH] === 'replace')) {
    return strip(patch.filter((item) => !(isPlainObject(item) && item[PATCH] === 'replace')), { kind: 'array', items: itemType ?? { kind: 'unknown' } }) as Json[];
  }
  const result = original.map((item) => item);
  for (const item of patch) {
    if (!isPlainObject(item)) throw new StrategicPatchError(`strategic merge patch: list item ${JSON.stringify(item)} is not a map (merge key ${mergeKey})`);
    if (!(mergeKey in item)) throw new StrategicPatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    const index = result.findIndex((existing) => isPlainObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item[PATCH] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = mergeObject(result[index] as Dict, item, itemType);
      if (merged === DELETE) result.splice(index, 1);
      else result[index] = merged;
    } else {
      const added = strip(item, itemType);
      if (added !== DELETE) result.push(added);
    }
  }
  return result;
}

function mergePrimitiveList(original: Json[], patch: Json[]): Json[] {
  const result = [...original];
  for (const item of patch) if (!result.includes(item)) result.push(item);
  return result;
}

/**
 * Apply `$setElementOrder`: items named in the order take their listed order in the slots such items occupy,
 * items the order does not name keep their positions (as upstream's normalizeElementOrder keeps server-only
 * items where they were).
 */
function reorder(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keyOf = (item: Json): Json => (mergeKey && isPlainObject(item) ? item[mergeKey] : item);
  const wanted = order.map(keyOf);
  const listed = list.filter((item) => wanted.includes(keyOf(item))).sort((a, b) => wanted.indexOf(keyOf(a)) - wanted.indexOf(keyOf(b)));
  let next = 0;
  return list.map((item) => (wanted.includes(keyOf(item)) ? listed[next++] : item));
}

/** Apply a strategic merge patch to (a copy of) an object of `resource`'s kind. */
export function applyStrategicMergePatch(original: Dict, patch: Dict, resource: Resource): Dict {
  const definition = schemaModel().forKind(resource);
  const type: TypeRef | undefined = definition ? { kind: 'ref', name: definition.name } : undefined;
  const merged = mergeObject(cloneJson(original), patch, type);
  if (merged === DELETE) throw new StrategicPatchError('a strategic merge patch cannot delete the whole object');
  return merged;
}

export { definitionName };

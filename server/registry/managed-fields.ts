/**
 * @module server/registry/managed-fields
 * Layer: registry. Field ownership (metadata.managedFields) and server-side apply: every write records
 * which fields its manager set (operation Update, or Apply), an apply conflicts with other managers' fields
 * unless forced (409 with FieldManagerConflict causes, worded as upstream), and a field a manager stops
 * applying is removed when nobody else owns it. Modelled on sigs.k8s.io/structured-merge-diff.
 */
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { cloneJson, deepEqual } from '../api/equality.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import type { TypeRef } from '../api/schema/declarations.js';
import { schemaModel } from '../api/schema/model.js';
import { ApiError, StatusReason, type StatusCause } from '../api/status.js';
import { rfc3339 } from '../api/time.js';
import { childShape, collectPaths, isValidFieldsV1, describePath, diffPaths, fromFieldsV1, itemKey, removeAt, SEP, toFieldsV1, valueAt, type Json, type Shape } from './field-paths.js';
import type { Resource } from './resource.js';

type Entry = ManagedFieldsEntry & { manager: string; operation: 'Apply' | 'Update' };

/** Metadata the system owns: never tracked as anyone's field. */
const SYSTEM_METADATA = new Set([
  'name', 'namespace', 'generateName', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink',
]);

function rootShape(resource: Resource): Shape {
  const def = schemaModel().forKind(resource);
  return { type: def ? { kind: 'ref', name: def.name } : undefined, semantics: undefined };
}

/** The paths a write to the main resource (or a subresource) can own. */
export function ownedPaths(resource: Resource, object: KubeObject, subresource?: string): Set<string> {
  const out = new Set<string>();
  const root = rootShape(resource);
  for (const [name, value] of Object.entries(object)) {
    if (name === 'apiVersion' || name === 'kind') continue;
    const statusField = name === 'status' && Boolean(resource.status);
    if ((subresource === 'status') !== statusField) continue;
    if (name === 'metadata' && isPlainObject(value)) {
      const shape = childShape(root.type, 'metadata');
      for (const [field, child] of Object.entries(value)) {
        if (SYSTEM_METADATA.has(field)) continue;
        collectPaths(child, childShape(shape.type, field), `${SEP}f:metadata${SEP}f:${field}`, out);
      }
      continue;
    }
    collectPaths(value, childShape(root.type, name), `${SEP}f:${name}`, out);
  }
  return out;
}

/** The owned paths an update sets anew or to another value, and those it removes (old → next). */
export function changedPaths(resource: Resource, old: KubeObject | undefined, next: KubeObject, subresource?: string): { changed: Set<string>; removed: Set<string> } {
  const changed = new Set<string>();
  const removed = new Set<string>();
  const root = rootShape(resource);
  const before = (old ?? {}) as Record<string, Json>;
  const after = next as unknown as Record<string, Json>;
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (name === 'apiVersion' || name === 'kind') continue;
    const statusField = name === 'status' && Boolean(resource.status);
    if ((subresource === 'status') !== statusField) continue;
    if (name === 'metadata') {
      const shape = childShape(root.type, 'metadata');
      const oldMeta = isPlainObject(before.metadata) ? before.metadata : {};
      const newMeta = isPlainObject(after.metadata) ? after.metadata : {};
      for (const field of new Set([...Object.keys(oldMeta), ...Object.keys(newMeta)])) {
        if (SYSTEM_METADATA.has(field)) continue;
        diffPaths(oldMeta[field], newMeta[field], childShape(shape.type, field), `${SEP}f:metadata${SEP}f:${field}`, changed, removed);
      }
      continue;
    }
    diffPaths(before[name], after[name], childShape(root.type, name), `${SEP}f:${name}`, changed, removed);
  }
  return { changed, removed };
}

function entriesOf(object: KubeObject | undefined): Entry[] {
  return ((object?.metadata.managedFields ?? []) as Entry[]).map((entry) => ({ ...entry }));
}

const fieldsCache = new WeakMap<object, ReadonlySet<string>>();

/** The paths of a managedFields entry, parsed once per entry: shared, never to be changed. */
function sharedPathsOf(entry: Entry): ReadonlySet<string> {
  const fields = entry.fieldsV1;
  if (!fields || typeof fields !== 'object') return fromFieldsV1(fields);
  let paths = fieldsCache.get(fields);
  if (!paths) {
    paths = fromFieldsV1(fields);
    fieldsCache.set(fields, paths);
  }
  return paths;
}

/** The paths of a managedFields entry, as a fresh set the caller may change. */
function pathsOf(entry: Entry): Set<string> {
  return new Set(sharedPathsOf(entry));
}

function sameEntry(entry: Entry, manager: string, operation: string, subresource: string | undefined): boolean {
  return entry.manager === manager && entry.operation === operation && (entry.subresource ?? '') === (subresource ?? '');
}

function finish(entries: { entry: Entry; paths: ReadonlySet<string>; dirty?: boolean }[]): Entry[] {
  return entries
    .filter(({ paths }) => paths.size > 0)
    .map(({ entry, paths, dirty }) => {
      if (dirty === false && entry.fieldsV1) return entry;
      const fieldsV1 = toFieldsV1(paths);
      // The next write to this object starts from these paths: no need to parse them back.
      fieldsCache.set(fieldsV1, paths);
      return { ...entry, fieldsType: 'FieldsV1', fieldsV1 };
    });
}

/** Whether a managedFields entry decodes as upstream's DecodeManagedFields requires. */
function decodable(entry: ManagedFieldsEntry): boolean {
  return (
    isPlainObject(entry) &&
    (entry.operation === 'Apply' || entry.operation === 'Update') &&
    typeof entry.apiVersion === 'string' &&
    entry.apiVersion !== '' &&
    entry.fieldsType === 'FieldsV1' &&
    (entry.fieldsV1 === undefined || isValidFieldsV1(entry.fieldsV1 as Json))
  );
}

/** The manager name upstream derives when a request names none: the User-Agent's product token. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const token = (userAgent ?? '').split('/')[0]?.trim();
  return token || 'unknown';
}

/**
 * Record an Update (create, PUT, non-apply PATCH) by `manager`: it owns every field it changed, which leaves
 * every other manager's set. A request that sets managedFields itself is honoured as given.
 */
export function trackUpdate(
  resource: Resource,
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  subresource: string | undefined,
  now: Date,
): void {
  const requested = next.metadata.managedFields;
  if (requested !== undefined && !deepEqual(requested, old?.metadata.managedFields)) {
    // Explicit managedFields (kubectl's client-side → server-side apply migration) replace the record; [] resets it.
    if (requested.length === 0) {
      delete next.metadata.managedFields;
      return;
    }
    if (requested.every(decodable)) return;
    // As upstream: a record that does not decode is ignored, and the write is tracked on the stored one.
    if (old?.metadata.managedFields) next.metadata.managedFields = old.metadata.managedFields;
    else delete next.metadata.managedFields;
  }
  const { changed, removed } = changedPaths(resource, old, next, subresource);
  // Entries keep their shared path sets unless the write takes a path from them (copy on change).
  const entries: { entry: Entry; paths: ReadonlySet<string>; dirty: boolean }[] = entriesOf(old).map((entry) => {
    const shared = sharedPathsOf(entry);
    let paths: Set<string> | undefined;
    for (const lost of [changed, removed]) {
      for (const path of lost) {
        if (!shared.has(path)) continue;
        paths ??= new Set(shared);
        paths.delete(path);
      }
    }
    return { entry, paths: paths ?? shared, dirty: paths !== undefined };
  });
  let mine = entries.find(({ entry }) => sameEntry(entry, manager, 'Update', subresource));
  if (!mine) {
    mine = { entry: { manager, operation: 'Update', apiVersion: resource.apiVersion, ...(subresource && { subresource }) }, paths: new Set(), dirty: true };
    entries.push(mine);
  }
  if (changed.size > 0) {
    const paths = new Set(mine.paths);
    for (const path of changed) paths.add(path);
    mine.paths = paths;
    mine.dirty = true;
    mine.entry.time = rfc3339(now);
    mine.entry.apiVersion = resource.apiVersion;
  }
  const result = finish(entries);
  if (result.length > 0) next.metadata.managedFields = result;
  else delete next.metadata.managedFields;
}

// ---------------------------------------------------------------- server-side apply

function mergeApplied(live: Json, applied: Json, shape: Shape): Json {
  if (applied === null) return undefined;
  if (Array.isArray(applied)) {
    const semantics = shape.semantics;
    if (!Array.isArray(live)) return cloneJson(applied);
    const itemType: TypeRef | undefined = shape.type?.kind === 'array' ? shape.type.items : undefined;
    if (semantics?.listType === 'map' && semantics.listMapKeys) {
      const keys = semantics.listMapKeys;
      const merged = [...live];
      for (const item of applied) {
        const key = itemKey(item, keys);
        const index = merged.findIndex((existing) => itemKey(existing, keys) === key);
        if (index >= 0) merged[index] = mergeApplied(merged[index], item, { type: itemType, semantics: undefined });
        else merged.push(cloneJson(item));
      }
      return merged;
    }
    if (semantics?.listType === 'set') {
      const merged = [...live];
      for (const item of applied) if (!merged.some((existing) => deepEqual(existing, item))) merged.push(item);
      return merged;
    }
    return cloneJson(applied);
  }
  if (isPlainObject(applied)) {
    const base: Record<string, Json> = isPlainObject(live) ? { ...live } : {};
    for (const [name, value] of Object.entries(applied)) {
      const merged = mergeApplied(base[name], value, childShape(shape.type, name));
      if (merged === undefined) delete base[name];
      else base[name] = merged;
    }
    return base;
  }
  return applied;
}

interface Conflict {
  manager: string;
  apiVersion: string;
  path: string;
}

function conflictError(resource: Resource, name: string, conflicts: Conflict[]): ApiError {
  const byManager = new Map<string, Conflict[]>();
  for (const conflict of conflicts) byManager.set(conflict.manager, [...(byManager.get(conflict.manager) ?? []), conflict]);
  const parts = [...byManager.values()].map((list) => {
    const { manager, apiVersion } = list[0] as Conflict;
    if (list.length === 1) return `conflict with ${JSON.stringify(manager)} using ${apiVersion}: ${describePath((list[0] as Conflict).path)}`;
    return `conflicts with ${JSON.stringify(manager)} using ${apiVersion}:\n${list.map((c) => `- ${describePath(c.path)}`).join('\n')}`;
  });
  const count = conflicts.length;
  const message = `Apply failed with ${count} conflict${count === 1 ? '' : 's'}: ${parts.join('\n')}`;
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${JSON.stringify(c.manager)} using ${c.apiVersion}`, field: describePath(c.path) }));
  return new ApiError(409, StatusReason.Conflict, message, { name, ...(resource.group && { group: resource.group }), kind: resource.plural, causes });
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined when the object is being created).
 * Returns the merged object with its managedFields updated.
 */
export function applyConfiguration(resource: Resource, live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean, now: Date): KubeObject {
  try {
    return applyOnce(resource, live, config, manager, force, now);
  } catch (err) {
    const upgraded = live && upgradeFromClientSideApply(resource, live, manager, err, now);
    if (!upgraded) throw err;
    return applyOnce(resource, upgraded, config, manager, force, now);
  }
}

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The first server-side apply of an object managed with client-side apply takes over, without conflicts, the
 * fields recorded in the last-applied-configuration annotation (upstream's lastAppliedManager): it applies
 * that configuration as the new manager with force, then the real apply proceeds.
 */
function upgradeFromClientSideApply(resource: Resource, live: KubeObject, manager: string, err: unknown, now: Date): KubeObject | undefined {
  if (!(err instanceof ApiError) || err.code !== 409) return undefined;
  const annotation = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!annotation) return undefined;
  let lastApplied: KubeObject;
  try {
    lastApplied = JSON.parse(annotation) as KubeObject;
  } catch {
    return undefined;
  }
  if (!isPlainObject(lastApplied) || !isPlainObject(lastApplied.metadata)) return undefined;
  const lastPaths = ownedPaths(resource, lastApplied);
  const conflicting = (err.details?.causes ?? []).map((c) => c.field ?? '');
  const covered = [...lastPaths].map(describePath);
  if (!conflicting.every((field) => covered.includes(field))) return undefined;
  const formerManagers = new Set((err.details?.causes ?? []).map((c) => /^conflict with "(.*)" using /.exec(c.message ?? '')?.[1] ?? ''));
  const upgraded = applyOnce(resource, live, { ...lastApplied, metadata: { ...lastApplied.metadata, name: live.metadata.name } }, manager, true, now);
  // The fields of the last applied configuration now belong to the new manager alone.
  const entries = entriesOf(upgraded).map((entry) => {
    const paths = pathsOf(entry);
    if (formerManagers.has(entry.manager) && entry.operation === 'Update') for (const path of lastPaths) paths.delete(path);
    return { entry, paths };
  });
  upgraded.metadata.managedFields = finish(entries);
  return upgraded;
}

function applyOnce(resource: Resource, live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean, now: Date): KubeObject {
  const applied = ownedPaths(resource, config);
  const entries = entriesOf(live).map((entry) => ({ entry, paths: pathsOf(entry) }));
  const conflicts: Conflict[] = [];
  for (const { entry, paths } of entries) {
    if (sameEntry(entry, manager, 'Apply', undefined)) continue;
    for (const path of applied) {
      if (!paths.has(path) || path.endsWith(`${SEP}.`)) continue;
      if (!deepEqual(valueAt(live, path), valueAt(config, path))) conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion ?? resource.apiVersion, path });
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(resource, config.metadata.name ?? live?.metadata.name ?? '', conflicts);
  for (const conflict of conflicts) for (const item of entries) if (item.entry.manager === conflict.manager) item.paths.delete(conflict.path);

  const merged = mergeApplied(live ? cloneJson(live) : {}, config, rootShape(resource)) as KubeObject;
  let mine = entries.find(({ entry }) => sameEntry(entry, manager, 'Apply', undefined));
  const previous = mine ? mine.paths : new Set<string>();
  for (const path of previous) {
    if (applied.has(path)) continue;
    const ownedElsewhere = entries.some((item) => item !== mine && item.paths.has(path));
    if (!ownedElsewhere) removeAt(merged, path);
  }
  if (!mine) {
    mine = { entry: { manager, operation: 'Apply', apiVersion: resource.apiVersion }, paths: new Set() };
    entries.push(mine);
  }
  mine.paths = applied;
  mine.entry.time = rfc3339(now);
  mine.entry.apiVersion = resource.apiVersion;
  const result = finish(entries);
  merged.metadata ??= {};
  if (result.length > 0) merged.metadata.managedFields = result;
  else delete merged.metadata.managedFields;
  return merged;
}

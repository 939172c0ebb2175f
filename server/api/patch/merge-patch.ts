/**
 * @module server/api/patch/merge-patch
 * Layer: api (pure). JSON Merge Patch (RFC 7386): objects merge recursively, `null` deletes, anything else
 * (arrays included) replaces.
 */
import { isPlainObject } from '../object.js';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * @module server/registry/patch
 * Layer: registry. Applies a PATCH body of one of the four patch types to the current object (a copy).
 * Patch failures are 422 (as upstream reports them); a body of the wrong shape is 400.
 */
import { cloneJson } from '../api/equality.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import { applyJsonPatch, PatchError } from '../api/patch/json-patch.js';
import { applyMergePatch } from '../api/patch/merge-patch.js';
import { ApiError, errors, StatusReason } from '../api/status.js';
import type { Resource } from './resource.js';
import { applyStrategicMergePatch, StrategicPatchError } from './strategic-merge.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** The patched object (apply patches are server-side apply: see managed-fields.ts). */
export function applyPatch(type: Exclude<PatchType, 'apply'>, current: KubeObject, patch: unknown, resource: Resource): KubeObject {
  try {
    switch (type) {
      case 'json':
        return applyJsonPatch(cloneJson(current), patch) as KubeObject;
      case 'merge':
        if (!isPlainObject(patch)) throw errors.badRequest('a merge patch must be a JSON object');
        return applyMergePatch(cloneJson(current), patch) as KubeObject;
      case 'strategic':
        if (!isPlainObject(patch)) throw errors.badRequest('a strategic merge patch must be a JSON object');
        return applyStrategicMergePatch(cloneJson(current) as KubeObject, patch, resource) as KubeObject;
    }
  } catch (err) {
    if (err instanceof PatchError || err instanceof StrategicPatchError) throw new ApiError(422, StatusReason.Invalid, err.message);
    throw err;
  }
}

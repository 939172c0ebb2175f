/**
 * @module server/registry/resources/configmaps
 * Layer: registry (kind declaration). core/v1 ConfigMap: key and size rules, immutability.
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { isConfigMapKey } from '../../api/names.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type ConfigMapObject = Kube<ConfigMap>;
export const MAX_CONFIG_BYTES = 1024 * 1024;

function validate(object: ConfigMapObject): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(object.data ?? {})) {
    for (const message of isConfigMapKey(key)) errors.push(field.invalid(`data[${key}]`, key, message));
    if (object.binaryData && key in object.binaryData) errors.push(field.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(value ?? '');
  }
  for (const [key, value] of Object.entries(object.binaryData ?? {})) {
    for (const message of isConfigMapKey(key)) errors.push(field.invalid(`binaryData[${key}]`, key, message));
    size += Buffer.from(value ?? '', 'base64').length;
  }
  if (size > MAX_CONFIG_BYTES) errors.push({ type: 'FieldValueTooLong', field: '[]', detail: `must have at most ${MAX_CONFIG_BYTES} bytes` });
  return errors;
}

const IMMUTABLE = 'field is immutable when `immutable` is set';

export const configmaps = defineResource<ConfigMapObject>({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  strategy: {
    validate,
    validateUpdate(object, old) {
      if (!old.immutable) return [];
      const errors: FieldError[] = [];
      if (!object.immutable) errors.push(field.forbidden('immutable', IMMUTABLE));
      if (JSON.stringify(object.data ?? {}) !== JSON.stringify(old.data ?? {})) errors.push(field.forbidden('data', IMMUTABLE));
      if (JSON.stringify(object.binaryData ?? {}) !== JSON.stringify(old.binaryData ?? {})) errors.push(field.forbidden('binaryData', IMMUTABLE));
      return errors;
    },
  },
  table: {
    columns: [nameColumn, { name: 'Data', type: 'string', description: ['io.k8s.api.core.v1.ConfigMap', 'data'] }, ageColumn],
    cells: (object, now) => [object.metadata.name ?? '', Object.keys(object.data ?? {}).length + Object.keys(object.binaryData ?? {}).length, age(object, now)],
  },
});

/**
 * @module server/registry/resources/secrets
 * Layer: registry (kind declaration). core/v1 Secret: stringData folded into data, key and size rules, the
 * per-type required keys, immutable type.
 */
import type { Secret } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { isConfigMapKey } from '../../api/names.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';
import { MAX_CONFIG_BYTES } from './configmaps.js';

type SecretObject = Kube<Secret>;

const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validate(object: SecretObject): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(object.data ?? {})) {
    for (const message of isConfigMapKey(key)) errors.push(field.invalid(`data[${key}]`, key, message));
    size += Buffer.from(value ?? '', 'base64').length;
  }
  if (size > MAX_CONFIG_BYTES) errors.push({ type: 'FieldValueTooLong', field: 'data', detail: `must have at most ${MAX_CONFIG_BYTES} bytes` });
  const type = object.type ?? 'Opaque';
  const data = object.data ?? {};
  for (const key of REQUIRED_KEYS[type] ?? []) if (!(key in data)) errors.push(field.required(`data[${key}]`));
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errors.push(field.required('data[username]'), field.required('data[password]'));
  }
  if (type === 'kubernetes.io/service-account-token' && !object.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errors.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  for (const key of ['.dockercfg', '.dockerconfigjson']) {
    if (REQUIRED_KEYS[type]?.includes(key) && data[key] !== undefined) {
      try {
        JSON.parse(Buffer.from(data[key] as string, 'base64').toString('utf8'));
      } catch (err) {
        errors.push(field.invalid(`data[${key}]`, '<secret contents redacted>', (err as Error).message));
      }
    }
  }
  return errors;
}

/** stringData is write-only: merged into data (base64) on every write, as upstream's conversion does. */
function foldStringData(object: SecretObject): void {
  object.type ??= 'Opaque';
  if (object.stringData) {
    object.data ??= {};
    for (const [key, value] of Object.entries(object.stringData)) object.data[key] = Buffer.from(value, 'utf8').toString('base64');
    delete object.stringData;
  }
}

const IMMUTABLE = 'field is immutable when `immutable` is set';

export const secrets = defineResource<SecretObject>({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  strategy: {
    defaults: foldStringData,
    validate,
    validateUpdate(object, old) {
      const errors: FieldError[] = [];
      if ((object.type ?? 'Opaque') !== (old.type ?? 'Opaque')) errors.push(field.immutable('type', object.type));
      if (old.immutable) {
        if (!object.immutable) errors.push(field.forbidden('immutable', IMMUTABLE));
        if (JSON.stringify(object.data ?? {}) !== JSON.stringify(old.data ?? {})) errors.push(field.forbidden('data', IMMUTABLE));
      }
      return errors;
    },
  },
  fieldSelectors: { type: (object) => object.type ?? '' },
  table: {
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', description: ['io.k8s.api.core.v1.Secret', 'type'] },
      { name: 'Data', type: 'string', description: ['io.k8s.api.core.v1.Secret', 'data'] },
      ageColumn,
    ],
    cells: (object, now) => [object.metadata.name ?? '', object.type ?? '', Object.keys(object.data ?? {}).length, age(object, now)],
  },
});

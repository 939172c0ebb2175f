/**
 * @module server/registry/resources/policies
 * Layer: registry (kind declarations). core/v1 ResourceQuota and LimitRange.
 */
import type { LimitRange, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type QuotaObject = Kube<ResourceQuota>;

function quotaCells(quota: QuotaObject): [string, string] {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const text = `${resource}: ${used[resource] ?? '0'}/${hard[resource]}`;
    (resource.split('.')[0] === 'limits' ? limits : requests).push(text);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourcequotas = defineResource<QuotaObject>({
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  status: true,
  table: {
    columns: [
      nameColumn,
      { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.' },
      { name: 'Limit', type: 'string', description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.' },
      ageColumn,
    ],
    cells: (quota, now) => [quota.metadata.name ?? '', ...quotaCells(quota), age(quota, now)],
  },
});

export const limitranges = defineResource<Kube<LimitRange>>({
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  strategy: {
    defaults(range) {
      for (const item of range.spec?.limits ?? []) {
        if (item.type !== 'Container') continue;
        for (const [name, value] of Object.entries(item.max ?? {})) {
          item.default ??= {};
          item.default[name] ??= value;
        }
        for (const [name, value] of Object.entries(item.default ?? {})) {
          item.defaultRequest ??= {};
          item.defaultRequest[name] ??= value;
        }
        for (const [name, value] of Object.entries(item.min ?? {})) {
          item.defaultRequest ??= {};
          item.defaultRequest[name] ??= value;
        }
      }
    },
  },
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { isApiError } from '../api/status.js';
import { applyConfiguration, managerFromUserAgent, trackUpdate } from './managed-fields.js';
import { RESOURCES } from './resources/index.js';

const find = (plural: string, group = '') => RESOURCES.find((r) => r.plural === plural && r.group === group)!;
const configmaps = find('configmaps');
const deployments = find('deployments', 'apps');
const now = new Date('2024-05-01T10:00:00Z');

const cm = (data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...extra.metadata }, data });
const managers = (object: KubeObject) => (object.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);

function deployment(containers: Record<string, unknown>[], replicas?: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { ...(replicas !== undefined && { replicas }), selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers } } },
  };
}

describe('managed fields on updates', () => {
  it('records the fields a create set, as FieldsV1 under the manager', () => {
    const created = cm({ a: '1' }, { metadata: { name: 'c', labels: { x: 'y' } } });
    trackUpdate(configmaps, undefined, created, 'kubectl-create', undefined, now);
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } },
      },
    ]);
  });

  it('moves ownership of a changed field to the writer', () => {
    const first = cm({ a: '1', b: '2' });
    trackUpdate(configmaps, undefined, first, 'creator', undefined, now);
    const second = { ...structuredClone(first), data: { a: '1', b: '3' } };
    trackUpdate(configmaps, first, second, 'editor', undefined, now);
    expect(managers(second)).toEqual(['creator/Update', 'editor/Update']);
    expect(second.metadata.managedFields?.[1]?.fieldsV1).toEqual({ 'f:data': { 'f:b': {} } });
    expect(second.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:a': {} } });
  });

  it('honours managedFields a request sets explicitly, and [] resets them', () => {
    const first = cm({ a: '1' });
    trackUpdate(configmaps, undefined, first, 'creator', undefined, now);
    const reset = { ...structuredClone(first), metadata: { ...first.metadata, managedFields: [] } };
    trackUpdate(configmaps, first, reset, 'someone', undefined, now);
    expect(reset.metadata.managedFields).toBeUndefined();
  });

  it('derives a manager from the User-Agent product', () => {
    expect(managerFromUserAgent('kubectl/v1.33.1 (linux/amd64) kubernetes/abc')).toBe('kubectl');
    expect(managerFromUserAgent(undefined)).toBe('unknown');
  });
});

describe('server-side apply', () => {
  it('creates, then removes fields a manager stops applying', () => {
    const created = applyConfiguration(configmaps, undefined, cm({ a: '1', b: '2' }), 'me', false, now);
    expect(created.data).toEqual({ a: '1', b: '2' });
    expect(managers(created)).toEqual(['me/Apply']);
    const next = applyConfiguration(configmaps, created, cm({ a: '1' }), 'me', false, now);
    expect(next.data).toEqual({ a: '1' });
  });

  it('keeps a dropped field that another manager also owns', () => {
    const created = applyConfiguration(configmaps, undefined, cm({ a: '1', b: '2' }), 'me', false, now);
    const shared = applyConfiguration(configmaps, created, cm({ b: '2' }), 'you', false, now);
    const next = applyConfiguration(configmaps, shared, cm({ a: '1' }), 'me', false, now);
    expect(next.data).toEqual({ a: '1', b: '2' });
  });

  it('conflicts with another manager over a different value, as upstream words it', () => {
    const live = cm({ a: '1' });
    trackUpdate(configmaps, undefined, live, 'kubectl-client-side-apply', undefined, now);
    try {
      applyConfiguration(configmaps, live, cm({ a: '2' }), 'kubectl', false, now);
      throw new Error('no conflict');
    } catch (err) {
      expect(isApiError(err) && err.code).toBe(409);
      if (!isApiError(err)) throw err;
      expect(err.reason).toBe('Conflict');
      expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a');
      expect(err.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.a' }]);
    }
    // The same value is co-owned without conflict; force takes the field over.
    expect(applyConfiguration(configmaps, live, cm({ a: '1' }), 'kubectl', false, now).data).toEqual({ a: '1' });
    const forced = applyConfiguration(configmaps, live, cm({ a: '2' }), 'kubectl', true, now);
    expect(forced.data).toEqual({ a: '2' });
    expect(managers(forced)).toEqual(['kubectl-client-side-apply/Update', 'kubectl/Apply']);
    expect(forced.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:data': { '.': {} } });
  });

  it('merges list-map items by key and lists several conflicts per manager', () => {
    const base = applyConfiguration(deployments, undefined, deployment([{ name: 'a', image: 'a:1' }], 2), 'first', false, now);
    const added = applyConfiguration(deployments, base, deployment([{ name: 'b', image: 'b:1' }]), 'second', false, now);
    expect((added.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
    ]);
    try {
      applyConfiguration(deployments, added, deployment([{ name: 'a', image: 'a:2' }], 3), 'second', false, now);
      throw new Error('no conflict');
    } catch (err) {
      if (!isApiError(err)) throw err;
      expect(err.message).toBe('Apply failed with 2 conflicts: conflicts with "first" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="a"].image');
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { isApiError } from '../api/status.js';
import { deepEqual } from '../api/equality.js';
import { SEP, toFieldsV1, valueAt } from './field-paths.js';
import { applyConfiguration, changedPaths, managerFromUserAgent, ownedPaths, trackUpdate } from './managed-fields.js';
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

describe('changed paths of an update', () => {
  /** What the full path sets of both versions say changed — the definition changedPaths must match. */
  function reference(resource: typeof pods, old: KubeObject, next: KubeObject, subresource?: string) {
    const before = ownedPaths(resource, old, subresource);
    const after = ownedPaths(resource, next, subresource);
    const changed = [...after].filter((path) => !before.has(path) || (!path.endsWith(`${SEP}.`) && !deepEqual(valueAt(old, path), valueAt(next, path))));
    const removed = [...before].filter((path) => !after.has(path));
    return { changed: changed.sort(), removed: removed.sort() };
  }

  const pods = find('pods');
  const base: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'a', tier: 'web' }, annotations: { note: 'x' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u1', controller: true }] },
    spec: {
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } },
      containers: [
        { name: 'app', image: 'img:1', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }], resources: { requests: { cpu: '100m' } }, args: ['--x'] },
        { name: 'side', image: 'side:1' },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'img:1', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] },
  };

  // A small seeded generator, so that a failure can be replayed.
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
  }

  function mutate(object: unknown, next: () => number, depth = 0): unknown {
    if (Array.isArray(object)) {
      const copy = object.map((item) => (next() < 0.5 ? mutate(item, next, depth + 1) : item));
      const roll = next();
      if (roll < 0.15 && copy.length > 0) copy.splice(Math.floor(next() * copy.length), 1);
      else if (roll < 0.3) copy.push(structuredClone(copy[0] ?? 'new'));
      else if (roll < 0.4 && copy[0] && typeof copy[0] === 'object') copy.push({ ...(copy[0] as object), name: `n${Math.floor(next() * 3)}`, type: `T${Math.floor(next() * 3)}` });
      return copy;
    }
    if (object && typeof object === 'object') {
      const copy: Record<string, unknown> = { ...(object as Record<string, unknown>) };
      for (const key of Object.keys(copy)) {
        // List-map keys may change but never go: an item without its key is invalid (and ambiguous).
        const listKey = depth > 1 && ['name', 'uid', 'type', 'containerPort', 'protocol'].includes(key);
        const roll = next();
        if (roll < 0.1 && !listKey) delete copy[key];
        else if (roll < 0.15 && !listKey) copy[key] = {};
        else if (roll < 0.5) copy[key] = mutate(copy[key], next, depth + 1);
      }
      if (next() < 0.2) copy[`extra${Math.floor(next() * 3)}`] = next() < 0.5 ? 'v' : { inner: 1 };
      return copy;
    }
    return next() < 0.5 ? object : typeof object === 'number' ? object + 1 : `${String(object)}'`;
  }

  it('matches comparing full path sets, on many random updates of main resource and status', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const next = random(seed);
      const old = mutate(base, next) as KubeObject;
      const updated = mutate(old, next) as KubeObject;
      for (const subresource of [undefined, 'status']) {
        const got = changedPaths(pods, old, updated, subresource);
        expect({ seed, subresource, changed: [...got.changed].sort(), removed: [...got.removed].sort() }).toEqual({ seed, subresource, ...reference(pods, old, updated, subresource) });
      }
    }
  });

  it('reports everything as changed on create and nothing on a no-op', () => {
    expect([...changedPaths(pods, undefined, base).changed].sort()).toEqual([...ownedPaths(pods, base)].sort());
    const same = changedPaths(pods, base, structuredClone(base));
    expect(same.changed.size + same.removed.size).toBe(0);
  });
});

describe('FieldsV1', () => {
  it('serialises every level with its keys in order, however the paths arrive', () => {
    const paths = [`${SEP}f:spec${SEP}f:b`, `${SEP}f:metadata${SEP}f:labels${SEP}f:z`, `${SEP}f:spec${SEP}f:a${SEP}f:y`, `${SEP}f:metadata${SEP}f:labels${SEP}.`, `${SEP}f:spec${SEP}f:a${SEP}f:x`];
    expect(JSON.stringify(toFieldsV1(paths))).toBe('{"f:metadata":{"f:labels":{".":{},"f:z":{}}},"f:spec":{"f:a":{"f:x":{},"f:y":{}},"f:b":{}}}');
  });
});

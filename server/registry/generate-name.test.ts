import { describe, expect, it, vi } from 'vitest';
import { testWorld } from '../../test/support/registry.js';
import type { KubeObject } from '../api/object.js';

// Suffixes drawn in a fixed order, so that a collision happens on purpose.
const suffixes = vi.hoisted(() => ['aaaaa', 'aaaaa', 'bbbbb', ...Array.from({ length: 20 }, () => 'ccccc')]);
vi.mock('./names.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./names.js')>();
  return { ...actual, generateName: (base: string) => `${base}${suffixes.shift() ?? 'zzzzz'}` };
});

const CONFIGMAPS = { group: '', resource: 'configmaps' };
const generated: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', namespace: 'default' } };

describe('generateName collisions', () => {
  it('draws another name when the generated one is taken, and gives up after eight tries', async () => {
    const world = await testWorld();
    try {
      expect((await world.client.create(CONFIGMAPS, structuredClone(generated))).metadata.name).toBe('gen-aaaaa');
      expect((await world.client.create(CONFIGMAPS, structuredClone(generated))).metadata.name).toBe('gen-bbbbb');
      expect((await world.client.create(CONFIGMAPS, structuredClone(generated))).metadata.name).toBe('gen-ccccc');
      await expect(world.client.create(CONFIGMAPS, structuredClone(generated))).rejects.toMatchObject({
        code: 409,
        reason: 'AlreadyExists',
        message: 'configmaps "gen-ccccc" already exists, the server was not able to generate a unique name for the object',
      });
    } finally {
      await world.close();
    }
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { toKubeYaml } from './yaml.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'k8s-api-testdata', 'v1.34.0');

it("writes every upstream fixture's JSON as the fixture's YAML, byte for byte", () => {
  const kinds = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
  const different: string[] = [];
  for (const file of kinds) {
    const object: unknown = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
    const expected = readFileSync(join(FIXTURES, file.replace(/\.json$/, '.yaml')), 'utf8');
    if (toKubeYaml(object) !== expected) different.push(file);
  }
  process.stdout.write(`YAML fixtures (v1.34.0): ${kinds.length - different.length} of ${kinds.length} identical\n`);
  expect(kinds.length).toBeGreaterThanOrEqual(183);
  expect(different).toEqual([]);
});

it('quotes what a YAML 1.1 reader would not read as a string', () => {
  expect(toKubeYaml({ metadata: { creationTimestamp: '2026-12-02T16:19:17Z', labels: { on: 'yes', n: '123' } }, items: ['no'] })).toBe(
    'items:\n- "no"\nmetadata:\n  creationTimestamp: "2026-12-02T16:19:17Z"\n  labels:\n    "n": "123"\n    "on": "yes"\n',
  );
});

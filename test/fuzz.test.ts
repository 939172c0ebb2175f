import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from './support/random.js';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const random = seeded(SEED);
const pick = random.pick;
const KEYS = ['metadata', 'spec', 'status', 'data', 'name', 'containers', 'template', '$patch', '$retainKeys', '$setElementOrder/containers', '$deleteFromPrimitiveList/finalizers', 'replicas', 'labels', 'op', 'path', 'value', 'image', 'selector', 'matchLabels', 'finalizers', 'ownerReferences', 'uid', ''];
const STRINGS = ['', 'x', 'replace', 'delete', 'merge', '/spec/replicas', '/metadata/labels/a', 'add', 'remove', 'test', '💥', '1e999', 'null', '-1'];

function value(depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.3) return pick<unknown>([null, true, false, 0, -1, 1.5, 2 ** 53, ...STRINGS]);
  if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) object[pick(KEYS)] = value(depth - 1);
  return object;
}

/** A valid object with one random subtree replaced. */
function mutate<T>(object: T): T {
  const copy = structuredClone(object) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = pick(keys);
    if (random() < 0.35 || typeof node[key] !== 'object' || node[key] === null) {
      node[key] = value(3);
      break;
    }
    node = node[key] as Record<string, unknown>;
  }
  return copy as T;
}

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'fuzz', labels: { a: 'b' }, finalizers: ['x/y'] },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'fuzz' } },
    template: { metadata: { labels: { app: 'fuzz' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] } },
  },
};
const TARGETS = ['/apis/apps/v1/namespaces/default/deployments/fuzz', '/api/v1/namespaces/default/configmaps/fuzz'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster();
  await cluster.http().post('/apis/apps/v1/namespaces/default/deployments').send(DEPLOYMENT).expect(201);
  await cluster.http().post('/api/v1/namespaces/default/configmaps').send(configMap('fuzz')).expect(201);
});
afterAll(() => cluster.close());

describe(`fuzzed request bodies never produce a 500 (seed ${SEED})`, () => {
  it('random patches of every type', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const type = pick(PATCH_TYPES);
      const body = random() < 0.5 ? mutate(DEPLOYMENT) : value(5);
      const res = await cluster.http().patch(`${pick(TARGETS)}?fieldManager=fuzz`).set('Content-Type', type).send(JSON.stringify(body));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `${type} ${JSON.stringify(body)}: ${res.text}`).toBeLessThan(500);
      expect(res.body.kind === 'Status' || res.status < 300, res.text).toBe(true);
    }
    // The fuzzer must exercise both successes and rejections to mean anything.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  });

  it('random creates and replaces', async () => {
    for (let i = 0; i < 200; i++) {
      const body = mutate({ ...DEPLOYMENT, metadata: { ...DEPLOYMENT.metadata, name: `f${i}` } });
      const create = await cluster.http().post('/apis/apps/v1/namespaces/default/deployments').send(JSON.stringify(body)).set('Content-Type', 'application/json');
      expect(create.status, create.text).toBeLessThan(500);
      const replace = await cluster.http().put('/apis/apps/v1/namespaces/default/deployments/fuzz').send(JSON.stringify(mutate(DEPLOYMENT))).set('Content-Type', 'application/json');
      expect(replace.status, replace.text).toBeLessThan(500);
    }
  });

  it('random protobuf bodies', async () => {
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(random() * 64);
      const noise = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      const body = random() < 0.7 ? Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), noise]) : noise;
      const res = await cluster.http().post('/api/v1/namespaces/default/configmaps').set('Content-Type', 'application/vnd.kubernetes.protobuf').send(body);
      expect(res.status, res.text).toBeLessThan(500);
      expect(res.body.kind).toBe('Status');
    }
  });

  it('is still healthy afterwards', async () => {
    expect((await cluster.http().get('/readyz')).text).toBe('ok');
  });
});

/**
 * A seeded hostile-input fuzzer over HTTP: well over 10,000 requests an attacker or a careless client might
 * send — malformed JSON, YAML and protobuf, bombs, deep nesting, huge bodies and headers, bad names, labels,
 * selectors, resourceVersions, continue tokens and patches, wrong verbs, methods, paths and content types —
 * against a kubemu with its API alone. Every answer must be below 500 and every error a Status, a rejected
 * request must leave the store as it was, and kubemu must be alive at the end. FUZZ_SEED reproduces a run.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded, type Random } from './support/random.js';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 11_000);
const random: Random = seeded(SEED);

let cluster: TestCluster;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false, historyWindow: 2000 });
  port = Number(new URL(cluster.url).port);
  const http = cluster.http();
  await http.post('/api/v1/namespaces/default/configmaps').send(configMap('target', { a: '1' }, { app: 'x' })).expect(201);
  await http.post('/api/v1/namespaces/default/secrets').send({ metadata: { name: 'target' }, stringData: { k: 'v' } }).expect(201);
  await http.post('/apis/apps/v1/namespaces/default/deployments').send(DEPLOYMENT).expect(201);
  await http.post('/api/v1/namespaces/default/pods').send(POD).expect(201);
  await http.post('/api/v1/namespaces/default/services').send(SERVICE).expect(201);
});
afterAll(async () => {
  agent.destroy();
  await cluster.close();
});

// ---------------------------------------------------------------- the world the fuzzer aims at

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'target', labels: { app: 'x' } },
  spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
};
const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
const SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'target' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } };

const COLLECTIONS = [
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/secrets',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/services',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/apps/v1/namespaces/default/daemonsets',
  '/apis/batch/v1/namespaces/default/jobs',
  '/api/v1/nodes',
  '/api/v1/namespaces',
];
const OBJECTS = [
  '/api/v1/namespaces/default/configmaps/target',
  '/api/v1/namespaces/default/secrets/target',
  '/api/v1/namespaces/default/pods/target',
  '/api/v1/namespaces/default/services/target',
  '/apis/apps/v1/namespaces/default/deployments/target',
];
const SUBRESOURCES = [
  '/api/v1/namespaces/default/pods/target/status',
  '/api/v1/namespaces/default/pods/target/binding',
  '/api/v1/namespaces/default/pods/target/eviction',
  '/api/v1/namespaces/default/pods/target/log',
  '/api/v1/namespaces/default/pods/target/exec',
  '/api/v1/namespaces/default/pods/target/ephemeralcontainers',
  '/apis/apps/v1/namespaces/default/deployments/target/scale',
  '/apis/apps/v1/namespaces/default/deployments/target/status',
  '/api/v1/namespaces/default/serviceaccounts/default/token',
  '/api/v1/namespaces/default/finalize',
];
const BODIES: readonly unknown[] = [DEPLOYMENT, POD, SERVICE, configMap('fz', { a: 'b' }), { metadata: { name: 'fz' }, data: { a: 'b' } }];

const WEIRD_STRINGS = [
  '', ' ', 'a', '-', '.', '..', 'A', 'UPPER', 'a'.repeat(64), 'a'.repeat(254), 'a'.repeat(300), 'x/y', 'x y', 'ü', '名前', '💥', '\u0000', '\u202e', '%', '%00', '${x}',
  '<script>', "' OR 1=1", 'null', 'true', '1e999', '-1', '0x10', '18446744073709551616', '9'.repeat(40), 'kube-system', 'default', 'kubernetes.io/x', 'a=b', '!', '\\',
];

// ---------------------------------------------------------------- generators

interface HostileRequest {
  category: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

function randomValue(depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.35) return random.pick<unknown>([null, true, false, 0, -1, 1.5, 2 ** 63, Number.MAX_SAFE_INTEGER, ...WEIRD_STRINGS]);
  if (roll < 0.6) return Array.from({ length: random.int(4) }, () => randomValue(depth - 1));
  const object: Record<string, unknown> = {};
  const keys = ['metadata', 'name', 'namespace', 'labels', 'annotations', 'spec', 'status', 'data', 'items', 'containers', 'image', 'ports', 'selector', 'managedFields', 'finalizers', 'ownerReferences', 'resourceVersion', 'uid', 'generateName', 'kind', 'apiVersion', '$patch', 'op', 'path', 'value', ...WEIRD_STRINGS.slice(0, 12)];
  for (let i = random.int(5); i > 0; i--) object[random.pick(keys)] = randomValue(depth - 1);
  return object;
}

/** A valid body with one subtree replaced by something random. */
function mutated(): unknown {
  const copy = structuredClone(random.pick(BODIES)) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = random.pick(keys);
    if (random() < 0.35 || typeof node[key] !== 'object' || node[key] === null) {
      node[key] = randomValue(3);
      break;
    }
    node = node[key] as Record<string, unknown>;
  }
  return copy;
}

function nested(depth: number, open = '[', close = ']', leaf = '1'): string {
  return `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
}

function objectNested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function corrupt(text: string): string {
  const chars = [...text];
  const roll = random();
  if (roll < 0.3) return text.slice(0, random.int(text.length));
  if (roll < 0.5) {
    for (let i = random.int(4) + 1; i > 0; i--) chars[random.int(chars.length)] = random.pick(['{', '}', '[', ']', '"', ':', ',', '\\', '\u0000', '\n', 'é', '\t', "'", '&', '*', '!', '#', '-']);
    return chars.join('');
  }
  if (roll < 0.7) return text + random.pick(['}', ']', 'garbage', '\u0000', ',', '{}', '\n---\nb: 1']);
  if (roll < 0.85) return `\ufeff${text}`;
  return random.pick(['NaN', 'Infinity', '{"a":01}', '{"a":1,}', "{'a':1}", '{"a":"\\ud800"}', '[1,2,3', '"\\u00"', '{"a" 1}', '{,}', '']);
}

const YAML_NASTIES = [
  'a: &x [*x]\n',
  'a: *nope\n',
  'metadata: {name: y}\ndata: !!binary aGVsbG8=\n',
  'metadata: {name: y}\nx: !!js/function "function(){}"\n',
  'metadata:\n\tname: tab\n',
  'metadata: {name: y\n',
  'a: 1\n---\nb: 2\n',
  'a: 1\n...\n---\n',
  '? [a, b]\n: c\n',
  'metadata: {name: y}\ndata: {<<: {a: b}}\n',
  '%YAML 1.1\n---\nmetadata: {name: yes}\n',
  'metadata: {name: "\\xff"}\n',
  '- - - - - - - - - - - -\n',
  "metadata: {name: 'unterminated\n",
  'data: |\n  text\n bad-indent: 1\n',
];

function yamlBomb(): string {
  const roll = random();
  if (roll < 0.25) {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    return text;
  }
  if (roll < 0.5) return `metadata: {name: amp}\ns: &s ${'x'.repeat(random.int(500_000) + 10_000)}\nl: [${Array(random.int(99) + 1).fill('*s').join(', ')}]\n`;
  if (roll < 0.75) return nested(random.pick([300, 1000, 5000, 50_000]));
  let block = '';
  for (let i = 0; i < random.pick([300, 2000]); i++) block += `${' '.repeat(i)}k:\n`;
  return block;
}

function protobufBody(): Buffer {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  const roll = random();
  if (roll < 0.3) return Buffer.concat([magic, Buffer.from(Array.from({ length: random.int(200) }, () => random.int(256)))]);
  if (roll < 0.5) return Buffer.from(Array.from({ length: random.int(100) }, () => random.int(256)));
  // An envelope (Unknown: typeMeta=1, raw=2) claiming a kind, around random or truncated bytes.
  const typeMeta = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('v1'), Buffer.from([0x12, 9]), Buffer.from('ConfigMap')]);
  const raw = Buffer.from(Array.from({ length: random.int(60) }, () => random.int(256)));
  const envelope = Buffer.concat([Buffer.from([0x0a, typeMeta.length]), typeMeta, Buffer.from([0x12, random() < 0.5 ? raw.length : 0xff, 0xff, 0xff, 0x0f]), raw]);
  return Buffer.concat([magic, roll < 0.8 ? envelope : envelope.subarray(0, random.int(envelope.length))]);
}

function hugeKeys(): string {
  const count = random.pick([50_000, 200_000]);
  if (random() < 0.5) return `{"metadata":{"name":"hk${random.int(1e6)}"},${Array.from({ length: count }, (_, i) => `"u${i}":1`).join(',')}}`;
  return `{"metadata":{"name":"hk${random.int(1e6)}"},"data":{${Array.from({ length: count }, () => '"k":"v"').join(',')}}}`;
}

function jsonPatch(): unknown {
  const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus', ''];
  const paths = ['', '/', '/metadata', '/metadata/labels/a', '/spec/replicas', '/data/x', '/metadata/name', '/x/y/z', '/spec/template/spec/containers/-', '/spec/template/spec/containers/99', '~2', '/a~1b', '/metadata/managedFields/0/fieldsV1'];
  return Array.from({ length: random.int(4) + 1 }, () => {
    const op: Record<string, unknown> = { op: random.pick(ops), path: random.pick(paths) };
    if (random() < 0.7) op.value = randomValue(3);
    if (random() < 0.3) op.from = random.pick(paths);
    return op;
  });
}

function query(): string {
  const params = [
    ['labelSelector', ['a in ()', 'a in (b', 'a=b,,', '!', '=', 'a==b==c', `${'a,'.repeat(1000)}a`, 'a notin x', 'ü=1', '', 'a in (b),c!=d']],
    ['fieldSelector', ['metadata.name=x', 'spec.nodeName!=', 'nope=1', 'metadata.name', '==', 'status.phase in (a)']],
    ['resourceVersion', ['0', '1', 'abc', '-1', '18446744073709551616', '99999999999999999999999', '1.5', '999999999']],
    ['resourceVersionMatch', ['Exact', 'NotOlderThan', 'Bogus', '']],
    ['limit', ['-1', 'abc', '0', '1', '99999999999999999999', '1e3']],
    ['continue', ['garbage', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIifQ', '%%%', 'e30', Buffer.from('{"v":"meta.k8s.io/v1","rv":-5,"start":"/../x"}').toString('base64')]],
    ['dryRun', ['All', 'all', 'None', '']],
    ['fieldValidation', ['Strict', 'Warn', 'Ignore', 'strict', 'Bogus']],
    ['fieldManager', ['', 'a'.repeat(200), 'ü', 'kubectl']],
    ['force', ['true', 'maybe', '0', 'FALSE']],
    ['propagationPolicy', ['Foreground', 'Orphan', 'Bogus', '']],
    ['gracePeriodSeconds', ['-1', 'abc', '0', '99999999999999999999']],
    ['timeoutSeconds', ['-1', 'abc', '0', '1']],
    ['watch', ['1', 'true', 'false', 'garbage']],
    ['allowWatchBookmarks', ['true', 'x']],
    ['sendInitialEvents', ['true', 'false', 'x']],
    ['includeObject', ['None', 'Object', 'Metadata', 'x']],
    ['pretty', ['true', 'x']],
    ['follow', ['true', 'x']],
    ['tailLines', ['-5', 'x']],
  ] as const;
  const parts: string[] = [];
  for (let i = random.int(3); i >= 0; i--) {
    const [name, values] = random.pick(params);
    parts.push(`${name}=${encodeURIComponent(random.pick(values))}`);
  }
  if (random() < 0.05) parts.push('%zz=1', 'a=%', `${'x'.repeat(random.int(8000))}=1`);
  return parts.join('&');
}

const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  ' ',
  ';;;',
  'application/json; charset=utf-16',
  'application/json;;',
  '*/*',
  'application/',
  'APPLICATION/JSON',
];
const ACCEPTS = ['application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'text/html', '*/*', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v9;g=x', ',,,', ''];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO'];

function weirdPath(): string {
  const roll = random();
  if (roll < 0.2) return `/api/v1/namespaces/${encodeURIComponent(random.pick(WEIRD_STRINGS))}/configmaps/${encodeURIComponent(random.pick(WEIRD_STRINGS))}`;
  if (roll < 0.35) return random.pick(['/api/v1/configmaps', '/api/v1/secrets', '/api/v1/watch/configmaps', '/api/v1/watch/namespaces/default/configmaps', '/api/v1/watch/namespaces/default/configmaps/target']);
  if (roll < 0.5) return random.pick(['/api/v1/../../etc/passwd', '/api//v1//namespaces', '/api/v1/namespaces/default/configmaps/target/extra/parts', '/apis/nope/v1/things', '/api/v2/pods', '/api/v1/namespaces/default/%2e%2e', '/api/v1/%E0%A4%A', '/apis/apps/v1/namespaces/default/deployments/target/scale/x', '/openapi/v3/apis/nope/v1', '/openapi/v2', '/version', '/healthz/nope', '/readyz?verbose&exclude=etcd']);
  if (roll < 0.6) return `/api/v1/namespaces/default/configmaps/${'a'.repeat(random.pick([300, 5000, 60_000]))}`;
  if (roll < 0.8) return random.pick(SUBRESOURCES);
  return random.pick(OBJECTS);
}

function hostileRequest(): HostileRequest {
  const roll = random();
  const headers: Record<string, string> = {};
  if (roll < 0.12) {
    // malformed JSON
    const body = corrupt(JSON.stringify(random() < 0.5 ? random.pick(BODIES) : mutated()));
    return { category: 'malformed JSON', method: random.pick(['POST', 'PUT']), path: random() < 0.5 ? random.pick(COLLECTIONS) : random.pick(OBJECTS), headers: { 'content-type': 'application/json' }, body };
  }
  if (roll < 0.2) {
    const body = random() < 0.5 ? random.pick(YAML_NASTIES) : corrupt('metadata:\n  name: y\ndata:\n  a: b\n');
    return { category: 'malformed YAML', method: 'POST', path: random.pick(COLLECTIONS), headers: { 'content-type': 'application/yaml' }, body };
  }
  if (roll < 0.25) return { category: 'malformed protobuf', method: random.pick(['POST', 'PUT', 'DELETE']), path: random() < 0.5 ? random.pick(COLLECTIONS) : random.pick(OBJECTS), headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: protobufBody() };
  if (roll < 0.3) {
    const bomb = yamlBomb();
    const apply = random() < 0.3;
    return { category: 'YAML bomb', method: apply ? 'PATCH' : 'POST', path: apply ? `${random.pick(OBJECTS)}?fieldManager=fz` : random.pick(COLLECTIONS), headers: { 'content-type': apply ? 'application/apply-patch+yaml' : 'application/yaml' }, body: bomb };
  }
  if (roll < 0.35) {
    const depth = random.pick([257, 1000, 10_000, 100_000]);
    const body = random() < 0.5 ? `{"metadata":{"name":"deep"},"x":${nested(depth)}}` : `{"metadata":{"name":"deep","managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":${objectNested(depth)}}]}}`;
    const type = random.pick(['application/json', 'application/yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
    const patch = type.includes('patch');
    return { category: 'deep nesting', method: patch ? 'PATCH' : 'POST', path: patch ? `${random.pick(OBJECTS)}?fieldManager=fz` : random.pick(COLLECTIONS), headers: { 'content-type': type }, body };
  }
  if (roll < 0.37) {
    const big = random() < 0.75;
    return { category: 'huge body', method: 'POST', path: random.pick(COLLECTIONS), headers: { 'content-type': 'application/json' }, body: big ? `{"metadata":{"name":"big"},"data":{"a":"${'x'.repeat(3 * 1024 * 1024)}"}}` : hugeKeys() };
  }
  if (roll < 0.38) return { category: 'huge headers', method: 'GET', path: random.pick(OBJECTS), headers: { 'x-filler': 'x'.repeat(random.pick([100_000, 2_000_000])) } };
  if (roll < 0.5) {
    const object = structuredClone(random.pick(BODIES)) as { metadata: Record<string, unknown> };
    const field = random.pick(['name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'resourceVersion', 'uid', 'creationTimestamp', 'deletionTimestamp']);
    const weird = random.pick(WEIRD_STRINGS);
    object.metadata[field] = ['labels', 'annotations'].includes(field) ? { [weird]: random.pick(WEIRD_STRINGS) } : ['finalizers'].includes(field) ? [weird] : field === 'ownerReferences' ? [{ apiVersion: weird, kind: weird, name: weird, uid: weird }] : weird;
    return { category: 'bad metadata', method: 'POST', path: random.pick(COLLECTIONS), headers: { 'content-type': 'application/json' }, body: JSON.stringify(object) };
  }
  if (roll < 0.62) {
    const path = `${random() < 0.5 ? random.pick(COLLECTIONS) : random.pick(OBJECTS)}?${query()}`;
    return { category: 'bad query', method: random.pick(['GET', 'GET', 'DELETE', 'PATCH']), path, headers: { 'content-type': 'application/merge-patch+json' }, body: random() < 0.5 ? '{"metadata":{"labels":{"fz":"1"}}}' : undefined };
  }
  if (roll < 0.77) {
    const type = random.pick(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
    const body = type === 'application/json-patch+json' ? jsonPatch() : random() < 0.5 ? mutated() : randomValue(5);
    return { category: 'bad patch', method: 'PATCH', path: `${random.pick([...OBJECTS, ...SUBRESOURCES])}?fieldManager=fz${random() < 0.2 ? '&force=true' : ''}`, headers: { 'content-type': type }, body: JSON.stringify(body) };
  }
  if (roll < 0.9) {
    const method = random.pick(METHODS);
    const hasBody = random() < 0.6;
    headers['content-type'] = random.pick(CONTENT_TYPES);
    if (random() < 0.3) headers.accept = random.pick(ACCEPTS);
    return { category: 'wrong verb, path or type', method, path: weirdPath(), headers, body: hasBody ? JSON.stringify(random() < 0.5 ? mutated() : random.pick(BODIES)) : undefined };
  }
  if (roll < 0.95) {
    headers['content-type'] = 'application/json';
    headers.accept = random.pick(ACCEPTS);
    return { category: 'negotiation', method: random.pick(['GET', 'POST', 'PUT']), path: random() < 0.5 ? random.pick(COLLECTIONS) : random.pick(OBJECTS), headers, body: JSON.stringify(mutated()) };
  }
  // Browser-shaped requests: foreign origins and hosts.
  headers.origin = random.pick(['http://evil.example', 'null', 'http://127.0.0.1:1', 'file://']);
  if (random() < 0.5) headers.host = random.pick(['evil.example', 'evil.example:80', '10.0.0.1', '[::2]:1']);
  return { category: 'cross-origin', method: random.pick(['POST', 'PUT', 'DELETE', 'PATCH']), path: random() < 0.5 ? random.pick(COLLECTIONS) : random.pick(OBJECTS), headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(configMap(`csrf-${random.int(1e6)}`)) };
}

// ---------------------------------------------------------------- the client

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Watches are bounded (and the fuzzer hangs up once one has started streaming). */
function bounded(path: string): string {
  if (!/watch/i.test(path)) return path;
  const [base, search = ''] = path.split('?') as [string, string?];
  const params = search.split('&').filter((p) => p !== '' && !p.startsWith('timeoutSeconds='));
  return `${base}?${[...params, 'timeoutSeconds=1'].join('&')}`;
}

function send(req: HostileRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    const headers: Record<string, string | number> = { ...req.headers };
    if (body) headers['content-length'] = body.length;
    const path = bounded(req.path);
    const outgoing = request({ host: '127.0.0.1', port, method: req.method, path, headers, agent, insecureHTTPParser: true, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      const answer = () => ({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(answer()));
      res.on('error', reject);
      if (path !== req.path && (res.statusCode ?? 0) < 300) {
        setTimeout(() => {
          resolve(answer());
          outgoing.destroy();
        }, 20);
      }
    });
    outgoing.on('error', (err) => (outgoing.destroyed && path !== req.path ? undefined : reject(err)));
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 15 s')));
    outgoing.end(body);
  });
}

/** Raw bytes on a fresh connection, for what an HTTP client would never send. */
function sendRaw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.setTimeout(3000, () => socket.destroy());
    socket.end(bytes);
  });
}

// ---------------------------------------------------------------- the run

describe(`hostile input over HTTP (seed ${SEED})`, () => {
  it(`answers ${ROUNDS} hostile requests without a crash, a 5xx or a change from a rejected request`, { timeout: 600_000 }, async () => {
    const byCategory = new Map<string, Map<number, number>>();
    const timeIn = new Map<string, number>();
    const failures: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const req = hostileRequest();
      const before = cluster.kubemu.store.revision;
      const started = performance.now();
      let answer: Answer;
      try {
        answer = await send(req);
      } catch (err) {
        // The server may close a connection it refused (an over-long header); the next request opens another.
        answer = { status: -1, contentType: '', body: (err as Error).message };
      }
      timeIn.set(req.category, (timeIn.get(req.category) ?? 0) + performance.now() - started);
      const counts = byCategory.get(req.category) ?? new Map<number, number>();
      counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
      byCategory.set(req.category, counts);
      const what = `#${i} ${req.category}: ${req.method} ${req.path.slice(0, 200)} → ${answer.status} ${answer.body.slice(0, 300)}`;
      if (answer.status >= 500 || answer.status === 0) failures.push(what);
      if (answer.status === -1 && !(req.category === 'huge headers' || req.category === 'huge body')) failures.push(what);
      if (answer.body.startsWith('no answer')) failures.push(`hung: ${what}`);
      if (process.env.FUZZ_PROGRESS && i % 500 === 0) console.log(i, Date.now());
      if (answer.status >= 400 && req.method !== 'HEAD') {
        let status: { kind?: string; code?: number } = {};
        try {
          status = JSON.parse(answer.body) as typeof status;
        } catch {
          // reported below
        }
        if (status.kind !== 'Status' || status.code !== answer.status) failures.push(`not a Status: ${what}`);
      }
      if (answer.status >= 400 && cluster.kubemu.store.revision !== before) failures.push(`store changed by a rejected request: ${what}`);
      if (failures.length > 20) break;
    }

    // What no HTTP client sends: broken request lines, bad header bytes, a CONNECT, an oversized header block.
    const raws = [
      'GARBAGE\r\n\r\n',
      'GET /api/v1/namespaces HTTP/9.9\r\n\r\n',
      'GET /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n',
      'GET /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n',
      'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      `GET /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ${'y'.repeat(2_000_000)}\r\n\r\n`,
      'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      'GET /api/v1/namespaces/default/pods/target/exec HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n',
    ];
    let raw = 0;
    for (const bytes of raws) {
      const answer = await sendRaw(bytes);
      raw++;
      const code = Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0);
      if (code === 0 || code >= 500 || !answer.includes('"kind":"Status"')) failures.push(`raw ${JSON.stringify(bytes.slice(0, 80))} → ${answer.slice(0, 200)}`);
    }

    const table = [...byCategory].map(([category, counts]) => `  ${category.padEnd(26)} ${String(Math.round(timeIn.get(category) ?? 0)).padStart(6)} ms  ${[...counts].sort((a, b) => a[0] - b[0]).map(([code, n]) => `${code}×${n}`).join(' ')}`);
    const total = [...byCategory.values()].reduce((sum, counts) => sum + [...counts.values()].reduce((a, b) => a + b, 0), 0);
    console.log(`hostile input, seed ${SEED}: ${total} requests + ${raw} raw, ${failures.length} failures\n${table.join('\n')}`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(total).toBe(ROUNDS);
    // Enough of each kind of answer for the run to mean something.
    const codes = new Set([...byCategory.values()].flatMap((counts) => [...counts.keys()]));
    for (const code of [200, 201, 400, 404, 405, 413, 415, 422, 403]) expect(codes, `some request answered ${code}`).toContain(code);
    const ready = await cluster.http().get('/readyz');
    expect(ready.status).toBe(200);
  });
});

/**
 * Regressions from a hostile-input probe and from real clients: each case once crashed kubemu, answered
 * 500, executed a verb kube-apiserver refuses, or reported a committed write as failed.
 */
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_NESTING_DEPTH } from '../server/api/nesting.js';
import { kubectlAvailable, NEWEST, OLDEST } from './support/kubectl.js';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ historyWindow: 500 });
});
afterAll(() => cluster.close());

const CM = '/api/v1/namespaces/default/configmaps';

async function alive(): Promise<void> {
  const res = await cluster.http().get('/readyz');
  expect(res.status).toBe(200);
}

async function configMapNames(): Promise<string[]> {
  const res = await cluster.http().get('/api/v1/configmaps');
  return (res.body.items as { metadata: { namespace: string; name: string } }[]).map((i) => `${i.metadata.namespace}/${i.metadata.name}`).sort();
}

function nested(depth: number, leaf = '1'): string {
  return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
}

function expectStatus(res: { status: number; body: { kind?: string; code?: number } }, code: number): void {
  expect(res.status).toBe(code);
  expect(res.body.kind).toBe('Status');
  expect(res.body.code).toBe(code);
}

describe('deeply nested and self-referencing bodies', () => {
  it('answers 400 to deep YAML, however often it comes, and stays up', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await cluster.http().post(CM).set('Content-Type', 'application/yaml').send(nested(1000));
      expectStatus(res, 400);
      expect(res.body.message).toContain(`more than ${MAX_NESTING_DEPTH} levels`);
    }
    for (const depth of [10_000, 100_000]) {
      const apply = await cluster.http().patch(`${CM}/deep?fieldManager=t`).set('Content-Type', 'application/apply-patch+yaml').send(`{"metadata":{"name":"deep"},"x":${nested(depth)}}`);
      expectStatus(apply, 400);
    }
    await alive();
  });

  it('answers 400 to deep managedFields and deep patches of every type', async () => {
    await cluster.http().post(CM).send(configMap('target')).expect(201);
    let fields = '{}';
    for (let i = 0; i < 10_000; i++) fields = `{"f:a":${fields}}`;
    const body = `{"metadata":{"name":"mf","managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":${fields}}]}}`;
    expectStatus(await cluster.http().post(CM).set('Content-Type', 'application/json').send(body), 400);
    const deep = `{"data":{"a":"b"},"x":${nested(10_000)}}`;
    for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
      expectStatus(await cluster.http().patch(`${CM}/target`).set('Content-Type', type).send(deep), 400);
    }
    const jsonPatch = `[{"op":"add","path":"/metadata/annotations","value":${nested(10_000, '{}')}}]`;
    expectStatus(await cluster.http().patch(`${CM}/target`).set('Content-Type', 'application/json-patch+json').send(jsonPatch), 400);
    // Patches that each stay under the bound cannot pile up past it.
    const half = `{"a":${nested(MAX_NESTING_DEPTH - 10, '{}')}}`;
    await cluster.http().patch(`${CM}/target`).set('Content-Type', 'application/json-patch+json').send(`[{"op":"add","path":"/metadata/annotations","value":{}}]`).expect(200);
    const copies = Array.from({ length: 20 }, (_, i) => `{"op":"copy","from":"/x","path":"/x/c${i}"}`);
    const grow = `[{"op":"add","path":"/x","value":${half}},${copies.join(',')}]`;
    const grown = await cluster.http().patch(`${CM}/target`).set('Content-Type', 'application/json-patch+json').send(grow);
    expect([400, 422]).toContain(grown.status);
    expect(grown.body.kind).toBe('Status');
    await alive();
  });

  it('refuses YAML anchors that refer to themselves, in apply bodies and in managedFields', async () => {
    const apply = await cluster.http().patch(`${CM}/self?fieldManager=t`).set('Content-Type', 'application/apply-patch+yaml').send('metadata:\n  name: self\nx: &a [*a]\n');
    expectStatus(apply, 400);
    expect(apply.body.message).toContain('contains itself');
    const create = await cluster
      .http()
      .post(CM)
      .set('Content-Type', 'application/yaml')
      .send('metadata:\n  name: self2\n  managedFields:\n  - manager: m\n    operation: Update\n    fieldsV1: &f {"f:a": *f}\n');
    expectStatus(create, 400);
  });

  it('bounds what aliases expand to: 99 aliases of a 2 MiB scalar are refused at once', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const body = `metadata:\n  name: amp\ndata:\n  s: &s ${big}\nl: [${Array(99).fill('*s').join(', ')}]\n`;
    const started = Date.now();
    const res = await cluster.http().post(CM).set('Content-Type', 'application/yaml').send(body);
    expectStatus(res, 400);
    expect(res.body.message).toContain('excessive aliasing');
    expect(Date.now() - started, 'refused before expanding').toBeLessThan(5_000);
  });

  it('keeps YAML lists of a namespace serving when an object carries deep (valid) managedFields', async () => {
    let fields = '{}';
    for (let i = 0; i < MAX_NESTING_DEPTH - 10; i++) fields = `{"f:a":${fields}}`;
    const body = `{"metadata":{"name":"deepmf","namespace":"default","managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":${fields}}]}}`;
    await cluster.http().post(CM).set('Content-Type', 'application/json').send(body).expect(201);
    const list = await cluster.http().get(CM).set('Accept', 'application/yaml');
    expect(list.status).toBe(200);
    expect(list.text).toContain('name: deepmf');
  });

  it('ignores managedFields that do not decode, as upstream, instead of storing them', async () => {
    const body = { data: { a: 'b' }, metadata: { name: 'badmf', managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { nokey: {} } }] } };
    const created = await cluster.http().post(`${CM}?fieldManager=creator`).send(body).expect(201);
    expect(created.body.metadata.managedFields.map((e: { manager: string }) => e.manager)).toEqual(['creator']);
    const applied = await cluster
      .http()
      .patch(`${CM}/badmf?fieldManager=a`)
      .set('Content-Type', 'application/apply-patch+yaml')
      .send(JSON.stringify({ metadata: { name: 'badmf', managedFields: [] } }));
    expectStatus(applied, 400);
    expect(applied.body.message).toBe('metadata.managedFields must be nil');
  });
});

describe('huge bodies and warnings', () => {
  it('creates with 200,000 unknown fields and 300,000 repeated keys, with warnings bounded as upstream', async () => {
    const unknown = `{"metadata":{"name":"unknown"},${Array.from({ length: 200_000 }, (_, i) => `"u${i}":1`).join(',')}}`;
    const res = await cluster.http().post(CM).set('Content-Type', 'application/json').send(unknown);
    expect(res.status).toBe(201);
    // Node joins repeated headers with ", ".
    const warnings = String(res.headers.warning ?? '');
    expect(warnings.split('299 - ').length - 1).toBeGreaterThan(10);
    expect(warnings.length).toBeLessThan(10_000);
    const strict = await cluster.http().post(`${CM}?fieldValidation=Strict`).set('Content-Type', 'application/json').send(unknown.replace('"unknown"', '"unknown2"'));
    expectStatus(strict, 400);
    const repeated = `{"metadata":{"name":"dups"},"data":{${Array.from({ length: 300_000 }, () => '"k":"v"').join(',')}}}`;
    const dup = await cluster.http().post(CM).set('Content-Type', 'application/json').send(repeated);
    expect(dup.status).toBe(201);
    expect(dup.headers.warning).toBeDefined();
    await alive();
  });

  it('reports a write with a non-ASCII unknown field as done, with the warning in UTF-8', async () => {
    const res = await new Promise<{ status: number; warning: Buffer }>((resolve, reject) => {
      const body = Buffer.from('{"metadata":{"name":"w"},"名前":1}');
      const socket = createConnection(Number(new URL(cluster.url).port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('end', () => {
        const raw = Buffer.concat(chunks);
        const status = Number(raw.toString('latin1').split(' ')[1]);
        const start = raw.indexOf('Warning: ');
        resolve({ status, warning: raw.subarray(start, raw.indexOf('\r\n', start)) });
      });
      socket.write(`POST ${CM} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      socket.write(body);
    });
    expect(res.status).toBe(201);
    expect(res.warning.toString('utf8')).toBe('Warning: 299 - "unknown field \\"名前\\""');
    await cluster.http().get(`${CM}/w`).expect(200);
  });
});

describe('verbs as upstream routes them', () => {
  it('refuses DELETE and POST on the all-namespaces path, and anything but GET under /watch/, with 405', async () => {
    await cluster.http().post('/api/v1/namespaces/kube-system/configmaps').send(configMap('keep-me')).expect(201);
    const before = await configMapNames();
    for (const [method, path] of [
      ['delete', '/api/v1/configmaps'],
      ['delete', '/api/v1/secrets'],
      ['post', '/api/v1/configmaps'],
      ['delete', '/api/v1/watch/namespaces/default/configmaps'],
      ['delete', '/api/v1/watch/namespaces/default/configmaps/target'],
      ['post', '/api/v1/watch/namespaces/default/configmaps'],
      ['put', CM],
      ['post', `${CM}/target`],
    ] as const) {
      const res = await cluster.http()[method](path).send(configMap('x'));
      expectStatus(res, 405);
      expect(res.body.reason).toBe('MethodNotAllowed');
    }
    expect(await configMapNames()).toEqual(before);
  });

  it('answers CONNECT and OPTIONS with a 405 Status instead of dropping the connection', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(Number(new URL(cluster.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('error', reject);
      socket.on('end', () => resolve(text));
      socket.write(`CONNECT ${CM} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 405/);
    expect(answer).toContain('"reason":"MethodNotAllowed"');
    expectStatus(await cluster.http().options(CM), 405);
  });

  it('takes a Scale body only as an autoscaling/v1 Scale', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled' },
      spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    };
    await cluster.http().post('/apis/apps/v1/namespaces/default/deployments').send(deployment).expect(201);
    const path = '/apis/apps/v1/namespaces/default/deployments/scaled/scale';
    const wrong = await cluster.http().put(path).send({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'scaled' }, spec: { replicas: 3 } });
    expectStatus(wrong, 400);
    const right = await cluster.http().put(path).send({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'scaled' }, spec: { replicas: 2 } });
    expect(right.status).toBe(200);
    expect(right.body.spec.replicas).toBe(2);
  });

  it('parses query parameters as upstream: resourceVersion beyond uint64, force on a non-apply patch', async () => {
    for (const path of [`${CM}?resourceVersion=18446744073709551616`, `${CM}/target?resourceVersion=99999999999999999999999`, `${CM}?watch=1&resourceVersion=18446744073709551616`]) {
      const res = await cluster.http().get(path);
      expectStatus(res, 400);
      expect(res.body.message).toContain('value out of range');
    }
    const forced = await cluster.http().patch(`${CM}/target?force=maybe`).set('Content-Type', 'application/merge-patch+json').send({ data: { b: 'c' } });
    expectStatus(forced, 422);
    expect(forced.body.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    // An empty `labelSelector=a in ()` is a selector upstream too: a's value is the empty string.
    await cluster.http().post(CM).send(configMap('empty-label', {}, { a: '' })).expect(201);
    const selected = await cluster.http().get(`${CM}?labelSelector=${encodeURIComponent('a in ()')}`).expect(200);
    expect(selected.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['empty-label']);
  });
});

describe('requests from web pages', () => {
  it('refuses cross-origin writes and foreign Host names, and serves same-origin ones', async () => {
    const csrf = await cluster.http().post(CM).set('Origin', 'http://evil.example').set('Content-Type', '').send('{"metadata":{"name":"csrf"}}');
    expectStatus(csrf, 403);
    await cluster.http().get(`${CM}/csrf`).expect(404);
    const rebound = await cluster.http().get('/api/v1/namespaces').set('Host', `evil.example:${new URL(cluster.url).port}`);
    expectStatus(rebound, 403);
    const host = new URL(cluster.url).host;
    await cluster.http().post(CM).set('Origin', `http://${host}`).send(configMap('same-origin')).expect(201);
  });

  it('refuses WebSocket watches from another origin before upgrading', async () => {
    const url = `${cluster.url.replace('http', 'ws')}/api/v1/secrets?watch=1`;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(403);
    const opened = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(opened).toBe(101);
  });
});

describe('pods as a kubelet serves them', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } };

  beforeAll(async () => {
    await cluster.http().post('/api/v1/namespaces/default/pods').send(pod).expect(201);
    await eventually('the pod runs', async () => (await cluster.http().get('/api/v1/namespaces/default/pods/web')).body.status?.phase === 'Running', 10_000);
  });

  it('refuses exec upgrades with a Status, and survives clients that reset the connection', async () => {
    const port = Number(new URL(cluster.url).port);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = createConnection(port, '127.0.0.1', () => {
          socket.write(
            `GET /api/v1/namespaces/default/pods/web/exec?command=sh&stdout=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
          );
          socket.resetAndDestroy();
          resolve();
        });
        socket.on('error', () => undefined);
      });
    }
    const status = await new Promise<{ code: number; body: string }>((resolve) => {
      const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=1`, ['v4.channel.k8s.io']);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => undefined);
    });
    expect(status.code).toBe(400);
    expect(JSON.parse(status.body)).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect(JSON.parse(status.body).message).toMatch(/^exec is not available for pod web: kubemu simulates node node-\d+ and runs no containers$/);
    await alive();
  });

  it('starts ephemeral containers and reports them as the kubelet does', async () => {
    const path = '/api/v1/namespaces/default/pods/web/ephemeralcontainers';
    const patch = { spec: { ephemeralContainers: [{ name: 'debugger', image: 'busybox:1.36', targetContainerName: 'c' }] } };
    await cluster.http().patch(path).set('Content-Type', 'application/strategic-merge-patch+json').send(patch).expect(200);
    await eventually('the ephemeral container runs', async () => (await cluster.http().get('/api/v1/namespaces/default/pods/web')).body.status?.ephemeralContainerStatuses?.[0]?.state?.running !== undefined, 10_000);
    const status = (await cluster.http().get('/api/v1/namespaces/default/pods/web')).body.status.ephemeralContainerStatuses[0];
    expect(status).toMatchObject({ name: 'debugger', ready: false, restartCount: 0, image: 'docker.io/library/busybox:1.36' });
    expect(status.started).toBeUndefined();
  });

  it('applies a container port without protocol twice (keys carry the defaulted protocol)', async () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { a: 'b' }, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } };
    for (let i = 0; i < 2; i++) {
      const res = await cluster.http().patch('/api/v1/namespaces/default/services/svc?fieldManager=helm').set('Content-Type', 'application/apply-patch+yaml').send(JSON.stringify(service));
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      expect(res.body.spec.ports).toHaveLength(2);
    }
    const applied = (await cluster.http().get('/api/v1/namespaces/default/services/svc')).body.metadata.managedFields.find((e: { manager: string }) => e.manager === 'helm');
    expect(Object.keys(applied.fieldsV1['f:spec']['f:ports'])).toContain('k:{"port":80,"protocol":"TCP"}');
  });

  it('accepts the canonical StatefulSet, whose mounts name its claim templates', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'nginx' } },
        serviceName: 'nginx',
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    await cluster.http().post('/apis/apps/v1/namespaces/default/statefulsets').send(sts).expect(201);
    const bad = structuredClone(sts);
    bad.metadata.name = 'bad';
    bad.spec.template.spec.containers[0]!.volumeMounts[0]!.name = 'nothing';
    const refused = await cluster.http().post('/apis/apps/v1/namespaces/default/statefulsets').send(bad);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('spec.template.spec.containers[0].volumeMounts[0].name: Not found: "nothing"');
  });

  describe.runIf(kubectlAvailable([NEWEST]))(`kubectl ${NEWEST}`, () => {
    it('prints why exec, attach and port-forward are not served, and debug gets a running container', async () => {
      const kubectl = cluster.kubectl(NEWEST);
      for (const args of [['exec', 'web', '--', 'echo', 'hi'], ['attach', 'web'], ['port-forward', 'pod/web', '18080:80']]) {
        const result = await kubectl.run(args, { timeoutMs: 20_000 });
        expect(result.code, args.join(' ')).not.toBe(0);
        expect(result.stderr).toContain('is not available for pod web: kubemu simulates node');
      }
      const debug = await kubectl.run(['debug', 'web', '--image=busybox:1.36', '--target=c', '--container=dbg'], { timeoutMs: 20_000 });
      expect(debug.code, debug.stderr).toBe(0);
      await kubectl.ok(['wait', '--for=jsonpath={.status.ephemeralContainerStatuses[1].state.running.startedAt}', 'pod/web', '--timeout=20s']);
    });
  });
});

describe('OpenAPI v2', () => {
  it('serves every kind\'s definitions, as JSON and as the protobuf kubectl reads', async () => {
    const json = await cluster.http().get('/openapi/v2').set('Accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.body.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    expect(json.body.definitions['io.k8s.api.apps.v1.DaemonSet'].properties.spec).toEqual({ $ref: '#/definitions/io.k8s.api.apps.v1.DaemonSetSpec', description: expect.any(String) });
    const proto = await cluster.http().get('/openapi/v2').set('Accept', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(proto.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect((proto.body as Buffer).length).toBeGreaterThan(100_000);
    expectStatus(await cluster.http().get('/openapi/v2').set('Accept', 'text/html'), 406);
  });

  describe.runIf(kubectlAvailable()).each([OLDEST, NEWEST])('kubectl %s', (minor) => {
    it('explains from OpenAPI v2 (--output=plaintext-openapiv2)', async () => {
      const kubectl = cluster.kubectl(minor);
      const pods = await kubectl.ok(['explain', '--output=plaintext-openapiv2', 'pods']);
      expect(pods).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n\nDESCRIPTION:\n\s+Pod is a collection of containers/);
      expect(pods).toMatch(/\n {3}spec\t<Object>\n/);
      const ports = await kubectl.ok(['explain', '--output=plaintext-openapiv2', 'deployments.spec.template.spec.containers.ports']);
      expect(ports).toMatch(/RESOURCE: ports <\[\]Object>/);
      expect(ports).toMatch(/containerPort\t<integer> -required-/);
    });
  });
});

describe('overload', () => {
  let small: TestCluster;
  beforeAll(async () => {
    small = await startTestCluster({ controllers: false, maxRequestsInflight: 2, maxMutatingRequestsInflight: 1 });
  });
  afterAll(() => small.close());

  /** A request whose answer (or body) is held back, so it stays in flight until the socket closes. */
  function hold(head: string): Promise<ReturnType<typeof createConnection>> {
    return new Promise((resolve) => {
      const socket = createConnection(Number(new URL(small.url).port), '127.0.0.1', () => {
        socket.pause();
        socket.write(head);
        setTimeout(() => resolve(socket), 200);
      });
      socket.on('error', () => undefined);
    });
  }

  it('answers 429 with Retry-After past the in-flight limits, exempts watches and health checks, and recovers', async () => {
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 12; i++) await small.http().post(CM).send(configMap(`big-${i}`, { big })).expect(201);
    const upload = await hold(`POST ${CM} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"metadata":`);
    const mutating = await small.http().post(CM).send(configMap('one-too-many'));
    expectStatus(mutating, 429);
    expect(mutating.body.reason).toBe('TooManyRequests');
    expect(mutating.headers['retry-after']).toBe('1');
    const readers = [await hold(`GET ${CM} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`), await hold(`GET ${CM} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)];
    expectStatus(await small.http().get(`${CM}/big-0`), 429);
    await small.http().get('/readyz').expect(200);
    await small.http().get('/livez').expect(200);
    const watch = await small.http().get(`${CM}?watch=1&timeoutSeconds=1&resourceVersion=${small.kubemu.store.revision}`);
    expect(watch.status).toBe(200);
    for (const socket of [upload, ...readers]) socket.destroy();
    await eventually('the held requests are gone', async () => (await small.http().get(`${CM}/big-0`)).status === 200, 5_000);
    await small.http().post(CM).send(configMap('after')).expect(201);
  });
});

describe('WebSocket watches', () => {
  it('survive clients that send broken frames or reset', async () => {
    const port = Number(new URL(cluster.url).port);
    for (const garbage of [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.from('not a frame')]) {
      await new Promise<void>((resolve) => {
        const socket = createConnection(port, '127.0.0.1', () => {
          socket.write(
            `GET ${CM}?watch=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
          );
        });
        socket.once('data', () => {
          socket.write(garbage);
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 50);
        });
        socket.on('error', () => undefined);
      });
    }
    await alive();
  });
});

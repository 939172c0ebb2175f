import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, startTestCluster, type TestCluster } from './support/server.js';

let cluster: TestCluster;
beforeAll(async () => {
  // The API alone: no scheduler or kubelets acting on the pods these tests write.
  cluster = await startTestCluster({ historyWindow: 200, controllers: false });
});
afterAll(() => cluster.close());

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const CM = '/api/v1/namespaces/default/configmaps';

function daemonSet(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      ...overrides,
    },
  };
}

describe('discovery', () => {
  it('answers legacy discovery without aggregated Accept', async () => {
    const api = await cluster.http().get('/api').set('Accept', 'application/json, */*');
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = await cluster.http().get('/apis');
    expect(apis.body.kind).toBe('APIGroupList');
    expect(apis.body.groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['apps', 'batch', 'rbac.authorization.k8s.io', 'events.k8s.io']));
    const apps = await cluster.http().get('/apis/apps');
    expect(apps.body).toMatchObject({ kind: 'APIGroup', name: 'apps', preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
  });

  it('serves aggregated discovery v2 and v2beta1 with the exact content types kubectl checks', async () => {
    const v2 = await cluster
      .http()
      .get('/apis')
      .set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    expect(v2.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const body = JSON.parse(v2.text);
    expect(body.apiVersion).toBe('apidiscovery.k8s.io/v2');
    const apps = body.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'apps');
    const ds = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'daemonsets');
    expect(ds).toMatchObject({ responseKind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, scope: 'Namespaced', shortNames: ['ds'], categories: ['all'] });
    expect(ds.subresources.map((s: { subresource: string }) => s.subresource)).toEqual(['status']);
    const deploy = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    expect(deploy.subresources).toContainEqual({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
    const beta = await cluster.http().get('/api').set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    expect(beta.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    expect(JSON.parse(beta.text).items[0].metadata.name).toBe('');
  });

  it('lists pods/eviction as policy/v1 Eviction and never daemonsets/scale', async () => {
    const core = await cluster.http().get('/api/v1');
    expect(core.body.resources).toContainEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    const apps = await cluster.http().get('/apis/apps/v1');
    const names = apps.body.resources.map((r: { name: string }) => r.name);
    expect(names).toContain('daemonsets/status');
    expect(names).not.toContain('daemonsets/scale');
    expect(names).toContain('deployments/scale');
    expect((await cluster.http().get('/apis/apps/v2')).status).toBe(404);
  });
});

describe('CRUD and system metadata', () => {
  it('creates (201) with uid, RFC 3339 whole-second timestamp and a string resourceVersion, then reads it back', async () => {
    const created = await cluster.http().post(CM).send(configMap('crud-a'));
    expect(created.status).toBe(201);
    const meta = created.body.metadata;
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(typeof meta.resourceVersion).toBe('string');
    expect(meta.namespace).toBe('default');
    const got = await cluster.http().get(`${CM}/crud-a`);
    expect(got.body).toEqual(created.body);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
  });

  it('generates names from generateName', async () => {
    const created = await cluster.http().post(CM).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(created.status).toBe(201);
    expect(created.body.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('updates with optimistic concurrency: a stale resourceVersion is a 409 Conflict', async () => {
    const created = await cluster.http().post(CM).send(configMap('crud-b'));
    const rv = created.body.metadata.resourceVersion;
    const updated = await cluster.http().put(`${CM}/crud-b`).send({ ...created.body, data: { k: 'v2' } });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    const stale = await cluster.http().put(`${CM}/crud-b`).send({ ...created.body, data: { k: 'v3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      code: 409,
      message: 'Operation cannot be fulfilled on configmaps "crud-b": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'crud-b', kind: 'configmaps' },
    });
    const mismatch = await cluster.http().put(`${CM}/crud-b`).send(configMap('other'));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toBe('the name of the object (other) does not match the name on the URL (crud-b)');
  });

  it('answers AlreadyExists, NotFound and missing namespaces as upstream', async () => {
    await cluster.http().post(CM).send(configMap('dup'));
    const again = await cluster.http().post(CM).send(configMap('dup'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists', details: { name: 'dup', kind: 'configmaps' } });
    const missing = await cluster.http().get(`${CM}/nope`);
    expect(missing.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'configmaps' },
      code: 404,
    });
    const noNamespace = await cluster.http().post('/api/v1/namespaces/ghost/configmaps').send(configMap('x'));
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "ghost" not found', details: { name: 'ghost', kind: 'namespaces' } });
    const groupMissing = await cluster.http().get('/apis/apps/v1/namespaces/default/daemonsets/nope');
    expect(groupMissing.body).toMatchObject({ message: 'daemonsets.apps "nope" not found', details: { group: 'apps', kind: 'daemonsets' } });
  });

  it('deletes with a success Status carrying the uid, and honours uid preconditions', async () => {
    const created = await cluster.http().post(CM).send(configMap('del-a'));
    const wrong = await cluster.http().delete(`${CM}/del-a`).send({ preconditions: { uid: 'not-it' } });
    expect(wrong.status).toBe(409);
    expect(wrong.body.message).toContain('Precondition failed: UID in precondition: not-it');
    const deleted = await cluster.http().delete(`${CM}/del-a`).send({ propagationPolicy: 'Background' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del-a', kind: 'configmaps', uid: created.body.metadata.uid } });
    expect((await cluster.http().get(`${CM}/del-a`)).status).toBe(404);
  });

  it('deletes a collection by label selector and returns what it deleted', async () => {
    for (const name of ['dc-1', 'dc-2', 'dc-keep']) await cluster.http().post(CM).send(configMap(name, {}, { group: name === 'dc-keep' ? 'keep' : 'drop' }));
    const res = await cluster.http().delete(`${CM}?labelSelector=group%3Ddrop`);
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('ConfigMapList');
    expect(res.body.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(['dc-1', 'dc-2']);
    expect((await cluster.http().get(`${CM}/dc-keep`)).status).toBe(200);
  });

  it('stores nothing for dryRun=All', async () => {
    const res = await cluster.http().post(`${CM}?dryRun=All`).send(configMap('dry'));
    expect(res.status).toBe(201);
    expect(res.body.metadata.uid).toBeDefined();
    expect((await cluster.http().get(`${CM}/dry`)).status).toBe(404);
    const bad = await cluster.http().post(`${CM}?dryRun=Some`).send(configMap('dry'));
    expect(bad.status).toBe(400);
  });

  it('accepts YAML bodies and answers YAML when asked', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  x: "1"\n';
    const created = await cluster.http().post(CM).set('Content-Type', 'application/yaml').send(yaml);
    expect(created.status).toBe(201);
    const got = await cluster.http().get(`${CM}/from-yaml`).set('Accept', 'application/yaml');
    expect(got.headers['content-type']).toMatch(/^application\/yaml/);
    expect(got.text).toContain('name: from-yaml');
  });
});

describe('bad input is a Status, never a crash', () => {
  it.each([
    ['not JSON', 'application/json', '{"apiVersion":', 400],
    ['an array', 'application/json', '[1,2]', 400],
    ['an unknown content type', 'text/plain', 'hello', 415],
    ['a wrong apiVersion', 'application/json', JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 400],
    ['a wrong JSON type', 'application/json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: 'oops' }), 400],
    ['YAML with an alias bomb', 'application/yaml', `a: &a [xx,xx,xx,xx,xx,xx,xx,xx,xx,xx]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`, 400],
  ])('%s', async (_name, type, body, code) => {
    const res = await cluster.http().post(CM).set('Content-Type', type).send(body);
    expect(res.status).toBe(code);
    expect(res.body.kind).toBe('Status');
    expect(res.body.code).toBe(code);
  });

  it('rejects bodies over 3 MiB with 413', async () => {
    const res = await cluster.http().post(CM).send(configMap('huge', { big: 'x'.repeat(3 * 1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body.reason).toBe('RequestEntityTooLarge');
  });

  it('reports unknown paths, verbs and representations', async () => {
    expect((await cluster.http().get('/api/v1/widgets')).status).toBe(404);
    expect((await cluster.http().get('/api/v1/namespaces/default/configmaps/a/b/c')).status).toBe(404);
    expect((await cluster.http().get('/apis/apps/v1/namespaces/default/daemonsets/x/scale')).status).toBe(404);
    const noVerb = await cluster.http().get('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(noVerb.status).toBe(405);
    expect(noVerb.body.reason).toBe('MethodNotAllowed');
    expect((await cluster.http().get(CM).set('Accept', 'application/vnd.kubernetes.protobuf')).status).toBe(406);
  });
});

describe('validation', () => {
  it('worded as upstream, with one cause per error', async () => {
    const res = await cluster.http().post(CM).send(configMap('Bad_Name', { 'bad key': 'v' }));
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.message).toBe(
      "ConfigMap \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')]",
    );
    expect(res.body.details.causes).toHaveLength(2);
    expect(res.body.details.causes[1]).toMatchObject({ reason: 'FieldValueInvalid', field: 'data[bad key]' });
  });

  it('requires a name', async () => {
    const res = await cluster.http().post(CM).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  it('applies the DaemonSet rules of the spec', async () => {
    const url = '/apis/apps/v1/namespaces/default/daemonsets';
    const mismatch = await cluster.http().post(url).send(daemonSet('ds-bad', { selector: { matchLabels: { app: 'other' } } }));
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.message).toBe('DaemonSet.apps "ds-bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"ds-bad"}: `selector` does not match template `labels`');
    expect(mismatch.body.details).toMatchObject({ group: 'apps', kind: 'DaemonSet' });
    const never = await cluster.http().post(url).send({
      ...daemonSet('ds-never'),
      spec: { ...(daemonSet('ds-never').spec as object), template: { metadata: { labels: { app: 'ds-never' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
    });
    expect(never.body.message).toContain('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
    const both = await cluster.http().post(url).send(daemonSet('ds-both', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }));
    expect(both.body.message).toContain('spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero');
    const zero = await cluster.http().post(url).send(daemonSet('ds-zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }));
    expect(zero.body.message).toContain('spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0');
    const negative = await cluster.http().post(url).send(daemonSet('ds-neg', { minReadySeconds: -1 }));
    expect(negative.body.message).toContain('spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0');
  });

  it('handles unknown fields per fieldValidation', async () => {
    const body = { ...configMap('fv'), spec: { foo: 1 }, extra: true };
    const strict = await cluster.http().post(`${CM}?fieldValidation=Strict`).send(body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec", unknown field "extra"');
    const warn = await cluster.http().post(`${CM}?fieldValidation=Warn`).send(body);
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toBe('299 - "unknown field \\"spec\\"", 299 - "unknown field \\"extra\\""');
    expect(warn.body.extra).toBeUndefined();
    const ignore = await cluster.http().post(`${CM}?fieldValidation=Ignore`).send({ ...body, metadata: { name: 'fv-ignore' } });
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
  });
});

describe('defaults and system behaviour', () => {
  it('defaults DaemonSets, sets generation 1 and the template generation annotation', async () => {
    const res = await cluster.http().post('/apis/apps/v1/namespaces/default/daemonsets').send(daemonSet('ds-def'));
    expect(res.status).toBe(201);
    const ds = res.body;
    expect(ds.metadata.generation).toBe(1);
    expect(ds.metadata.annotations['deprecated.daemonset.template.generation']).toBe('1');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30 });
    expect(ds.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    expect(ds.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  });

  it('bumps generation on spec changes only, and /status changes only status', async () => {
    const url = '/apis/apps/v1/namespaces/default/daemonsets/ds-gen';
    await cluster.http().post('/apis/apps/v1/namespaces/default/daemonsets').send(daemonSet('ds-gen'));
    const labelled = await cluster.http().patch(url).set('Content-Type', 'application/merge-patch+json').send({ metadata: { labels: { x: 'y' } } });
    expect(labelled.body.metadata.generation).toBe(1);
    const spec = await cluster.http().patch(url).set('Content-Type', 'application/merge-patch+json').send({ spec: { minReadySeconds: 5 } });
    expect(spec.body.metadata.generation).toBe(2);
    expect(spec.body.metadata.annotations['deprecated.daemonset.template.generation']).toBe('1');
    const template = await cluster.http().patch(url).set('Content-Type', 'application/merge-patch+json').send({ spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } });
    expect(template.body.metadata.generation).toBe(3);
    expect(template.body.metadata.annotations['deprecated.daemonset.template.generation']).toBe('2');
    const ignoredStatus = await cluster.http().patch(url).set('Content-Type', 'application/merge-patch+json').send({ status: { numberReady: 7 } });
    expect(ignoredStatus.body.status.numberReady).toBe(0);
    const status = await cluster.http().patch(`${url}/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { numberReady: 7 }, spec: { minReadySeconds: 99 } });
    expect(status.status).toBe(200);
    expect(status.body.status.numberReady).toBe(7);
    expect(status.body.spec.minReadySeconds).toBe(5);
    expect(status.body.metadata.generation).toBe(3);
    const negative = await cluster.http().patch(`${url}/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { numberReady: -1 } });
    expect(negative.status).toBe(422);
  });

  it('allocates cluster IPs from 10.96.0.0/12 and node ports from 30000-32767', async () => {
    const res = await cluster
      .http()
      .post('/api/v1/namespaces/default/services')
      .send({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'np' }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] } });
    expect(res.status).toBe(201);
    const spec = res.body.spec;
    const [a, b] = spec.clusterIP.split('.').map(Number);
    expect(a).toBe(10);
    expect(b).toBeGreaterThanOrEqual(96);
    expect(b).toBeLessThanOrEqual(111);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ports[0]).toMatchObject({ port: 80, targetPort: 80, protocol: 'TCP' });
    expect(spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    expect(spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
    const taken = await cluster
      .http()
      .post('/api/v1/namespaces/default/services')
      .send({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'np2' }, spec: { clusterIP: spec.clusterIP, ports: [{ port: 80 }] } });
    expect(taken.status).toBe(422);
    expect(taken.body.message).toContain('provided IP is already allocated');
  });

  it('gives pods a service account token volume, default tolerations, priority and a QoS class', async () => {
    const res = await cluster
      .http()
      .post('/api/v1/namespaces/default/pods')
      .send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p-def' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } });
    expect(res.status).toBe(201);
    const pod = res.body;
    expect(pod.spec.serviceAccountName).toBe('default');
    expect(pod.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: '1', memory: '1Gi' });
    expect(pod.spec.volumes[0].name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: pod.spec.volumes[0].name, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
    expect(pod.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    expect(pod.spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority', enableServiceLinks: true });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
    const update = await cluster.http().patch('/api/v1/namespaces/default/pods/p-def').set('Content-Type', 'application/merge-patch+json').send({ spec: { restartPolicy: 'Never' } });
    expect(update.status).toBe(422);
    expect(update.body.message).toContain('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
  });

  it('protects the system namespaces and labels namespaces with their name', async () => {
    const refused = await cluster.http().delete('/api/v1/namespaces/default');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('namespaces "default" is forbidden: this namespace may not be deleted');
    const ns = await cluster.http().post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'labelled' } });
    expect(ns.body.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'labelled' });
    expect(ns.body.spec.finalizers).toEqual(['kubernetes']);
    expect(ns.body.status).toEqual({ phase: 'Active' });
    const dotted = await cluster.http().post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } });
    expect(dotted.body.message).toBe('Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
  });

  it('answers access reviews as allowed without storing them', async () => {
    const res = await cluster
      .http()
      .post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
      .send({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } });
    expect(res.status).toBe(201);
    expect(res.body.status.allowed).toBe(true);
  });

  it('serves /scale as an autoscaling/v1 Scale and changes only replicas', async () => {
    const url = '/apis/apps/v1/namespaces/default/deployments';
    await cluster
      .http()
      .post(url)
      .send({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'scaled' },
        spec: { selector: { matchLabels: { app: 's' } }, template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
      });
    const scale = await cluster.http().get(`${url}/scaled/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 0, selector: 'app=s' } });
    const patched = await cluster.http().patch(`${url}/scaled/scale`).set('Content-Type', 'application/merge-patch+json').send({ spec: { replicas: 3 } });
    expect(patched.body.spec.replicas).toBe(3);
    expect((await cluster.http().get(`${url}/scaled`)).body.spec.replicas).toBe(3);
  });
});

describe('Tables', () => {
  it('renders every column with a PartialObjectMetadata row object', async () => {
    await cluster.http().post(CM).send(configMap('tbl', { a: '1', b: '2' }, { tier: 'x' }));
    const res = await cluster.http().get(`${CM}/tbl`).set('Accept', TABLE);
    expect(res.body.kind).toBe('Table');
    expect(res.body.apiVersion).toBe('meta.k8s.io/v1');
    expect(res.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(res.body.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name', priority: 0 });
    expect(res.body.columnDefinitions[0].description).toMatch(/^Name must be unique within a namespace/);
    expect(res.body.rows[0].cells.slice(0, 2)).toEqual(['tbl', 2]);
    expect(res.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'tbl', labels: { tier: 'x' } } });
    const none = await cluster.http().get(`${CM}/tbl?includeObject=None`).set('Accept', TABLE);
    expect(none.body.rows[0].object).toBeNull();
    const full = await cluster.http().get(`${CM}/tbl?includeObject=Object`).set('Accept', TABLE);
    expect(full.body.rows[0].object.data).toEqual({ a: '1', b: '2' });
    expect((await cluster.http().get(`${CM}/tbl?includeObject=Bogus`).set('Accept', TABLE)).status).toBe(400);
  });

  it('lists kinds without a printer as Name / Created At, and carries the list resourceVersion', async () => {
    await cluster
      .http()
      .post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles')
      .send({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [] });
    const res = await cluster.http().get('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles').set('Accept', TABLE);
    expect(res.body.columnDefinitions.map((c: { name: string; type: string }) => `${c.name}:${c.type}`)).toEqual(['Name:string', 'Created At:date']);
    expect(res.body.rows[0].cells[1]).toMatch(/Z$/);
    expect(res.body.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('prints DaemonSets with the upstream columns', async () => {
    const res = await cluster.http().get('/apis/apps/v1/namespaces/default/daemonsets/ds-def').set('Accept', TABLE);
    expect(res.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector',
    ]);
    const row = res.body.rows[0].cells;
    expect([row[0], row[1], row[6], row[8], row[9], row[10]]).toEqual(['ds-def', 0, '<none>', 'c', 'nginx:1', 'app=ds-def']);
  });
});

describe('selectors', () => {
  beforeAll(async () => {
    const labels: Record<string, Record<string, string>> = {
      's-a': { env: 'prod', tier: 'web' },
      's-b': { env: 'dev', tier: 'web' },
      's-c': { env: 'prod' },
      's-d': {},
    };
    for (const [name, l] of Object.entries(labels)) await cluster.http().post('/api/v1/namespaces/kube-public/configmaps').send(configMap(name, {}, l));
  });
  const names = async (query: string) => {
    const res = await cluster.http().get(`/api/v1/namespaces/kube-public/configmaps?${query}`);
    expect(res.status).toBe(200);
    return res.body.items.map((i: { metadata: { name: string } }) => i.metadata.name);
  };

  it.each([
    ['env=prod', ['s-a', 's-c']],
    ['env==prod', ['s-a', 's-c']],
    ['env!=prod', ['s-b', 's-d']],
    ['env in (dev,prod),tier', ['s-a', 's-b']],
    ['env notin (prod)', ['s-b', 's-d']],
    ['tier', ['s-a', 's-b']],
    ['!tier', ['s-c', 's-d']],
  ])('labelSelector=%s', async (selector, expected) => {
    expect(await names(`labelSelector=${encodeURIComponent(selector)}`)).toEqual(expected);
  });

  it('filters by supported field selectors and rejects others as upstream', async () => {
    expect(await names('fieldSelector=metadata.name%3Ds-b')).toEqual(['s-b']);
    expect(await names('fieldSelector=metadata.name!%3Ds-b,metadata.namespace%3Dkube-public')).toEqual(['s-a', 's-c', 's-d']);
    const unsupportedPod = await cluster.http().get('/api/v1/pods?fieldSelector=spec.bogus%3Dx');
    expect(unsupportedPod.status).toBe(400);
    expect(unsupportedPod.body.message).toBe('field label not supported: spec.bogus');
    const unsupportedCm = await cluster.http().get('/api/v1/configmaps?fieldSelector=data%3Dx');
    expect(unsupportedCm.body.message).toBe('"data" is not a known field selector: only "metadata.name", "metadata.namespace"');
    const badLabel = await cluster.http().get('/api/v1/configmaps?labelSelector=a%20b');
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.message).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  });

  it('pages with limit/continue from one snapshot, then expires old tokens with 410', async () => {
    const first = await cluster.http().get('/api/v1/namespaces/kube-public/configmaps?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.metadata.remainingItemCount).toBe(2);
    await cluster.http().delete('/api/v1/namespaces/kube-public/configmaps/s-d');
    const second = await cluster.http().get(`/api/v1/namespaces/kube-public/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect(second.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['s-c', 's-d']);
    expect(second.body.metadata.continue).toBeUndefined();
    // Churn the 200-revision window until the snapshot is gone.
    for (let i = 0; i < 210; i++) await cluster.http().put(`${CM}/tbl`).send(configMap('tbl', { n: String(i) }));
    const expired = await cluster.http().get(`/api/v1/namespaces/kube-public/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(expired.status).toBe(410);
    expect(expired.body.reason).toBe('Expired');
    expect(expired.body.message).toMatch(/^The provided continue parameter is too old to display a consistent list result/);
    expect((await cluster.http().get('/api/v1/configmaps?limit=1&continue=garbage')).status).toBe(400);
  });
});

describe('subresources', () => {
  it('finalizes a namespace through /finalize, changing only spec.finalizers', async () => {
    await cluster.http().post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } });
    const res = await cluster
      .http()
      .put('/api/v1/namespaces/fin/finalize')
      .send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin', labels: { ignored: 'yes' } }, spec: { finalizers: [] } });
    expect(res.status).toBe(200);
    expect(res.body.spec.finalizers).toEqual([]);
    expect(res.body.metadata.labels.ignored).toBeUndefined();
  });

  it('binds a pod to a node exactly once', async () => {
    await cluster.http().post('/api/v1/namespaces/default/pods').send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bind-me' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
    const bound = await cluster.http().post('/api/v1/namespaces/default/pods/bind-me/binding').send(binding);
    expect(bound.status).toBe(201);
    const pod = (await cluster.http().get('/api/v1/namespaces/default/pods/bind-me')).body;
    expect(pod.spec.nodeName).toBe('node-1');
    expect(pod.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    const again = await cluster.http().post('/api/v1/namespaces/default/pods/bind-me/binding').send(binding);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('is already assigned to node "node-1"');
  });

  it('refuses evictions that would break a PodDisruptionBudget with 429', async () => {
    const readyPod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'guarded' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    for (const name of ['g1', 'g2']) {
      await cluster.http().post('/api/v1/namespaces/default/pods').send(readyPod(name));
      await cluster
        .http()
        .patch(`/api/v1/namespaces/default/pods/${name}/status`)
        .set('Content-Type', 'application/merge-patch+json')
        .send({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    await cluster
      .http()
      .post('/apis/policy/v1/namespaces/default/poddisruptionbudgets')
      .send({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } });
    // No disruption controller runs here: until a budget's status is published, evictions wait.
    const early = await cluster.http().post('/api/v1/namespaces/default/pods/g1/eviction').send(eviction('g1'));
    expect(early.status).toBe(429);
    expect(early.body.details).toEqual({ causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard is still being processed by the server.' }], retryAfterSeconds: 10 });
    // The status a disruption controller would write: two healthy, one needed.
    await cluster
      .http()
      .patch('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard/status')
      .set('Content-Type', 'application/merge-patch+json')
      .send({ status: { observedGeneration: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1 } })
      .expect(200);
    const first = await cluster.http().post('/api/v1/namespaces/default/pods/g1/eviction').send(eviction('g1'));
    expect(first.status).toBe(201);
    expect((await cluster.http().get('/api/v1/namespaces/default/pods/g1')).status).toBe(404);
    // The eviction spent the budget and recorded the pod.
    const spent = (await cluster.http().get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard')).body;
    expect(spent.status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { g1: expect.stringMatching(/Z$/) } });
    const second = await cluster.http().post('/api/v1/namespaces/default/pods/g2/eviction').send(eviction('g2'));
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });
    expect(second.body.details.causes[0]).toEqual({ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 1 healthy pods and has 2 currently' });
  });

  it('answers kubelet endpoints with a clear Status while no kubelet serves the pod', async () => {
    const res = await cluster.http().get('/api/v1/namespaces/default/pods/bind-me/log');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('the log of pod bind-me is not served: no kubelet serves node node-1');
  });

  it('rejects duplicate fields under Strict and warns under Warn', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dupe","name":"dupe"},"data":{"a":"1","a":"2"}}';
    const strict = await cluster.http().post(`${CM}?fieldValidation=Strict`).set('Content-Type', 'application/json').send(body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: duplicate field "metadata.name", duplicate field "data.a"');
    const warn = await cluster.http().post(CM).set('Content-Type', 'application/json').send(body);
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toContain('duplicate field \\"data.a\\"');
  });
});

describe('Status bodies, byte for byte as kube-apiserver writes them', () => {
  // Expected bodies written from apimachinery's Go types: Status{TypeMeta, ListMeta, status, message, reason,
  // details{name, group, kind, uid, causes[{reason, message, field}], retryAfterSeconds}, code}, omitempty, then a newline.
  const status = (message: string, reason: string, details: string, code: number) =>
    `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":${JSON.stringify(message)},"reason":"${reason}",${details ? `"details":${details},` : ''}"code":${code}}\n`;

  it('404, 409 AlreadyExists, 409 Conflict and 422 with causes', async () => {
    const missing = await cluster.http().get(`${CM}/status-nope`);
    expect(missing.text).toBe(status('configmaps "status-nope" not found', 'NotFound', '{"name":"status-nope","kind":"configmaps"}', 404));
    await cluster.http().post(CM).send(configMap('status-twice')).expect(201);
    const twice = await cluster.http().post(CM).send(configMap('status-twice'));
    expect(twice.text).toBe(status('configmaps "status-twice" already exists', 'AlreadyExists', '{"name":"status-twice","kind":"configmaps"}', 409));
    const stale = await cluster.http().put(`${CM}/status-twice`).send({ ...configMap('status-twice'), metadata: { name: 'status-twice', resourceVersion: '1' } });
    expect(stale.text).toBe(
      status('Operation cannot be fulfilled on configmaps "status-twice": the object has been modified; please apply your changes to the latest version and try again', 'Conflict', '{"name":"status-twice","kind":"configmaps"}', 409),
    );
    const invalid = await cluster
      .http()
      .post('/apis/apps/v1/namespaces/default/deployments')
      .send({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'status-d' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    const why = 'Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`';
    expect(invalid.text).toBe(
      status(
        `Deployment.apps "status-d" is invalid: spec.template.metadata.labels: ${why}`,
        'Invalid',
        `{"name":"status-d","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":${JSON.stringify(why)},"field":"spec.template.metadata.labels"}]}`,
        422,
      ),
    );
    const nowhere = await cluster.http().get('/api/v1/nowhere');
    expect(nowhere.text).toBe(status('the server could not find the requested resource', 'NotFound', '{}', 404));
  });

  it('ends objects and lists with a newline, as json.Encoder does', async () => {
    await cluster.http().post(CM).send(configMap('status-newline')).expect(201);
    const one = await cluster.http().get(`${CM}/status-newline`);
    expect(one.text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(one.text).metadata.name).toBe('status-newline');
    const list = await cluster.http().get(CM);
    expect(list.text.endsWith(']}\n')).toBe(true);
    expect(Number(list.headers['content-length'])).toBe(Buffer.byteLength(list.text));
  });

  it('serves YAML as upstream writes it: keys sorted, timestamps quoted for YAML 1.1 readers', async () => {
    await cluster.http().post(CM).send(configMap('status-yaml', { zeta: 'yes', alpha: '1' })).expect(201);
    const res = await cluster.http().get(`${CM}/status-yaml`).set('Accept', 'application/yaml');
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.text).toMatch(/^apiVersion: v1\ndata:\n  alpha: "1"\n  zeta: "yes"\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n/);
  });
});


import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlAvailable, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

const NODES = 5;

function podManifest(name: string, cpu: string, memory = '256Mi'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu, memory } } }] },
  });
}

describe.runIf(kubectlAvailable()).each([OLDEST, NEWEST])('kubectl %s: ResourceQuota', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: NODES });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(NODES);
  });
  afterAll(() => cluster.close());

  const used = async (namespace: string, name: string) =>
    (JSON.parse(await kubectl.ok(['get', 'quota', name, '-n', namespace, '-o', 'json'])) as { status?: { used?: Record<string, string> } }).status?.used ?? {};
  const makeNamespace = async (namespace: string, quota: string, hard: string) => {
    await kubectl.ok(['create', 'namespace', namespace]);
    await kubectl.ok(['create', 'quota', quota, '-n', namespace, `--hard=${hard}`]);
    await eventually(`quota ${quota} has its first totals`, async () => Object.keys(await used(namespace, quota)).length > 0);
  };

  it('refuses pods over the quota with the upstream messages, and frees room when a pod goes', async () => {
    await makeNamespace('compute', 'compute', 'pods=2,requests.cpu=1,requests.memory=1Gi');
    const bare = await kubectl.run(['run', 'bare', '-n', 'compute', '--image=nginx']);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain('Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: bare; requests.memory for: bare');

    await kubectl.ok(['apply', '-n', 'compute', '-f', '-'], { stdin: podManifest('a', '400m') });
    await kubectl.ok(['apply', '-n', 'compute', '-f', '-'], { stdin: podManifest('b', '400m') });
    const third = await kubectl.run(['apply', '-n', 'compute', '-f', '-'], { stdin: podManifest('c', '300m') });
    expect(third.code).not.toBe(0);
    expect(third.stderr).toContain(
      'pods "c" is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=300m, used: pods=2,requests.cpu=800m, limited: pods=2,requests.cpu=1',
    );
    await eventually('the quota shows what the pods use', async () => {
      const totals = await used('compute', 'compute');
      return totals.pods === '2' && totals['requests.cpu'] === '800m' && totals['requests.memory'] === '512Mi';
    });
    const described = await kubectl.ok(['describe', 'quota', 'compute', '-n', 'compute']);
    expect(described).toMatch(/requests\.memory\s+512Mi\s+1Gi/);
    expect(described).toMatch(/pods\s+2\s+2/);
    expect(await kubectl.ok(['get', 'quota', '-n', 'compute', '--no-headers'])).toMatch(/^compute\s+pods: 2\/2, requests\.cpu: 800m\/1, requests\.memory: 512Mi\/1Gi\s+\d+s$/m);

    await kubectl.ok(['delete', 'pod', 'b', '-n', 'compute', '--wait=true']);
    await eventually('the deleted pod is no longer charged', async () => (await used('compute', 'compute')).pods === '1');
    await kubectl.ok(['apply', '-n', 'compute', '-f', '-'], { stdin: podManifest('c', '300m') });
  });

  it('counts objects of any kind and refuses the one too many', async () => {
    await makeNamespace('objects', 'objects', 'count/configmaps=2,count/deployments.apps=1');
    await kubectl.ok(['create', 'configmap', 'one', '-n', 'objects']);
    await kubectl.ok(['create', 'configmap', 'two', '-n', 'objects']);
    const three = await kubectl.run(['create', 'configmap', 'three', '-n', 'objects']);
    expect(three.stderr).toContain('configmaps "three" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2');
    // A server-side dry run is checked but holds nothing.
    expect((await kubectl.run(['create', 'deployment', 'web', '-n', 'objects', '--image=nginx', '--dry-run=server'])).code).toBe(0);
    await kubectl.ok(['create', 'deployment', 'web', '-n', 'objects', '--image=nginx']);
    const second = await kubectl.run(['create', 'deployment', 'api', '-n', 'objects', '--image=nginx']);
    expect(second.stderr).toContain('deployments.apps "api" is forbidden: exceeded quota: objects');
    await eventually('the quota shows the objects', async () => {
      const totals = await used('objects', 'objects');
      return totals['count/configmaps'] === '2' && totals['count/deployments.apps'] === '1';
    });
  });

  it('updates DaemonSet status although pod creation fails (TestUpdateStatusDespitePodCreationFailure)', async () => {
    await makeNamespace('limited', 'two-pods', 'pods=2');
    await kubectl.ok(['apply', '-n', 'limited', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox' }] } } },
      }),
    });
    await eventually('status counts the two pods the quota allows', async () => {
      const ds = JSON.parse(await kubectl.ok(['get', 'ds', 'agent', '-n', 'limited', '-o', 'json'])) as { status: Record<string, number> };
      return ds.status.desiredNumberScheduled === NODES && ds.status.currentNumberScheduled === 2 && ds.status.numberReady === 2 && ds.status.numberUnavailable === NODES - 2;
    }, 20_000);
    const described = await kubectl.ok(['describe', 'ds', 'agent', '-n', 'limited']);
    expect(described).toMatch(/FailedCreate.*Error creating: pods "agent-[a-z0-9]{5}" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2/);
    // More room: the controller's retries fill every node.
    await kubectl.ok(['patch', 'quota', 'two-pods', '-n', 'limited', '--type=merge', '-p', '{"spec":{"hard":{"pods":"10"}}}']);
    await eventually('every node runs the daemon', async () => {
      const ds = JSON.parse(await kubectl.ok(['get', 'ds', 'agent', '-n', 'limited', '-o', 'json'])) as { status: Record<string, number> };
      return ds.status.numberReady === NODES;
    }, 30_000);
  });

});

describe('ResourceQuota admission over HTTP', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 0 });
  });
  afterAll(() => cluster.close());

  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const quota = (name: string, hard: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } });
  const used = async (namespace: string, name: string) =>
    ((await cluster.http().get(`/api/v1/namespaces/${namespace}/resourcequotas/${name}`)).body as { status?: { used?: Record<string, string> } }).status?.used ?? {};

  it('never lets concurrent creates overshoot a quota', async () => {
    const http = cluster.http();
    await http.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'racing' } }).expect(201);
    await http.post('/api/v1/namespaces/racing/resourcequotas').send(quota('ten', { pods: '10' })).expect(201);
    await eventually('the quota has its first totals', async () => (await used('racing', 'ten')).pods === '0');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => http.post('/api/v1/namespaces/racing/pods').send(pod(`p${i}`)).then((response) => response.status)));
    expect(answers.filter((code) => code === 201)).toHaveLength(10);
    expect(answers.filter((code) => code === 403)).toHaveLength(30);
    await eventually('the quota shows ten pods', async () => (await used('racing', 'ten')).pods === '10');
  });

});

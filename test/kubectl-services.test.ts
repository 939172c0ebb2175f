import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlAvailable, LATEST, NEWEST, OLDEST, V134, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

interface EndpointsJson {
  metadata: { labels?: Record<string, string> };
  subsets?: { addresses?: { ip: string; nodeName?: string; targetRef?: { kind: string; name: string } }[]; notReadyAddresses?: { ip: string }[]; ports?: { name?: string; port: number; protocol: string }[] }[];
}
interface SliceJson {
  metadata: { name: string; labels: Record<string, string>; ownerReferences: { kind: string; name: string; controller: boolean }[] };
  addressType: string;
  ports: { name: string; port: number; protocol: string }[] | null;
  endpoints: { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; nodeName?: string; targetRef: { kind: string; name: string } }[] | null;
}
interface BudgetJson {
  status: { currentHealthy: number; desiredHealthy: number; expectedPods: number; disruptionsAllowed: number; observedGeneration?: number; conditions?: { type: string; status: string; reason: string }[] };
}

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: nginx
        ports: [{name: http, containerPort: 8080}]
`;

const service = (name: string, extra = '') => `apiVersion: v1
kind: Service
metadata: {name: ${name}, labels: {team: blue}}
spec:
  selector: {app: ${name}}
${extra}  ports: [{name: web, port: 80, targetPort: http}]
`;

describe.runIf(kubectlAvailable([OLDEST, NEWEST, V134, LATEST])).each([OLDEST, NEWEST, V134, LATEST])('kubectl %s: Service endpoints and disruption budgets', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3 });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(3);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const slicesOf = async (name: string) => (await json<{ items: SliceJson[] }>(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${name}`])).items;
  const podIps = async (app: string) =>
    (await json<{ items: { metadata: { deletionTimestamp?: string }; status: { podIP?: string } }[] }>(['get', 'pods', '-l', `app=${app}`])).items
      .filter((p) => !p.metadata.deletionTimestamp && p.status.podIP)
      .map((p) => p.status.podIP as string)
      .sort();
  const rolledOut = (name: string) => kubectl.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });

  it('publishes the ready and not-ready pods of a Service in Endpoints and EndpointSlices, and follows them', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('web', 3) });
    await kubectl.ok(['apply', '-f', '-'], { stdin: service('web') });
    await rolledOut('web');
    const ips = await podIps('web');
    await eventually('the Endpoints list the three pods', async () => {
      const endpoints = await json<EndpointsJson>(['get', 'endpoints', 'web']);
      return JSON.stringify((endpoints.subsets?.[0]?.addresses ?? []).map((a) => a.ip).sort()) === JSON.stringify(ips);
    });
    const endpoints = await json<EndpointsJson>(['get', 'endpoints', 'web']);
    expect(endpoints.metadata.labels).toEqual({ team: 'blue' });
    expect(endpoints.subsets?.[0]?.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(endpoints.subsets?.[0]?.addresses?.[0]).toMatchObject({ nodeName: expect.stringMatching(/^node-/), targetRef: { kind: 'Pod', name: expect.stringMatching(/^web-/) } });
    const [slice, ...more] = await slicesOf('web');
    expect(more).toEqual([]);
    expect(slice?.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice?.metadata.labels).toEqual({ team: 'blue', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', controller: true })]);
    expect(slice?.addressType).toBe('IPv4');
    expect(slice?.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(slice?.endpoints?.map((e) => e.addresses[0]).sort()).toEqual(ips);
    expect(slice?.endpoints?.every((e) => e.conditions.ready && e.conditions.serving && !e.conditions.terminating)).toBe(true);
    const row = (await kubectl.ok(['get', 'endpoints', 'web', '--no-headers'])).trim();
    expect(row).toMatch(/^web\s+\S+:8080,\S+:8080,\S+:8080\s/);
    expect(await kubectl.ok(['describe', 'svc', 'web'])).toMatch(/Endpoints:\s+(\d+\.\d+\.\d+\.\d+:8080,?){3}\n/);

    // A pod that never becomes ready is published as not ready.
    await kubectl.ok(['run', 'laggard', '--image=nginx', '--labels=app=web', '--port=8080', '--annotations=kubemu.io/behavior=NeverReady', '--overrides={"spec":{"containers":[{"name":"laggard","image":"nginx","ports":[{"name":"http","containerPort":8080}]}]}}']);
    await eventually('the laggard is published as not ready', async () => {
      const current = await json<EndpointsJson>(['get', 'endpoints', 'web']);
      const slices = await slicesOf('web');
      const laggard = slices.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef.name === 'laggard');
      return current.subsets?.some((s) => (s.notReadyAddresses ?? []).length === 1) === true && laggard?.conditions.ready === false && laggard.conditions.serving === false;
    });
    // A ready pod turning unready moves to notReadyAddresses and its endpoint to ready: false, and back.
    const turning = (await json<{ items: { metadata: { name: string } }[] }>(['get', 'pods', '-l', 'app=web,pod-template-hash'])).items[0]?.metadata.name as string;
    const readiness = async () => {
      const endpoint = (await slicesOf('web')).flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef.name === turning);
      const current = await json<EndpointsJson>(['get', 'endpoints', 'web']);
      const notReady = (current.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []).length;
      return `${String(endpoint?.conditions.ready)}/${notReady}`;
    };
    await kubectl.ok(['annotate', 'pod', turning, 'kubemu.io/behavior=NeverReady']);
    await eventually('the pod that turned unready is published as not ready', async () => (await readiness()) === 'false/2');
    await kubectl.ok(['annotate', 'pod', turning, 'kubemu.io/behavior-']);
    await eventually('the pod that is ready again is published as ready', async () => (await readiness()) === 'true/1');
    // Scaling down: the deleted pods leave both.
    await kubectl.ok(['scale', 'deployment/web', '--replicas=1']);
    await eventually('one ready address is left', async () => {
      const current = await json<EndpointsJson>(['get', 'endpoints', 'web']);
      const ready = (current.subsets ?? []).flatMap((s) => s.addresses ?? []);
      const sliceReady = (await slicesOf('web')).flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions.ready);
      return ready.length === 1 && sliceReady.length === 1;
    });
    await kubectl.ok(['delete', 'pod', 'laggard', '--wait=false']);
    await eventually('the laggard leaves the Endpoints', async () => !JSON.stringify(await json<EndpointsJson>(['get', 'endpoints', 'web'])).includes('notReadyAddresses'));
  });

  it('publishes not-ready pods as ready with publishNotReadyAddresses, and labels headless services', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('db', 2) });
    await kubectl.ok(['apply', '-f', '-'], { stdin: service('db', '  clusterIP: None\n  publishNotReadyAddresses: true\n') });
    await rolledOut('db');
    await eventually('the headless service has both pods', async () => ((await json<EndpointsJson>(['get', 'endpoints', 'db'])).subsets?.[0]?.addresses ?? []).length === 2);
    expect((await json<EndpointsJson>(['get', 'endpoints', 'db'])).metadata.labels).toEqual({ team: 'blue', 'service.kubernetes.io/headless': '' });
    expect((await slicesOf('db'))[0]?.metadata.labels['service.kubernetes.io/headless']).toBe('');
  });

  it('splits a Service of more than 100 pods into slices of at most 100 endpoints', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('many', 130) });
    await kubectl.ok(['apply', '-f', '-'], { stdin: service('many') });
    await rolledOut('many');
    await eventually('130 endpoints in slices', async () => (await slicesOf('many')).reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) === 130, 20_000);
    // Endpoints are placed as the pods come: every slice holds at most 100, none is empty.
    const sizes = (await slicesOf('many')).map((s) => s.endpoints?.length ?? 0);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    await kubectl.ok(['delete', 'svc', 'many']);
    await eventually('the slices go with their Service', async () => (await slicesOf('many')).length === 0);
    expect((await kubectl.run(['get', 'endpoints', 'many'])).stderr).toContain('not found');
    await kubectl.ok(['delete', 'deployment', 'many']);
  });

  it('keeps PodDisruptionBudget status, and kubectl drain spends it', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('guarded', 3) });
    await rolledOut('guarded');
    await kubectl.ok(['create', 'pdb', 'guarded', '--selector=app=guarded', '--max-unavailable=0']);
    await eventually('the budget allows nothing', async () => {
      const { status } = await json<BudgetJson>(['get', 'pdb', 'guarded']);
      return status.expectedPods === 3 && status.desiredHealthy === 3 && status.currentHealthy === 3 && status.disruptionsAllowed === 0 && status.conditions?.[0]?.reason === 'InsufficientPods';
    });
    const node = (await kubectl.ok(['get', 'pods', '-l', 'app=guarded', '-o', 'jsonpath={.items[0].spec.nodeName}'])).trim();
    const blocked = await kubectl.run(['drain', node, '--ignore-daemonsets', '--force', '--timeout=3s']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    await kubectl.ok(['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"maxUnavailable":1}}']);
    await eventually('the budget allows one disruption', async () => {
      const { status } = await json<BudgetJson>(['get', 'pdb', 'guarded']);
      return status.disruptionsAllowed === 1 && status.desiredHealthy === 2 && status.conditions?.[0]?.reason === 'SufficientPods';
    });
    expect(await kubectl.ok(['get', 'pdb', 'guarded', '--no-headers'])).toMatch(/^guarded\s+N\/A\s+1\s+1\s/);
    const drained = await kubectl.run(['drain', node, '--ignore-daemonsets', '--force', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(drained.stderr + drained.stdout).toContain(`node/${node} drained`);
    await rolledOut('guarded');
    await eventually('the budget is whole again', async () => (await json<BudgetJson>(['get', 'pdb', 'guarded'])).status.currentHealthy === 3);
    await kubectl.ok(['patch', 'pdb', 'guarded', '--type=json', '-p', '[{"op":"remove","path":"/spec/maxUnavailable"},{"op":"add","path":"/spec/minAvailable","value":"50%"}]']);
    await eventually('a percentage minAvailable rounds up over the controller scale', async () => {
      const { status } = await json<BudgetJson>(['get', 'pdb', 'guarded']);
      return status.desiredHealthy === 2 && status.expectedPods === 3 && status.disruptionsAllowed === 1;
    });
    await kubectl.ok(['uncordon', node]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../controllers/events/recorder.js';
import { InProcessClient } from '../server/registry/in-process-client.js';
import { deletedText, kubectlAvailable, LATEST, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';

interface Meta {
  metadata: { name: string; uid: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number; finalizers?: string[]; ownerReferences?: unknown[] };
}
type Owner = { kind: string; apiVersion: string; name: string; uid: string };

const ownerRef = (owner: Owner, block = true) => `  ownerReferences:\n  - {apiVersion: ${owner.apiVersion}, kind: ${owner.kind}, name: ${owner.name}, uid: ${owner.uid}, controller: true, blockOwnerDeletion: ${block}}\n`;
const configMap = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
const POD_SPEC = 'spec:\n  containers:\n  - name: c\n    image: nginx:1\n';

describe.runIf(kubectlAvailable([OLDEST, NEWEST, LATEST])).each([OLDEST, NEWEST, LATEST])('kubectl %s: object lifecycle', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    // A short namespace grace period keeps the namespace tests quick; the default is tested below.
    cluster = await startTestCluster({ namespaceDeletionDelayMs: 300 });
    kubectl = cluster.kubectl(minor);
  });
  afterAll(() => cluster.close());

  const create = async (yaml: string, namespace = 'default') => JSON.parse(await kubectl.ok(['create', '-n', namespace, '-o', 'json', '-f', '-'], { stdin: yaml })) as Meta;
  const owner = (object: Meta, kind: string, apiVersion = 'v1'): Owner => ({ kind, apiVersion, name: object.metadata.name, uid: object.metadata.uid });
  const names = async (resource: string, namespace = 'default') => (await kubectl.ok(['get', resource, '-n', namespace, '-o', 'name'])).trim().split('\n').filter(Boolean);
  const getJson = async (args: string[]) => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as Meta & { status?: { phase?: string; conditions?: { type: string; status: string; message: string }[] } };

  it('--cascade=background (the default): dependents and theirs are collected', async () => {
    const root = await create(configMap('bg-root'));
    const child = await create(configMap('bg-child', ownerRef(owner(root, 'ConfigMap'))));
    await create(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: bg-grandchild\n${ownerRef(owner(child, 'ConfigMap'))}`);
    expect(await kubectl.ok(['delete', 'configmap', 'bg-root'])).toMatch(/^configmap "bg-root" deleted/);
    await kubectl.ok(['wait', '--for=delete', 'configmap/bg-child', 'secret/bg-grandchild', '--timeout=20s']);
  });

  it('--cascade=foreground: the owner stays, marked, until its blocking dependents are gone', async () => {
    const root = await create(configMap('fg-root'));
    await create(configMap('fg-blocker', `${ownerRef(owner(root, 'ConfigMap'))}  finalizers: [example.com/hold]\n`));
    const deleting = kubectl.start(['delete', 'configmap', 'fg-root', '--cascade=foreground', '--timeout=30s']);
    await kubectl.ok(['wait', '--for=jsonpath={.metadata.finalizers[0]}=foregroundDeletion', 'configmap/fg-root', '--timeout=20s']);
    const marked = await getJson(['get', 'configmap', 'fg-root']);
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    await kubectl.ok(['wait', '--for=jsonpath={.metadata.deletionGracePeriodSeconds}=0', 'configmap/fg-blocker', '--timeout=20s']);
    // Adding a finalizer to an object being deleted is refused, as upstream.
    const added = await kubectl.run(['patch', 'configmap', 'fg-blocker', '--type=json', '-p', '[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]']);
    expect(added.stderr).toContain('metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}');
    await kubectl.ok(['patch', 'configmap', 'fg-blocker', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    expect(await deleting.exited).toBe(0);
    expect(deleting.stdout).toMatch(/^configmap "fg-root" deleted/);
    expect(await names('configmaps')).not.toContain('configmap/fg-blocker');
  });

  it('--cascade=orphan: dependents stay, without the reference', async () => {
    const root = await create(configMap('or-root'));
    await create(configMap('or-child', ownerRef(owner(root, 'ConfigMap'))));
    expect(await kubectl.ok(['delete', 'configmap', 'or-root', '--cascade=orphan'])).toMatch(/^configmap "or-root" deleted/);
    const child = await getJson(['get', 'configmap', 'or-child']);
    expect(child.metadata.ownerReferences).toBeUndefined();
  });

  it('cascades a Deployment → ReplicaSet → Pods tree, in the background and in the foreground (envtest: controller-runtime#1459, #1528)', async () => {
    for (const [name, cascade] of [['tree-bg', 'background'], ['tree-fg', 'foreground']] as const) {
      const deployment = await create(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    ${POD_SPEC.replace(/\n  /g, '\n      ')}`,
      );
      const replicaSet = await create(
        `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: ${name}-rs\n  labels: {app: ${name}}\n${ownerRef(owner(deployment, 'Deployment', 'apps/v1'))}spec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    ${POD_SPEC.replace(/\n  /g, '\n      ')}`,
      );
      for (const i of [1, 2]) await create(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}-pod-${i}\n  labels: {app: ${name}}\n${ownerRef(owner(replicaSet, 'ReplicaSet', 'apps/v1'))}${POD_SPEC}`);
      expect(await kubectl.ok(['delete', 'deployment', name, `--cascade=${cascade}`, '--timeout=30s'])).toMatch(new RegExp(`^deployment.apps "${name}" deleted`));
      await kubectl.ok(['wait', '--for=delete', `replicaset/${name}-rs`, `pod/${name}-pod-1`, `pod/${name}-pod-2`, '--timeout=20s']);
    }
  });

  it('deletes a namespace with its contents and finalizers, then the namespace itself (envtest: controller-runtime#880)', async () => {
    await kubectl.ok(['create', 'namespace', 'doomed']);
    await create(configMap('held', '  finalizers: [example.com/hold]\n'), 'doomed');
    await create(configMap('free'), 'doomed');
    await create(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${POD_SPEC}`, 'doomed');
    expect(await kubectl.ok(['delete', 'namespace', 'doomed', '--wait=false'])).toMatch(/^namespace "doomed" deleted/);
    expect(await kubectl.ok(['get', 'namespace', 'doomed'])).toMatch(/^doomed\s+Terminating\s/m);
    let terminating = await getJson(['get', 'namespace', 'doomed']);
    for (let i = 0; i < 100 && !terminating.status?.conditions?.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      terminating = await getJson(['get', 'namespace', 'doomed']);
    }
    expect(terminating.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining')?.message).toBe(
      'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    );
    expect(await names('all', 'doomed')).toEqual([]);
    const late = await kubectl.run(['create', 'configmap', 'late', '-n', 'doomed']);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    await kubectl.ok(['patch', 'configmap', 'held', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await kubectl.ok(['wait', '--for=delete', 'namespace/doomed', '--timeout=20s']);
    // And a plain `kubectl delete namespace` waits until it is gone.
    await kubectl.ok(['create', 'namespace', 'quick']);
    await create(configMap('x'), 'quick');
    expect(await kubectl.ok(['delete', 'namespace', 'quick', '--timeout=20s'])).toMatch(/^namespace "quick" deleted/);
    expect((await kubectl.run(['get', 'namespace', 'quick'])).stderr).toContain('namespaces "quick" not found');
  });

  it('the finalize subresource: a namespace waits for every spec finalizer', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: custom\nspec:\n  finalizers: [example.com/cleanup]\n' });
    await kubectl.ok(['delete', 'namespace', 'custom', '--wait=false']);
    let current = await getJson(['get', 'namespace', 'custom']);
    for (let i = 0; i < 100 && JSON.stringify((current as { spec?: unknown }).spec) !== '{"finalizers":["example.com/cleanup"]}'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = await getJson(['get', 'namespace', 'custom']);
    }
    expect((current as { spec?: unknown }).spec).toEqual({ finalizers: ['example.com/cleanup'] });
    const finalized = { ...current, spec: { finalizers: [] } };
    await kubectl.ok(['replace', '--raw', '/api/v1/namespaces/custom/finalize', '-f', '-'], { stdin: JSON.stringify(finalized) });
    expect((await kubectl.run(['get', 'namespace', 'custom'])).stderr).toContain('not found');
  });

  it('pods: a bound pod terminates gracefully, an unbound one goes at once, --force removes at once', async () => {
    await create(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: bound\n${POD_SPEC}  nodeName: somewhere\n`);
    await create(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: unbound\n${POD_SPEC}`);
    expect(await kubectl.ok(['delete', 'pod', 'unbound', '--timeout=10s'])).toMatch(/^pod "unbound" deleted/);
    await kubectl.ok(['delete', 'pod', 'bound', '--wait=false']);
    const terminating = await getJson(['get', 'pod', 'bound']);
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(await kubectl.ok(['get', 'pod', 'bound'])).toMatch(/^bound\s+0\/1\s+Terminating\s/m);
    const forced = await kubectl.run(['delete', 'pod', 'bound', '--grace-period=0', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated.');
    expect(forced.stdout).toMatch(/^pod "bound" force deleted/);
    expect(await names('pods')).not.toContain('pod/bound');
  });

  it('describe and kubectl events show recorded events, counted', async () => {
    const pod = await create(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: eventful\n${POD_SPEC}`);
    const recorder = new EventRecorder(new InProcessClient(cluster.kubemu.registry, 'test'), { component: 'kubelet', host: 'node-1' });
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, uid: pod.metadata.uid, namespace: 'default' } };
    for (let i = 0; i < 3; i++) recorder.event(object, 'Warning', 'BackOff', 'Back-off restarting failed container c in pod eventful_default');
    recorder.event(object, 'Normal', 'Pulled', 'Container image "nginx:1" already present on machine');
    await recorder.flush();
    const described = await kubectl.ok(['describe', 'pod', 'eventful']);
    expect(described).toMatch(/Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----\s+------\s+----\s+----\s+-------\n/);
    expect(described).toMatch(/Warning\s+BackOff\s+\S+ \(x3 over \S+\)\s+kubelet\s+Back-off restarting failed container c in pod eventful_default/);
    expect(described).toMatch(/Normal\s+Pulled\s+\S+\s+kubelet\s+Container image "nginx:1" already present on machine/);
    const listed = await kubectl.ok(['events', '--for', 'pod/eventful']);
    expect(listed.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(listed).toMatch(/Warning\s+BackOff\s+Pod\/eventful\s+Back-off restarting/);
    const modern = JSON.parse(await kubectl.ok(['get', 'events.events.k8s.io', '-o', 'json', '--field-selector', 'regarding.name=eventful,reason=BackOff'])) as { items: { deprecatedCount: number; note: string }[] };
    expect(modern.items).toMatchObject([{ deprecatedCount: 3, note: 'Back-off restarting failed container c in pod eventful_default' }]);
  });
});

describe.runIf(kubectlAvailable([OLDEST, NEWEST, LATEST])).each([OLDEST, NEWEST, LATEST])('kubectl %s: a deleted namespace waits its grace period', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster();
    kubectl = cluster.kubectl(minor);
  });
  afterAll(() => cluster.close());

  it('kubectl delete -f of a bundle that holds its own namespace first deletes everything without NotFound', async () => {
    const bundle = ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bundled\n'];
    for (let i = 0; i < 6; i++) bundle.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: bundled\ndata: {k: v}\n`);
    bundle.push('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: bundled\nstringData: {k: v}\n');
    const yaml = bundle.join('---\n');
    await kubectl.ok(['apply', '-f', '-'], { stdin: yaml });
    const started = Date.now();
    const deleted = await kubectl.run(['delete', '-f', '-', '--wait=false'], { stdin: yaml });
    expect(deleted.stderr).toBe('');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout.trim().split('\n')).toEqual([
      'namespace "bundled" deleted',
      ...Array.from({ length: 6 }, (_, i) => deletedText(minor, `configmap "cm-${i}"`, 'bundled')),
      deletedText(minor, 'secret "s"', 'bundled'),
    ]);
    await kubectl.ok(['wait', '--for=delete', 'namespace/bundled', '--timeout=30s'], { timeoutMs: 40_000 });
    // upstream's namespaceDeletionGracePeriod: the namespace controller starts 5 s after the deletion
    expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
  });
});

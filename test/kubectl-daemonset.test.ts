import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackAvailability } from './support/availability.js';
import { kubectlAvailable, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

const NODES = ['node-1', 'node-2', 'node-3', 'node-4'];

interface DaemonSetJson {
  metadata: { generation: number; annotations: Record<string, string>; uid: string };
  status: Record<string, number | undefined> & { conditions?: { type: string; status: string }[] };
}
interface PodJson {
  metadata: { name: string; uid: string; labels: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[]; deletionTimestamp?: string };
  spec: { nodeName?: string; tolerations: { key: string; operator: string; effect: string }[]; affinity: unknown; containers: { image: string }[] };
  status: { phase: string };
}

function daemonSet(name: string, options: { image?: string; strategy?: string; selector?: Record<string, string>; extra?: string } = {}): string {
  const strategy = options.strategy ?? '';
  const nodeSelector = options.selector ? `      nodeSelector: ${JSON.stringify(options.selector)}\n` : '';
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  labels: {daemonset-name: ${name}}
spec:
  selector:
    matchLabels: {daemonset-name: ${name}}
${strategy}${options.extra ?? ''}  template:
    metadata:
      labels: {daemonset-name: ${name}}
    spec:
${nodeSelector}      containers:
      - name: app
        image: ${options.image ?? 'httpd:2.4'}
`;
}

describe.runIf(kubectlAvailable()).each([OLDEST, NEWEST])('kubectl %s: the DaemonSet controller', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    // Pods take a moment to start, so rollouts have visible steps.
    cluster = await startTestCluster({ nodes: NODES.length, nodeConfig: { podLifecycle: { speed: 'fast', timings: { containerCreating: '300ms' } } } });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(NODES.length);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const podsOf = async (name: string) => (await json<{ items: PodJson[] }>(['get', 'pods', '-l', `daemonset-name=${name}`])).items;
  const live = async (name: string) => (await podsOf(name)).filter((p) => !p.metadata.deletionTimestamp);
  const status = async (name: string) => (await json<DaemonSetJson>(['get', 'ds', name])).status;
  const settled = (name: string, count: number) =>
    eventually(
      `${name} runs ${count} ready, updated pods`,
      async () => {
        const s = await status(name);
        return s.desiredNumberScheduled === count && s.numberReady === count && s.updatedNumberScheduled === count && s.numberAvailable === count && (await live(name)).length === count;
      },
      15_000,
    );
  const remove = async (name: string) => {
    await kubectl.ok(['delete', 'ds', name]);
    await eventually(`${name}'s pods are gone`, async () => (await podsOf(name)).length === 0, 15_000);
  };

  it('runs one pinned, tolerant pod per node, with a ControllerRevision, and prints as upstream', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('simple') });
    await settled('simple', 4);
    expect(await kubectl.ok(['get', 'ds', 'simple'])).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nsimple\s+4\s+4\s+4\s+4\s+4\s+<none>\s+\S+\n$/);
    const revisions = await kubectl.ok(['get', 'controllerrevisions']);
    expect(revisions).toMatch(/^simple-[bcdfghjklmnpqrstvwxz2456789]{1,10}\s+daemonset\.apps\/simple\s+1\s/m);
    const pods = await podsOf('simple');
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(NODES);
    const [pod] = pods as [PodJson];
    expect(pod.metadata.name).toMatch(/^simple-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.metadata.labels).toMatchObject({ 'daemonset-name': 'simple', 'pod-template-generation': '1' });
    expect(revisions).toContain(`simple-${pod.metadata.labels['controller-revision-hash']}`);
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'simple', controller: true, blockOwnerDeletion: true })]);
    expect(pod.spec.tolerations.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(pod.spec.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] }] } } });
    // Deleting a pod brings a replacement once it is gone (e2e "should run and stop simple daemon").
    await kubectl.ok(['delete', 'pod', pod.metadata.name]);
    await settled('simple', 4);
    expect((await live('simple')).some((p) => p.metadata.name === pod.metadata.name)).toBe(false);
    expect(await kubectl.ok(['describe', 'ds', 'simple'])).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: simple-/);
    await remove('simple');
    expect(await kubectl.ok(['get', 'controllerrevisions', '-o', 'name'])).not.toContain('simple-');
  });

  it('follows nodes: labels, taints, new nodes, cordoning', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('picky', { selector: { 'daemonset-color': 'blue' } }) });
    await eventually('nothing runs', async () => (await status('picky')).desiredNumberScheduled === 0);
    await kubectl.ok(['label', 'node', 'node-2', 'daemonset-color=blue']);
    await settled('picky', 1);
    expect((await live('picky'))[0]?.spec.nodeName).toBe('node-2');
    await kubectl.ok(['label', 'node', 'node-2', 'daemonset-color=green', '--overwrite']);
    await eventually('the pod goes with the label', async () => (await live('picky')).length === 0);
    await kubectl.ok(['label', 'node', 'node-2', 'daemonset-color-']);
    await remove('picky');

    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('everywhere') });
    await settled('everywhere', 4);
    // NoSchedule: the pod stays, the node no longer counts as desired.
    await kubectl.ok(['taint', 'node', 'node-3', 'dedicated=db:NoSchedule']);
    await eventually('node-3 is misscheduled', async () => {
      const s = await status('everywhere');
      return s.desiredNumberScheduled === 3 && s.numberMisscheduled === 1;
    });
    expect((await live('everywhere')).some((p) => p.spec.nodeName === 'node-3')).toBe(true);
    // NoExecute: the pod goes.
    await kubectl.ok(['taint', 'node', 'node-3', 'dedicated=db:NoExecute']);
    await eventually('node-3 loses its pod', async () => !(await live('everywhere')).some((p) => p.spec.nodeName === 'node-3'));
    await kubectl.ok(['taint', 'node', 'node-3', 'dedicated-']);
    await settled('everywhere', 4);
    // Cordoning changes nothing for daemon pods.
    await kubectl.ok(['cordon', 'node-4']);
    await eventually('node-4 is tainted unschedulable', async () => /node\.kubernetes\.io\/unschedulable/.test(await kubectl.ok(['get', 'node', 'node-4', '-o', 'jsonpath={.spec.taints}'])));
    await kubectl.ok(['delete', 'pod', '--field-selector', 'spec.nodeName=node-4', '-l', 'daemonset-name=everywhere']);
    await settled('everywhere', 4);
    await kubectl.ok(['uncordon', 'node-4']);
    // A new node gets a pod; a deleted one loses it.
    await kubectl.ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-5\n' });
    await settled('everywhere', 5);
    await kubectl.ok(['delete', 'node', 'node-5']);
    await eventually('desired drops with the node', async () => (await status('everywhere')).desiredNumberScheduled === 4);
    // Its pod waits for PodGC (40 s, as upstream) — or for a force delete, as here.
    await kubectl.run(['delete', 'pod', '--field-selector', 'spec.nodeName=node-5', '--grace-period=0', '--force']);
    await remove('everywhere');
  });

  it('RollingUpdate (maxUnavailable 1): set image, rollout status, history, undo, restart — never two nodes down', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('rolling') });
    await settled('rolling', 4);
    const watcher = trackAvailability(cluster.kubemu.registry, 'default', 'rolling', NODES);
    expect(await kubectl.ok(['set', 'image', 'ds/rolling', 'app=httpd:2.5'])).toBe('daemonset.apps/rolling image updated\n');
    const rollout = await kubectl.ok(['rollout', 'status', 'ds/rolling', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(rollout).toMatch(/Waiting for daemon set "rolling" rollout to finish: \d out of 4 new pods have been updated\.\.\.\n/);
    expect(rollout).toMatch(/daemon set "rolling" successfully rolled out\n$/);
    await settled('rolling', 4);
    watcher.stop();
    expect(watcher.worstUnavailable).toBe(1);
    expect((await live('rolling')).every((p) => p.spec.containers[0]?.image === 'httpd:2.5')).toBe(true);
    const ds = await json<DaemonSetJson>(['get', 'ds', 'rolling']);
    expect(ds.metadata.generation).toBe(2);
    expect(ds.metadata.annotations['deprecated.daemonset.template.generation']).toBe('2');
    expect(await kubectl.ok(['rollout', 'history', 'ds/rolling'])).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    expect(await kubectl.ok(['rollout', 'history', 'ds/rolling', '--revision=1'])).toMatch(/Image:\s+httpd:2\.4/);
    expect(await kubectl.ok(['rollout', 'undo', 'ds/rolling'])).toBe('daemonset.apps/rolling rolled back\n');
    await settled('rolling', 4);
    expect((await live('rolling')).every((p) => p.spec.containers[0]?.image === 'httpd:2.4')).toBe(true);
    expect(await kubectl.ok(['rollout', 'history', 'ds/rolling'])).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    expect(await kubectl.ok(['rollout', 'undo', 'ds/rolling', '--to-revision=3'])).toBe('daemonset.apps/rolling skipped rollback (current template already matches revision 3)\n');
    const missing = await kubectl.run(['rollout', 'undo', 'ds/rolling', '--to-revision=99']);
    expect(missing.stderr).toContain('unable to find specified revision 99 in history');
    const paused = await kubectl.run(['rollout', 'pause', 'ds/rolling']);
    expect(paused.stderr).toContain('daemonsets.apps "rolling" pausing is not supported');
    const before = new Set((await live('rolling')).map((p) => p.metadata.name));
    expect(await kubectl.ok(['rollout', 'restart', 'ds/rolling'])).toBe('daemonset.apps/rolling restarted\n');
    await eventually('every pod was replaced', async () => {
      const now = await live('rolling');
      return now.length === 4 && now.every((p) => !before.has(p.metadata.name)) && (await status('rolling')).numberAvailable === 4;
    }, 20_000);
    await remove('rolling');
  });

  it('RollingUpdate with maxSurge keeps every node available', async () => {
    const strategy = '  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('surging', { strategy }) });
    await settled('surging', 4);
    const watcher = trackAvailability(cluster.kubemu.registry, 'default', 'surging', NODES);
    await kubectl.ok(['set', 'image', 'ds/surging', 'app=httpd:2.5']);
    await kubectl.ok(['rollout', 'status', 'ds/surging', '--timeout=60s'], { timeoutMs: 70_000 });
    await settled('surging', 4);
    watcher.stop();
    expect(watcher.worstUnavailable).toBe(0);
    expect(watcher.worstPodsPerNode).toBe(2);
    await remove('surging');
  });

  it('OnDelete replaces only the pods that are deleted', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('manual', { strategy: '  updateStrategy: {type: OnDelete}\n' }) });
    await settled('manual', 4);
    const first = await live('manual');
    await kubectl.ok(['set', 'image', 'ds/manual', 'app=httpd:2.5']);
    await eventually('a second revision exists', async () => (await kubectl.ok(['get', 'controllerrevisions', '-l', 'daemonset-name=manual', '-o', 'name'])).trim().split('\n').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await live('manual')).map((p) => p.metadata.name).sort()).toEqual(first.map((p) => p.metadata.name).sort());
    const refused = await kubectl.run(['rollout', 'status', 'ds/manual']);
    expect(refused.stderr).toContain('rollout status is only available for RollingUpdate strategy type');
    const victim = first[0] as PodJson;
    await kubectl.ok(['delete', 'pod', victim.metadata.name]);
    await eventually('only the deleted pod was replaced, with the new image', async () => {
      const now = await live('manual');
      const images = now.map((p) => p.spec.containers[0]?.image);
      return now.length === 4 && images.filter((i) => i === 'httpd:2.5').length === 1 && images.filter((i) => i === 'httpd:2.4').length === 3;
    });
    expect((await status('manual')).updatedNumberScheduled).toBe(1);
    await remove('manual');
  });

  it('rolls back from a bad image without restarting healthy pods', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('rollback') });
    await settled('rollback', 4);
    const healthy = new Map((await live('rollback')).map((p) => [p.metadata.name, p.metadata.uid]));
    await kubectl.ok(['set', 'image', 'ds/rollback', 'app=foo:non-existent']);
    await eventually('a pod runs the bad image', async () => (await live('rollback')).some((p) => p.spec.containers[0]?.image === 'foo:non-existent'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const during = await live('rollback');
    // The bad pod never becomes available, so it holds the whole budget: only one old pod went.
    expect(during.filter((p) => p.spec.containers[0]?.image === 'foo:non-existent')).toHaveLength(1);
    const survivors = during.filter((p) => p.spec.containers[0]?.image === 'httpd:2.4').map((p) => p.metadata.name);
    expect(survivors).toHaveLength(3);
    await kubectl.ok(['rollout', 'undo', 'ds/rollback']);
    await settled('rollback', 4);
    const after = await live('rollback');
    for (const name of survivors) expect(after.find((p) => p.metadata.name === name)?.metadata.uid).toBe(healthy.get(name));
    expect(after.every((p) => p.spec.containers[0]?.image === 'httpd:2.4')).toBe(true);
    await remove('rollback');
  });

  it('replaces failed pods with back-off, and keeps conditions written through /status', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('sturdy') });
    await settled('sturdy', 4);
    const failing = (await live('sturdy'))[0] as PodJson;
    await cluster.http().patch(`/api/v1/namespaces/default/pods/${failing.metadata.name}/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Failed' } }).expect(200);
    await eventually('the failed pod is replaced', async () => {
      const now = await live('sturdy');
      return now.length === 4 && !now.some((p) => p.metadata.name === failing.metadata.name) && (await status('sturdy')).numberAvailable === 4;
    });
    expect(await kubectl.ok(['describe', 'ds', 'sturdy'])).toContain(`Found failed daemon pod default/${failing.metadata.name} on node ${failing.spec.nodeName}, will try to kill it`);
    await kubectl.ok(['patch', 'ds', 'sturdy', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"StatusPatched","status":"True"}]}}']);
    await kubectl.ok(['delete', 'pod', (await live('sturdy'))[0]?.metadata.name as string]);
    await settled('sturdy', 4);
    expect((await status('sturdy')).conditions).toEqual([{ type: 'StatusPatched', status: 'True' }]);
    await remove('sturdy');
  });

  it('adopts and releases by selector; orphaned pods are adopted again without restarts', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('owner') });
    await settled('owner', 4);
    const released = (await live('owner'))[0] as PodJson;
    await kubectl.ok(['label', 'pod', released.metadata.name, 'daemonset-name-']);
    await eventually('the released pod is an orphan and its node has a replacement', async () => {
      const orphan = await json<PodJson>(['get', 'pod', released.metadata.name]);
      return orphan.metadata.ownerReferences === undefined && (await live('owner')).length === 4;
    });
    await kubectl.ok(['delete', 'pod', released.metadata.name]);
    const names = (await live('owner')).map((p) => p.metadata.uid).sort();
    expect(await kubectl.ok(['delete', 'ds', 'owner', '--cascade=orphan'])).toMatch(/deleted/);
    await eventually('the pods are orphans', async () => (await live('owner')).every((p) => p.metadata.ownerReferences === undefined));
    await kubectl.ok(['apply', '-f', '-'], { stdin: daemonSet('owner') });
    const ds = await json<DaemonSetJson>(['get', 'ds', 'owner']);
    await eventually('they are adopted back', async () => (await live('owner')).every((p) => p.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid));
    await settled('owner', 4);
    expect((await live('owner')).map((p) => p.metadata.uid).sort()).toEqual(names);
    await remove('owner');
  });
});

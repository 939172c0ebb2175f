import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlAvailable, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

/** Four plain nodes, two in zone "test", and one too small for a 2-CPU pod. */
const POOLS = {
  nodePools: [
    { namePrefix: 'node-', count: 4 },
    { namePrefix: 'zoned-', count: 2, labels: { zone: 'test' } },
    { namePrefix: 'small-', count: 1, capacity: { cpu: '1', memory: '4Gi', pods: '110' } },
  ],
  podLifecycle: { speed: 'fast', timings: { containerCreating: '100ms' } },
};
const ALL = ['node-1', 'node-2', 'node-3', 'node-4', 'zoned-1', 'zoned-2', 'small-1'];
const STRATEGIES = [{ type: 'OnDelete' }, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }];

interface PodJson {
  metadata: { name: string; uid: string; creationTimestamp: string; labels: Record<string, string>; deletionTimestamp?: string; finalizers?: string[]; ownerReferences?: { uid: string }[] };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
}
interface DaemonSetJson {
  metadata: { uid: string; resourceVersion: string };
  status: Record<string, number> & { conditions?: { type: string; status: string }[] };
}

describe.runIf(kubectlAvailable()).each([OLDEST, NEWEST])('kubectl %s: more upstream DaemonSet scenarios', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodeConfig: POOLS, podGcQuarantineMs: 500 });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(ALL.length);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const pods = async (name: string) => (await json<{ items: PodJson[] }>(['get', 'pods', '-l', `ds=${name}`])).items;
  const live = async (name: string) => (await pods(name)).filter((p) => !p.metadata.deletionTimestamp);
  const nodesOf = async (name: string) => (await live(name)).map((p) => p.spec.nodeName ?? '').sort();
  const status = async (name: string) => (await json<DaemonSetJson>(['get', 'ds', name])).status;
  const apply = (name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}, templateMeta: Record<string, unknown> = {}) =>
    kubectl.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name, labels: { suite: 'scenarios' } },
        spec: {
          selector: { matchLabels: { ds: name } },
          template: { metadata: { labels: { ds: name }, ...templateMeta }, spec: { containers: [{ name: 'app', image: 'httpd:2.4' }], ...podSpec } },
          ...spec,
        },
      }),
    });
  const applied = async (...args: Parameters<typeof apply>) => {
    const result = await apply(...args);
    if (result.code !== 0) throw new Error(result.stderr);
  };
  const readyOn = (name: string, nodes: string[]) =>
    eventually(`${name} runs ready on ${nodes.join(', ')}`, async () => {
      const s = await status(name);
      return s.desiredNumberScheduled === nodes.length && s.numberReady === nodes.length && JSON.stringify(await nodesOf(name)) === JSON.stringify([...nodes].sort());
    }, 20_000);
  /** Upstream's cleanup: an impossible nodeSelector, wait until nothing is scheduled, then delete. */
  const cleanUp = async (name: string) => {
    await kubectl.ok(['patch', 'ds', name, '--type=merge', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"impossible":"label"}}}}}']);
    await eventually(`${name} is scheduled nowhere`, async () => {
      const s = await status(name);
      return (s.currentNumberScheduled ?? 0) + (s.numberMisscheduled ?? 0) === 0;
    }, 20_000);
    await kubectl.ok(['delete', 'ds', name]);
    await eventually(`${name}'s pods are gone`, async () => (await pods(name)).length === 0, 20_000);
  };

  it('runs on the nodes either affinity term selects, under both strategies (TestDaemonSetWithNodeSelectorLaunchesPods)', async () => {
    for (const [i, updateStrategy] of STRATEGIES.entries()) {
      const name = `terms-${i}`;
      const affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['test'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }],
          },
        },
      };
      await applied(name, { updateStrategy }, { affinity });
      await readyOn(name, ['node-1', 'zoned-1', 'zoned-2']);
      await cleanUp(name);
    }
  });

  it('creates a pod even where it cannot be placed; status counts it unready (TestInsufficientCapacityNode)', async () => {
    await applied('big', {}, { containers: [{ name: 'app', image: 'httpd:2.4', resources: { requests: { cpu: '2' } } }] });
    await eventually('six run, the small node pod waits', async () => {
      const s = await status('big');
      const stuck = (await live('big')).filter((p) => p.status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
      return s.desiredNumberScheduled === 7 && s.currentNumberScheduled === 7 && s.numberReady === 6 && s.numberUnavailable === 1 && stuck.length === 1;
    }, 20_000);
    expect(await kubectl.ok(['get', 'events', '--field-selector', 'reason=FailedScheduling'])).toMatch(/0\/7 nodes are available: .*1 Insufficient cpu/);
    await cleanUp('big');
  });

  it('leaves a node tainted beforehand alone until the taint goes (TestTaintedNode)', async () => {
    await kubectl.ok(['taint', 'node', 'node-2', 'key1=val1:NoSchedule']);
    for (const [i, updateStrategy] of STRATEGIES.entries()) {
      const name = `tainted-${i}`;
      await applied(name, { updateStrategy });
      await readyOn(name, ALL.filter((n) => n !== 'node-2'));
      expect((await status(name)).numberMisscheduled).toBe(0);
    }
    await kubectl.ok(['taint', 'node', 'node-2', 'key1-']);
    for (const i of STRATEGIES.keys()) await readyOn(`tainted-${i}`, ALL);
    for (const i of STRATEGIES.keys()) await cleanUp(`tainted-${i}`);
  });

  it('moves with its nodeSelector and with node labels (e2e complex daemon; kubectl label --overwrite)', async () => {
    await kubectl.ok(['label', 'node', 'node-3', 'color=blue']);
    await kubectl.ok(['label', 'node', 'node-4', 'color=green']);
    await applied('painter', { updateStrategy: STRATEGIES[1] }, { nodeSelector: { color: 'blue' } });
    await readyOn('painter', ['node-3']);
    await kubectl.ok(['patch', 'ds', 'painter', '--type=merge', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"color":"green"}}}}}']);
    await readyOn('painter', ['node-4']);
    expect(await status('painter')).toMatchObject({ updatedNumberScheduled: 1, numberMisscheduled: 0 });
    await kubectl.ok(['label', 'node', 'node-3', 'color=green', '--overwrite']);
    await readyOn('painter', ['node-3', 'node-4']);
    await kubectl.ok(['label', 'node', 'node-4', 'color=red', '--overwrite']);
    await readyOn('painter', ['node-3']);
    await kubectl.ok(['label', 'node', 'node-3', 'color-']);
    await kubectl.ok(['label', 'node', 'node-4', 'color-']);
    await eventually('nothing is left', async () => (await live('painter')).length === 0 && (await status('painter')).desiredNumberScheduled === 0);
    await cleanUp('painter');
  });

  it('OnDelete records revision 2 but keeps the first hash until pods are deleted (e2e OnDelete)', async () => {
    await applied('manual', { updateStrategy: { type: 'OnDelete' } });
    await readyOn('manual', ALL);
    const revisions = async () =>
      (await json<{ items: { metadata: { name: string }; revision: number }[] }>(['get', 'controllerrevisions', '-l', 'ds=manual'])).items.map((r) => `${r.revision}:${r.metadata.name}`).sort();
    const [first] = await revisions();
    const firstHash = (await live('manual'))[0]?.metadata.labels['controller-revision-hash'];
    expect(first).toBe(`1:manual-${firstHash}`);
    await kubectl.ok(['set', 'image', 'ds/manual', 'app=httpd:2.5']);
    await eventually('a second revision is recorded', async () => (await revisions()).length === 2);
    const [, second] = await revisions();
    expect(second).toMatch(/^2:manual-/);
    expect(second).not.toBe(`2:manual-${firstHash}`);
    await eventually('status sees the new generation', async () => (await status('manual')).updatedNumberScheduled === 0);
    expect((await live('manual')).every((p) => p.metadata.labels['controller-revision-hash'] === firstHash)).toBe(true);
    await cleanUp('manual');
  });

  it('serves /status for GET and PUT, and a label-selected watch sees each change (e2e status)', async () => {
    await applied('reporter');
    await readyOn('reporter', ALL);
    const http = cluster.http();
    const path = '/apis/apps/v1/namespaces/default/daemonsets/reporter/status';
    const current = (await http.get(path).expect(200)).body as DaemonSetJson & { kind: string };
    expect(current.kind).toBe('DaemonSet');
    expect(current.status.numberReady).toBe(ALL.length);
    const watch = kubectl.start(['get', 'ds', '-l', 'suite=scenarios', '--watch-only', '-o', 'jsonpath={.status.conditions[*].type}{"\\n"}']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const put = await http.put(path).send({ ...current, status: { ...current.status, conditions: [{ type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }] } });
    expect(put.status).toBe(200);
    await kubectl.ok(['patch', 'ds', 'reporter', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"StatusUpdate","status":"True"},{"type":"StatusPatched","status":"True"}]}}']);
    await watch.output(/StatusUpdate StatusPatched/, 10_000);
    watch.stop();
    await kubectl.ok(['delete', 'pod', (await live('reporter'))[0]?.metadata.name as string]);
    await readyOn('reporter', ALL);
    expect((await status('reporter')).conditions?.map((c) => c.type)).toEqual(['StatusUpdate', 'StatusPatched']);
    await cleanUp('reporter');
  });

  it('adopts a released pod back when its label returns, keeping the oldest pod on the node (kubectl label pod)', async () => {
    await applied('keeper');
    await readyOn('keeper', ALL);
    const released = (await live('keeper')).find((p) => p.spec.nodeName === 'node-1') as PodJson;
    // Creation times have whole seconds (ties go by name, as upstream): let the replacement be strictly younger.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await kubectl.ok(['label', 'pod', released.metadata.name, 'ds-']);
    await eventually('node-1 gets a replacement', async () => (await live('keeper')).filter((p) => p.spec.nodeName === 'node-1').length === 1 && (await status('keeper')).numberReady === ALL.length);
    await kubectl.ok(['label', 'pod', released.metadata.name, 'ds=keeper']);
    await eventually('the old pod is adopted and the replacement deleted', async () => {
      const here = (await live('keeper')).filter((p) => p.spec.nodeName === 'node-1');
      return here.length === 1 && here[0]?.metadata.uid === released.metadata.uid && here[0].metadata.ownerReferences !== undefined;
    }, 20_000);
    await cleanUp('keeper');
  });

  it('gives a new node a pod, and PodGC removes it once the node is deleted (kubectl delete node)', async () => {
    await applied('follower');
    await readyOn('follower', ALL);
    await kubectl.ok(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'extra-1' } }) });
    await readyOn('follower', [...ALL, 'extra-1']);
    const onExtra = (await live('follower')).find((p) => p.spec.nodeName === 'extra-1') as PodJson;
    await kubectl.ok(['delete', 'node', 'extra-1']);
    await eventually('PodGC removes the pod of the deleted node; DESIRED drops', async () => {
      const gone = !(await pods('follower')).some((p) => p.metadata.uid === onExtra.metadata.uid);
      return gone && (await status('follower')).desiredNumberScheduled === ALL.length;
    }, 20_000);
    await readyOn('follower', ALL);
    await cleanUp('follower');
  });

  it('refuses invalid DaemonSets on kubectl apply with a 422', async () => {
    const empty = await kubectl.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'empty' }, spec: { selector: {}, template: { metadata: { labels: { ds: 'empty' } }, spec: { containers: [{ name: 'app', image: 'httpd' }] } } } }),
    });
    expect(empty.stderr).toMatch(/The DaemonSet "empty" is invalid: spec\.selector: Invalid value: .*: empty selector is invalid for daemonset/);
    const percent = await apply('percent', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } } });
    expect(percent.stderr).toContain('spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%');
    await applied('fixed');
    const moved = await kubectl.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fixed' }, spec: { selector: { matchLabels: { ds: 'fixed', extra: 'x' } }, template: { metadata: { labels: { ds: 'fixed', extra: 'x' } }, spec: { containers: [{ name: 'app', image: 'httpd' }] } } } }),
    });
    expect(moved.stderr).toMatch(/The DaemonSet "fixed" is invalid: spec\.selector: Invalid value: .*: field is immutable/);
    await cleanUp('fixed');
  });

  it('deletes a failing pod again and again with growing pauses and FailedDaemonPod events', async () => {
    await applied('flaky', {}, { nodeSelector: { 'kubernetes.io/hostname': 'node-2' } });
    await readyOn('flaky', ['node-2']);
    const deletedAt: number[] = [];
    for (let round = 0; round < 3; round++) {
      const pod = (await live('flaky'))[0] as PodJson;
      await eventually('the replacement exists', async () => (await live('flaky')).length === 1, 10_000);
      await cluster.http().patch(`/api/v1/namespaces/default/pods/${pod.metadata.name}/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Failed' } }).expect(200);
      await eventually('the failed pod is deleted', async () => !(await pods('flaky')).some((p) => p.metadata.uid === pod.metadata.uid), 15_000);
      deletedAt.push(Date.now());
      await eventually('a replacement comes', async () => (await live('flaky')).some((p) => p.metadata.uid !== pod.metadata.uid), 15_000);
    }
    // The back-off window doubles: at least 1 s, then 2 s between kills of pods on the same node. The test sees a
    // kill up to a poll (and, on a loaded machine, a few hundred ms) late, so the first gap may look shorter.
    expect((deletedAt[1] as number) - (deletedAt[0] as number)).toBeGreaterThanOrEqual(700);
    expect((deletedAt[2] as number) - (deletedAt[1] as number)).toBeGreaterThanOrEqual(1700);
    expect(await kubectl.ok(['describe', 'ds', 'flaky'])).toMatch(/Warning\s+FailedDaemonPod\s+.*Found failed daemon pod default\/flaky-\S+ on node node-2, will try to kill it/);
    await cleanUp('flaky');
  });

  it('replaces a finished pod that a finalizer keeps around (TestSimpleDaemonSetRestartsPodsOnTerminalPhase)', async () => {
    await applied('held', {}, { nodeSelector: { zone: 'test' } }, { finalizers: ['example.com/hold'] });
    await readyOn('held', ['zoned-1', 'zoned-2']);
    for (const phase of ['Succeeded', 'Failed']) {
      const pod = (await live('held')).find((p) => p.spec.nodeName === 'zoned-1') as PodJson;
      await cluster.http().patch(`/api/v1/namespaces/default/pods/${pod.metadata.name}/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase } }).expect(200);
      await eventually(`the ${phase} pod is marked for deletion and replaced`, async () => {
        const all = await pods('held');
        const old = all.find((p) => p.metadata.uid === pod.metadata.uid);
        return Boolean(old?.metadata.deletionTimestamp) && (await live('held')).length === 2 && (await status('held')).numberReady === 2;
      }, 20_000);
      await kubectl.ok(['patch', 'pod', pod.metadata.name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
    await kubectl.ok(['delete', 'ds', 'held']);
    await eventually('the held pods go once released', async () => {
      const left = await pods('held');
      for (const pod of left) await kubectl.run(['patch', 'pod', pod.metadata.name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      return left.length === 0;
    }, 20_000);
  });
});

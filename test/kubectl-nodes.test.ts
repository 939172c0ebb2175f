import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLeast, kubectlAvailable, LATEST, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

const GPU_POOLS = {
  nodePools: [
    { namePrefix: 'node-', count: 3 },
    { namePrefix: 'gpu-', count: 2, labels: { accelerator: 'nvidia' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }], capacity: { cpu: '16', memory: '64Gi', 'nvidia.com/gpu': '4' } },
  ],
};

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface NodeJson {
  spec: { taints?: { key: string; effect: string; timeAdded?: string }[]; unschedulable?: boolean; podCIDR?: string };
  status: { capacity: Record<string, string>; conditions: { type: string; status: string; reason: string; message: string }[] };
}

describe.runIf(kubectlAvailable([OLDEST, NEWEST, LATEST])).each([OLDEST, NEWEST, LATEST])('kubectl %s: nodes, kubelets and the scheduler', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodeConfig: GPU_POOLS, nodeMonitorGracePeriodMs: 1500 });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(5);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const pod = (name: string) => json<PodJson>(['get', 'pod', name]);
  const node = (name: string) => json<NodeJson>(['get', 'node', name]);
  const run = (name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}) =>
    kubectl.ok(['create', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec } }),
    });
  const running = (name: string) => eventually(`pod ${name} runs`, async () => (await pod(name)).status.phase === 'Running');

  it('get nodes -o wide and describe node show what a kubelet registers', async () => {
    const wide = await kubectl.ok(['get', 'nodes', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    expect(wide).toMatch(/^node-1\s+Ready\s+<none>\s+\S+\s+v1\.30\.0\s+172\.18\.0\.\d+\s+<none>\s+kubemu fake node\s+6\.1\.0-kubemu\s+containerd:\/\/1\.7\.13$/m);
    expect(wide).toMatch(/^gpu-2\s+Ready\s/m);
    const described = await kubectl.ok(['describe', 'node', 'node-1']);
    expect(described).toMatch(/Labels:\s+beta\.kubernetes\.io\/arch=amd64\n(.*\n)*\s+kubernetes\.io\/hostname=node-1/);
    expect(described).toMatch(/Lease:\n\s+HolderIdentity:\s+node-1\n\s+AcquireTime:\s+<unset>\n\s+RenewTime:\s+\S/);
    expect(described).toMatch(/Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/);
    expect(described).toMatch(/Capacity:\n\s+cpu:\s+8\n\s+ephemeral-storage:\s+100Gi\n\s+memory:\s+32Gi\n\s+pods:\s+110/);
    expect(described).toMatch(/PodCIDR:\s+10\.64\.\d+\.0\/24/);
    expect(described).toMatch(/Kubelet Version:\s+v1\.30\.0/);
    expect(described).toMatch(/Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\./);
    const gpu = await node('gpu-1');
    expect(gpu.status.capacity['nvidia.com/gpu']).toBe('4');
    expect(gpu.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
  });

  it('schedules by selector, taints and resources, and explains failures as upstream', async () => {
    await run('needs-gpu', { containers: [{ name: 'c', image: 'cuda:12', resources: { limits: { 'nvidia.com/gpu': '1' } } }], tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] });
    await running('needs-gpu');
    expect((await pod('needs-gpu')).spec.nodeName).toMatch(/^gpu-/);
    await run('picky', { nodeSelector: { disk: 'ssd' } });
    await eventually('picky is unschedulable', async () => (await pod('picky')).status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') ?? false);
    const message =
      "0/5 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.";
    expect((await pod('picky')).status.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    expect(await kubectl.ok(['describe', 'pod', 'picky'])).toMatch(/Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/5 nodes are available: 2 node\(s\) had untolerated taint/);
    // A node that starts to match gets the pod.
    await kubectl.ok(['label', 'node', 'node-2', 'disk=ssd']);
    await running('picky');
    expect((await pod('picky')).spec.nodeName).toBe('node-2');
    await run('huge', { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100' } } }] });
    await eventually('huge is unschedulable', async () => (await pod('huge')).status.conditions?.some((c) => c.reason === 'Unschedulable') ?? false);
    expect((await pod('huge')).status.conditions?.find((c) => c.type === 'PodScheduled')?.message).toBe(
      '0/5 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}, 3 Insufficient cpu. preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
    );
    await kubectl.ok(['delete', 'pod', 'huge', 'picky', 'needs-gpu']);
  });

  it('logs: containers, --all-containers, --tail, --timestamps, --previous, -f', async () => {
    await run('chatty', { containers: [{ name: 'a', image: 'nginx:1.25' }, { name: 'b', image: 'busybox' }], initContainers: [{ name: 'init', image: 'busybox' }] });
    await running('chatty');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await kubectl.ok(['logs', 'chatty', '-c', 'a'])).toMatch(/^kubemu: container a started \(image docker\.io\/library\/nginx:1\.25, attempt 0\)\nkubemu: container a running, tick 1\n/);
    const defaulted = await kubectl.run(['logs', 'chatty']);
    expect(defaulted.stderr).toContain('Defaulted container "a" out of: a, b, init (init)');
    const all = await kubectl.ok(['logs', 'chatty', '--all-containers']);
    for (const name of ['a', 'b', 'init']) expect(all).toContain(`kubemu: container ${name} started`);
    expect(all).toContain('kubemu: container init exited with code 0');
    expect((await kubectl.ok(['logs', 'chatty', '-c', 'b', '--tail=1'])).trim().split('\n')).toHaveLength(1);
    expect(await kubectl.ok(['logs', 'chatty', '-c', 'b', '--tail=1', '--timestamps'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z kubemu: container b /);
    const previous = await kubectl.run(['logs', 'chatty', '-c', 'a', '--previous']);
    expect(previous.stderr).toContain('previous terminated container "a" in pod "chatty" not found');
    await run('crashy', {}, { 'kubemu.io/behavior': 'CrashLoopBackOff' });
    await eventually('crashy restarted', async () => /CrashLoopBackOff|Running/.test(await kubectl.ok(['get', 'pod', 'crashy', '--no-headers'])) && Number((await kubectl.ok(['get', 'pod', 'crashy', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) || 0) >= 2);
    expect(await kubectl.ok(['logs', 'crashy', '--previous'])).toMatch(/kubemu: container c started \(image [^)]+, attempt \d+\)\n(.*\n)*kubemu: container c exited with code 1\n$/);
    await run('brief', { restartPolicy: 'Never' }, { 'kubemu.io/run-duration': '3s' });
    await running('brief');
    const followed = await kubectl.run(['logs', '-f', 'brief'], { timeoutMs: 15_000 });
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/started(.|\n)*exited with code 0\n$/);
    expect((await pod('brief')).status.phase).toBe('Succeeded');
  });

  it('simulated failures show as on a real cluster', async () => {
    await run('unpullable', { containers: [{ name: 'c', image: 'foo:non-existent' }] });
    await eventually('the pull backs off', async () => /ImagePullBackOff/.test(await kubectl.ok(['get', 'pod', 'unpullable', '--no-headers'])));
    // From kubectl 1.34 on, describe prefixes an event's message with the field it is about.
    const about = atLeast(minor, '1.34') ? 'spec\\.containers\\{c\\}: ' : '';
    expect(await kubectl.ok(['describe', 'pod', 'unpullable'])).toMatch(new RegExp(`Failed\\s+\\S+\\s+kubelet\\s+${about}Failed to pull image "foo:non-existent"`));
    await run('never-ready', {}, { 'kubemu.io/behavior': 'NeverReady' });
    await eventually('it runs, unready', async () => /^never-ready\s+0\/1\s+Running\s/m.test(await kubectl.ok(['get', 'pod', 'never-ready'])));
    await run('doomed', { restartPolicy: 'Never' }, { 'kubemu.io/behavior': 'Fail' });
    await eventually('it fails', async () => (await pod('doomed')).status.phase === 'Failed');
    expect(await kubectl.ok(['get', 'pod', 'doomed'])).toMatch(/^doomed\s+0\/1\s+Error\s/m);
  });

  it('cordon, taint, and drain with the eviction API', async () => {
    expect(await kubectl.ok(['cordon', 'node-3'])).toBe('node/node-3 cordoned\n');
    expect(await kubectl.ok(['get', 'node', 'node-3'])).toMatch(/^node-3\s+Ready,SchedulingDisabled\s/m);
    await eventually('the unschedulable taint is added', async () => ((await node('node-3')).spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unschedulable'));
    expect(await kubectl.ok(['uncordon', 'node-3'])).toBe('node/node-3 uncordoned\n');
    await eventually('the unschedulable taint goes', async () => !((await node('node-3')).spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unschedulable'));
    expect(await kubectl.ok(['taint', 'nodes', 'node-3', 'team=blue:NoSchedule'])).toBe('node/node-3 tainted\n');
    expect(await kubectl.ok(['taint', 'nodes', 'node-3', 'team=blue:NoSchedule-'])).toBe('node/node-3 untainted\n');

    // Pods on node-1: one unmanaged, one of a DaemonSet, one guarded by a budget.
    await run('loose', { nodeName: 'node-1' });
    await run('guarded', { nodeName: 'node-1' });
    await kubectl.ok(['label', 'pod', 'guarded', 'app=guarded']);
    await kubectl.ok(['apply', '-f', '-'], { stdin: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers: [{name: a, image: agent}]\n' });
    let agentPod = '';
    await eventually('the DaemonSet runs a pod on node-1', async () => {
      agentPod = (await kubectl.ok(['get', 'pods', '-l', 'app=agent', '--field-selector', 'spec.nodeName=node-1', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      return agentPod !== '';
    });
    for (const name of ['loose', 'guarded', agentPod]) await running(name);
    const refused = await kubectl.run(['drain', 'node-1', '--timeout=10s']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('node/node-1 cordoned');
    expect(refused.stderr).toContain(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/${agentPod}`);
    await kubectl.ok(['create', 'poddisruptionbudget', 'guard', '--selector=app=guarded', '--min-available=1']);
    const blocked = await kubectl.run(['drain', 'node-1', '--ignore-daemonsets', '--force', '--timeout=3s']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`error when evicting pods/"guarded" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`);
    await kubectl.ok(['delete', 'pdb', 'guard']);
    const drained = await kubectl.run(['drain', 'node-1', '--ignore-daemonsets', '--force', '--timeout=30s']);
    expect(drained.code).toBe(0);
    expect(drained.stderr).toMatch(new RegExp(`^Warning: .*ignoring DaemonSet-managed Pods: default/${agentPod}`, 'm'));
    expect(drained.stdout).toContain('evicting pod default/guarded');
    expect(drained.stdout).toContain('pod/guarded evicted');
    expect(drained.stdout).toContain('node/node-1 drained');
    expect((await kubectl.ok(['get', 'pods', '--field-selector', 'spec.nodeName=node-1', '-o', 'name'])).trim()).toBe(`pod/${agentPod}`);
    await kubectl.ok(['delete', 'ds', 'agent']);
    await kubectl.ok(['uncordon', 'node-1']);
  });

  it('a node whose kubelet stops turns Unknown, is tainted, and its intolerant pods are evicted; it recovers', async () => {
    const tolerateBriefly = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }];
    await run('patient', { nodeName: 'node-3' });
    await run('impatient', { nodeName: 'node-3', tolerations: tolerateBriefly });
    await running('patient');
    await running('impatient');
    await kubectl.ok(['annotate', 'node', 'node-3', 'kubemu.io/kubelet=stopped']);
    await eventually('node-3 is NotReady', async () => /^node-3\s+NotReady\s/m.test(await kubectl.ok(['get', 'nodes'])), 10_000);
    const down = await node('node-3');
    expect(down.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await eventually('both unreachable taints are set', async () => ((await node('node-3')).spec.taints ?? []).filter((t) => t.key === 'node.kubernetes.io/unreachable').length === 2);
    await eventually('the impatient pod is being evicted', async () => Boolean((await pod('impatient')).metadata.deletionTimestamp), 10_000);
    const evicted = await pod('impatient');
    expect(evicted.status.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    expect((await pod('patient')).status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect((await pod('patient')).metadata.deletionTimestamp).toBeUndefined();
    // The kubelet comes back: the node is Ready, untainted, and finishes what was pending.
    await kubectl.ok(['annotate', 'node', 'node-3', 'kubemu.io/kubelet-']);
    await eventually('node-3 is Ready without unreachable taints', async () => {
      const back = await node('node-3');
      return back.status.conditions.find((c) => c.type === 'Ready')?.status === 'True' && !(back.spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable');
    });
    await eventually('the evicted pod is gone', async () => !(await kubectl.ok(['get', 'pods', '-o', 'name'])).includes('pod/impatient'));
    await eventually('the patient pod is ready again', async () => (await pod('patient')).status.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
  });

  it('manages a Node created through the API, unless it opts out', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: extra\n  labels: {team: red}\n' });
    await eventually('extra is Ready', async () => /^extra\s+Ready\s/m.test(await kubectl.ok(['get', 'nodes'])));
    const extra = await node('extra');
    expect(extra.spec.podCIDR).toMatch(/^10\.64\.\d+\.0\/24$/);
    await kubectl.ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: manual\n  annotations: {kubemu.io/kubelet: disabled}\n' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await kubectl.ok(['get', 'node', 'manual'])).toMatch(/^manual\s+Unknown\s/m);
    await kubectl.ok(['delete', 'node', 'extra', 'manual']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackReplicas } from './support/availability.js';
import { kubectlAvailable, LATEST, NEWEST, OLDEST, V134, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface DeploymentJson {
  metadata: { generation: number; annotations?: Record<string, string> };
  spec: { replicas: number; paused?: boolean; template: { spec: { containers: { image: string }[] } } };
  status: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; unavailableReplicas?: number; conditions?: Condition[] };
}
interface ReplicaSetJson {
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } } };
  status: { replicas?: number; readyReplicas?: number; availableReplicas?: number; fullyLabeledReplicas?: number; observedGeneration?: number };
}

function deployment(name: string, options: { replicas?: number; image?: string; strategy?: string; extra?: string; podAnnotations?: Record<string, string> } = {}): string {
  const annotations = options.podAnnotations ? `      annotations: ${JSON.stringify(options.podAnnotations)}\n` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${options.replicas ?? 3}
  selector:
    matchLabels: {app: ${name}}
${options.strategy ?? ''}${options.extra ?? ''}  template:
    metadata:
      labels: {app: ${name}}
${annotations}    spec:
      containers:
      - name: app
        image: ${options.image ?? 'nginx:1.25'}
`;
}

describe.runIf(kubectlAvailable([OLDEST, NEWEST, V134, LATEST])).each([OLDEST, NEWEST, V134, LATEST])('kubectl %s: Deployments and ReplicaSets', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    // Containers take a moment to start, so rollouts have visible steps.
    cluster = await startTestCluster({ nodes: 3, nodeConfig: { podLifecycle: { speed: 'fast', timings: { containerCreating: '200ms' } } } });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(3);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const get = (name: string) => json<DeploymentJson>(['get', 'deployment', name]);
  const replicaSets = async (app: string) => (await json<{ items: ReplicaSetJson[] }>(['get', 'rs', '-l', `app=${app}`])).items;
  const livePods = async (app: string) =>
    (await json<{ items: { metadata: { name: string; deletionTimestamp?: string; labels: Record<string, string> }; spec: { containers: { image: string }[] } }[] }>(['get', 'pods', '-l', `app=${app}`])).items.filter((p) => !p.metadata.deletionTimestamp);
  const rolledOut = async (name: string) => expect(await kubectl.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 })).toContain(`deployment "${name}" successfully rolled out`);

  it('runs the pods of kubectl create deployment through a ReplicaSet named by the template hash', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']);
    await rolledOut('web');
    const [rs, ...others] = await replicaSets('web');
    expect(others).toEqual([]);
    const hash = rs?.metadata.labels['pod-template-hash'] as string;
    expect(rs?.metadata.name).toBe(`web-${hash}`);
    expect(rs?.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs?.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    expect(rs?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true })]);
    expect(rs?.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3 });
    const pods = await livePods('web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) expect(pod.metadata.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    const d = await get('web');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const described = await kubectl.ok(['describe', 'deployment', 'web']);
    expect(described).toMatch(/Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    expect(described).toMatch(new RegExp(`NewReplicaSet:\\s+web-${hash} \\(3/3 replicas created\\)`));
    expect(described).toMatch(new RegExp(`ScalingReplicaSet\\s.*deployment-controller\\s+Scaled up replica set web-${hash} from 0 to 3`));
    expect(await kubectl.ok(['get', 'deployment', 'web', '--no-headers'])).toMatch(/^web\s+3\/3\s+3\s+3\s/);
  });

  it('rolls out a new image within maxSurge and maxUnavailable, as a watcher of every pod event sees', async () => {
    const strategy = '  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 2, maxUnavailable: 1}\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('roll', { replicas: 6, strategy }) });
    await rolledOut('roll');
    const tracker = trackReplicas(cluster.kubemu.registry, 'default', 'app', 'roll');
    await kubectl.ok(['set', 'image', 'deployment/roll', 'app=nginx:1.27']);
    const status = kubectl.start(['rollout', 'status', 'deployment/roll', '--timeout=60s']);
    expect(await status.exited).toBe(0);
    tracker.stop();
    expect(status.stdout).toMatch(/Waiting for deployment "roll" rollout to finish: \d+ (out of 6 new replicas have been updated|old replicas are pending termination|of 6 updated replicas are available)\.\.\./);
    expect(status.stdout).toContain('deployment "roll" successfully rolled out');
    expect(tracker.fewestAvailable).toBeGreaterThanOrEqual(5);
    expect(tracker.mostAlive).toBeLessThanOrEqual(8);
    const pods = await livePods('roll');
    expect(pods.map((p) => p.spec.containers[0]?.image)).toEqual(Array(6).fill('nginx:1.27'));
    const sets = await replicaSets('roll');
    expect(sets.map((rs) => [rs.spec.template.spec.containers[0]?.image, rs.spec.replicas]).sort()).toEqual([
      ['nginx:1.25', 0],
      ['nginx:1.27', 6],
    ]);
  });

  it('keeps history with change causes, shows a revision, and undoes to an earlier template', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('hist', { replicas: 2 }) });
    await rolledOut('hist');
    await kubectl.ok(['set', 'image', 'deployment/hist', 'app=nginx:1.26']);
    await kubectl.ok(['annotate', 'deployment/hist', 'kubernetes.io/change-cause=bump to 1.26']);
    await rolledOut('hist');
    const history = await kubectl.ok(['rollout', 'history', 'deployment/hist']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+bump to 1\.26\n/);
    expect(await kubectl.ok(['rollout', 'history', 'deployment/hist', '--revision=1'])).toMatch(/Image:\s+nginx:1\.25/);
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/hist', '--to-revision=1'])).toContain('deployment.apps/hist rolled back');
    await rolledOut('hist');
    expect((await get('hist')).spec.template.spec.containers[0]?.image).toBe('nginx:1.25');
    expect((await livePods('hist')).map((p) => p.spec.containers[0]?.image)).toEqual(['nginx:1.25', 'nginx:1.25']);
    expect(await kubectl.ok(['rollout', 'history', 'deployment/hist'])).toMatch(/2\s+bump to 1\.26\n3\s+<none>\n/);
    const reused = (await replicaSets('hist')).find((rs) => rs.spec.template.spec.containers[0]?.image === 'nginx:1.25');
    expect(reused?.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/hist', '--to-revision=3'])).toContain('skipped rollback (current template already matches revision 3)');
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/hist'])).toContain('rolled back');
    await rolledOut('hist');
    expect((await get('hist')).spec.template.spec.containers[0]?.image).toBe('nginx:1.26');
    const missing = await kubectl.run(['rollout', 'undo', 'deployment/hist', '--to-revision=42']);
    expect(missing.stderr).toContain('unable to find specified revision 42 in history');
  });

  it('rolls nothing out while paused but still scales, then resumes and restarts', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('held', { replicas: 2 }) });
    await rolledOut('held');
    await kubectl.ok(['rollout', 'pause', 'deployment/held']);
    await eventually('the Progressing condition says paused', async () => (await get('held')).status.conditions?.some((c) => c.reason === 'DeploymentPaused' && c.status === 'Unknown' && c.message === 'Deployment is paused') ?? false);
    await kubectl.ok(['set', 'image', 'deployment/held', 'app=nginx:1.27']);
    await kubectl.ok(['scale', 'deployment/held', '--replicas=4']);
    await eventually('the paused deployment scales its current ReplicaSet', async () => (await livePods('held')).length === 4 && (await get('held')).status.availableReplicas === 4);
    expect((await replicaSets('held')).length).toBe(1);
    expect((await livePods('held')).every((p) => p.spec.containers[0]?.image === 'nginx:1.25')).toBe(true);
    const undo = await kubectl.run(['rollout', 'undo', 'deployment/held', '--to-revision=1']);
    expect(undo.stderr).toContain("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
    await kubectl.ok(['rollout', 'resume', 'deployment/held']);
    await rolledOut('held');
    expect((await livePods('held')).map((p) => p.spec.containers[0]?.image)).toEqual(Array(4).fill('nginx:1.27'));
    expect((await get('held')).status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    await kubectl.ok(['rollout', 'restart', 'deployment/held']);
    await rolledOut('held');
    const sets = await replicaSets('held');
    expect(sets).toHaveLength(3);
    expect(sets.filter((rs) => rs.spec.replicas > 0)).toHaveLength(1);
  });

  it('replaces every pod at once with Recreate: the new ones start after the old ones are gone', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('recreate', { replicas: 3, strategy: '  strategy:\n    type: Recreate\n' }) });
    await rolledOut('recreate');
    const tracker = trackReplicas(cluster.kubemu.registry, 'default', 'app', 'recreate');
    await kubectl.ok(['set', 'image', 'deployment/recreate', 'app=nginx:1.27']);
    await rolledOut('recreate');
    tracker.stop();
    expect(tracker.mostExisting).toBe(3);
    expect(tracker.fewestAvailable).toBe(0);
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=recreate', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    expect(events).toMatch(/Scaled down replica set recreate-\w+ from 3 to 0/);
  });

  it('reports ProgressDeadlineExceeded when the new pods never become ready, and kubectl rollout status fails', async () => {
    const extra = '  progressDeadlineSeconds: 2\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('stuck', { replicas: 2, extra, podAnnotations: { 'kubemu.io/behavior': 'NeverReady' } }) });
    const status = await kubectl.run(['rollout', 'status', 'deployment/stuck', '--timeout=30s'], { timeoutMs: 40_000 });
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    const d = await get('stuck');
    expect(d.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: expect.stringMatching(/^ReplicaSet "stuck-\w+" has timed out progressing\.$/) });
    expect(d.status.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  it('scales Deployments, ReplicaSets and ReplicationControllers through kubectl scale', async () => {
    await kubectl.ok(['scale', 'deployment/web', '--replicas=5']);
    await eventually('web runs 5 pods', async () => (await get('web')).status.availableReplicas === 5 && (await livePods('web')).length === 5);
    await kubectl.ok(['scale', 'deployment/web', '--replicas=1']);
    await eventually('web runs 1 pod', async () => (await get('web')).status.replicas === 1 && (await livePods('web')).length === 1);
    // kubectl before 1.33 posts autoscaling/v1, 1.33 autoscaling/v2: both are stored (no autoscaler runs).
    expect(await kubectl.ok(['autoscale', 'deployment/web', '--cpu-percent=50', '--min=1', '--max=4'])).toContain('horizontalpodautoscaler.autoscaling/web autoscaled');
    expect(await kubectl.ok(['get', 'hpa', 'web', '--no-headers'])).toMatch(/^web\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+4\s+0\s/);
    const v1 = JSON.parse(await kubectl.ok(['get', '--raw', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web'])) as { spec: Record<string, unknown> };
    expect(v1.spec).toMatchObject({ minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50, scaleTargetRef: { kind: 'Deployment', name: 'web' } });
    const rc = `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: app, image: nginx}]
`;
    await kubectl.ok(['apply', '-f', '-'], { stdin: rc });
    await eventually('the RC runs 2 pods', async () => (await livePods('legacy')).length === 2);
    await kubectl.ok(['scale', 'rc/legacy', '--replicas=3']);
    await eventually('the RC runs 3 ready pods', async () => (await kubectl.ok(['get', 'rc', 'legacy', '--no-headers'])).match(/^legacy\s+3\s+3\s+3\s/) !== null);
    const owner = (await json<{ items: { metadata: { ownerReferences: { apiVersion: string; kind: string }[] } }[] }>(['get', 'pods', '-l', 'app=legacy'])).items[0]?.metadata.ownerReferences[0];
    expect(owner).toMatchObject({ apiVersion: 'v1', kind: 'ReplicationController' });
    expect(await kubectl.ok(['describe', 'rc', 'legacy'])).toMatch(/Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
  });

  it('replaces a deleted pod and adopts and releases pods by their labels', async () => {
    const rs = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: bare}
spec:
  replicas: 2
  selector: {matchLabels: {app: bare}}
  template:
    metadata: {labels: {app: bare}}
    spec:
      containers: [{name: app, image: nginx}]
`;
    await kubectl.ok(['apply', '-f', '-'], { stdin: rs });
    await eventually('bare runs 2 pods', async () => (await livePods('bare')).length === 2);
    const [victim] = await livePods('bare');
    await kubectl.ok(['delete', 'pod', victim?.metadata.name as string, '--wait=false']);
    await eventually('a replacement appears', async () => {
      const pods = await livePods('bare');
      return pods.length === 2 && !pods.some((p) => p.metadata.name === victim?.metadata.name);
    });
    const [released] = await livePods('bare');
    await kubectl.ok(['label', 'pod', released?.metadata.name as string, 'app=gone', '--overwrite']);
    await eventually('the released pod loses its owner and is replaced', async () => {
      const pod = await json<{ metadata: { ownerReferences?: unknown[] } }>(['get', 'pod', released?.metadata.name as string]);
      return (pod.metadata.ownerReferences ?? []).length === 0 && (await livePods('bare')).length === 2;
    });
    await kubectl.ok(['label', 'pod', released?.metadata.name as string, 'app=bare', '--overwrite']);
    await eventually('the orphan is adopted back and the surplus deleted', async () => {
      const pod = await json<{ metadata: { ownerReferences?: { name: string }[] } }>(['get', 'pod', released?.metadata.name as string]);
      return pod.metadata.ownerReferences?.[0]?.name === 'bare' && (await livePods('bare')).length === 2;
    });
    const events = await kubectl.ok(['describe', 'rs', 'bare']);
    expect(events).toMatch(/SuccessfulDelete\s.*replicaset-controller\s+Deleted pod: bare-/);
    await kubectl.ok(['scale', 'rs/bare', '--replicas=3']);
    await eventually('bare runs 3 pods', async () => (await livePods('bare')).length === 3);
    expect(await kubectl.ok(['get', 'rs', 'bare', '-o', 'jsonpath={.status.replicas}/{.status.fullyLabeledReplicas}/{.status.observedGeneration}'])).toMatch(/^3\/3\/\d+$/);
  });

  it('reports ReplicaFailure when a quota refuses pods, and recovers when it is lifted', async () => {
    await kubectl.ok(['create', 'namespace', 'tight']);
    await kubectl.ok(['create', 'quota', 'two', '--hard=pods=2', '-n', 'tight']);
    await kubectl.ok(['apply', '-n', 'tight', '-f', '-'], { stdin: deployment('capped', { replicas: 3 }) });
    await eventually('the ReplicaSet reports FailedCreate', async () => {
      const [rs] = (await json<{ items: (ReplicaSetJson & { status: { conditions?: Condition[] } })[] }>(['get', 'rs', '-n', 'tight'])).items;
      const failure = rs?.status.conditions?.find((c) => c.type === 'ReplicaFailure');
      return failure?.status === 'True' && failure.reason === 'FailedCreate' && failure.message.includes('exceeded quota: two');
    });
    await eventually('the Deployment copies the ReplicaFailure condition', async () => {
      const d = await json<DeploymentJson>(['get', 'deployment', 'capped', '-n', 'tight']);
      return d.status.conditions?.some((c) => c.type === 'ReplicaFailure' && c.reason === 'FailedCreate') === true;
    });
    expect(await kubectl.ok(['describe', 'rs', '-n', 'tight'])).toMatch(/FailedCreate\s.*replicaset-controller\s+Error creating: pods "capped-\w+-\w+" is forbidden: exceeded quota: two/);
    await kubectl.ok(['patch', 'quota', 'two', '-n', 'tight', '--type=merge', '-p', '{"spec":{"hard":{"pods":"5"}}}']);
    await eventually('the third pod starts and the failure clears', async () => {
      const d = await json<DeploymentJson>(['get', 'deployment', 'capped', '-n', 'tight']);
      return d.status.availableReplicas === 3 && !d.status.conditions?.some((c) => c.type === 'ReplicaFailure');
    }, 20_000);
  });

  it('deletes a Deployment with its ReplicaSets and pods', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('doomed', { replicas: 2 }) });
    await rolledOut('doomed');
    await kubectl.ok(['delete', 'deployment', 'doomed']);
    await eventually('the ReplicaSets and pods are collected', async () => (await replicaSets('doomed')).length === 0 && (await livePods('doomed')).length === 0);
  });

  it('resolves a ReplicaSet name taken by another template by bumping collisionCount', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('clash', { replicas: 1 }) });
    await rolledOut('clash');
    const [first] = await replicaSets('clash');
    const taken = first?.metadata.name as string;
    // Orphan the ReplicaSet, then take it out of the selector: its name stays taken by a stranger.
    await kubectl.ok(['delete', 'deployment', 'clash', '--cascade=orphan']);
    await eventually('the ReplicaSet is orphaned', async () => (await json<ReplicaSetJson>(['get', 'rs', taken])).metadata.ownerReferences === undefined);
    await kubectl.ok(['label', 'rs', taken, 'app=stranger', '--overwrite']);
    await kubectl.ok(['delete', 'pods', '-l', 'app=clash', '--wait=false']);
    await kubectl.ok(['apply', '-f', '-'], { stdin: deployment('clash', { replicas: 1 }) });
    await rolledOut('clash');
    const d = await json<DeploymentJson & { status: { collisionCount?: number } }>(['get', 'deployment', 'clash']);
    expect(d.status.collisionCount).toBe(1);
    const [current] = await replicaSets('clash');
    expect(current?.metadata.name).not.toBe(taken);
    expect(current?.metadata.labels['pod-template-hash']).not.toBe(first?.metadata.labels['pod-template-hash']);
    expect(current?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'clash' });
  });
});

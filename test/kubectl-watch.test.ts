import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletedText, kubectlAvailable, LATEST, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';

const POD = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx:1\n`;

describe.runIf(kubectlAvailable([OLDEST, NEWEST, LATEST])).each([OLDEST, NEWEST, LATEST])('kubectl %s: commands that watch', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    // Statuses here are written by the test, not by kubelets.
    cluster = await startTestCluster({ controllers: false });
    kubectl = cluster.kubectl(minor);
  });
  afterAll(() => cluster.close());

  const patchStatus = (path: string, status: object) =>
    cluster.http().patch(`${path}/status`).set('Content-Type', 'application/merge-patch+json').send({ status }).expect(200);

  it('get pods -w prints the table then every change', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: POD('w1') });
    const watching = kubectl.start(['get', 'pods', '-w']);
    await watching.output(/^w1\s+0\/1\s+Pending/m);
    await patchStatus('/api/v1/namespaces/default/pods/w1', { phase: 'Running' });
    await watching.output(/^w1\s+0\/1\s+Running/m);
    await kubectl.ok(['delete', 'pod', 'w1', '--wait=false']);
    // An unscheduled pod goes at once, as upstream: marked (Terminating), then deleted.
    await watching.output(/^w1\s+0\/1\s+Terminating.*\n(.|\n)*w1\s+0\/1\s+Terminating/m);
    watching.stop();
    expect(watching.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(watching.stderr).toBe('');
  });

  it('get pod NAME -w follows one object', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: POD('w2') });
    const watching = kubectl.start(['get', 'pod', 'w2', '-w', '-o', 'jsonpath={.status.phase}{"\\n"}']);
    await watching.output(/^Pending$/m);
    await patchStatus('/api/v1/namespaces/default/pods/w2', { phase: 'Succeeded' });
    await watching.output(/^Succeeded$/m);
    watching.stop();
  });

  it('wait --for=condition, --for=jsonpath and --for=delete', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: POD('w3') });
    const ready = kubectl.start(['wait', '--for=condition=Ready', 'pod/w3', '--timeout=20s']);
    const phase = kubectl.start(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/w3', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await patchStatus('/api/v1/namespaces/default/pods/w3', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    expect(await ready.exited).toBe(0);
    expect(ready.stdout).toBe('pod/w3 condition met\n');
    expect(await phase.exited).toBe(0);
    expect(phase.stdout).toBe('pod/w3 condition met\n');
    const gone = kubectl.start(['wait', '--for=delete', 'pod/w3', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kubectl.ok(['delete', 'pod', 'w3', '--wait=false']);
    expect(await gone.exited).toBe(0);
    expect(gone.stdout).toMatch(/pod\/w3 condition met|deleted/);
  });

  it('delete waits until a finalizer is removed', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n' });
    const deleting = kubectl.start(['delete', 'configmap', 'held', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const held = await cluster.http().get('/api/v1/namespaces/default/configmaps/held').expect(200);
    expect(held.body.metadata.deletionTimestamp).toBeDefined();
    await cluster.http().patch('/api/v1/namespaces/default/configmaps/held').set('Content-Type', 'application/merge-patch+json').send({ metadata: { finalizers: null } }).expect(200);
    expect(await deleting.exited).toBe(0);
    expect(deleting.stdout).toBe(`${deletedText(minor, 'configmap "held"', 'default')}\n`);
    await cluster.http().get('/api/v1/namespaces/default/configmaps/held').expect(404);
  });

  it('rollout status follows the status a controller writes', async () => {
    await kubectl.ok(['create', 'deployment', 'ro', '--image=nginx:1', '--replicas=2']);
    const rollout = kubectl.start(['rollout', 'status', 'deployment/ro', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const path = '/apis/apps/v1/namespaces/default/deployments/ro';
    await patchStatus(path, { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 0 });
    await rollout.output(/Waiting for deployment "ro" rollout to finish: 1 out of 2 new replicas have been updated\.\.\./);
    await patchStatus(path, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(await rollout.exited).toBe(0);
    expect(rollout.stdout).toContain('deployment "ro" successfully rolled out');

    await kubectl.ok(['create', '-f', '-'], {
      stdin: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ds\nspec:\n  selector:\n    matchLabels: {app: ds}\n  template:\n    metadata:\n      labels: {app: ds}\n    spec:\n      containers:\n      - {name: c, image: nginx:1}\n',
    });
    const dsRollout = kubectl.start(['rollout', 'status', 'ds/ds', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const dsPath = '/apis/apps/v1/namespaces/default/daemonsets/ds';
    await patchStatus(dsPath, { observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 1, numberReady: 1 });
    await dsRollout.output(/Waiting for daemon set "ds" rollout to finish: 1 of 3 updated pods are available\.\.\./);
    await patchStatus(dsPath, { numberAvailable: 3, numberReady: 3 });
    expect(await dsRollout.exited).toBe(0);
    expect(dsRollout.stdout).toContain('daemon set "ds" successfully rolled out');
  });
});

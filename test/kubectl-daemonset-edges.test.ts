import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revisionData, templateHash } from '../controllers/daemonset/history.js';
import type { DaemonSetObject } from '../server/api/kinds.js';
import { kubectlAvailable, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

interface PodJson {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string; reason?: string }[] };
}

const manifest = (name: string, spec: string, extra = '') => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  labels: {daemonset-name: ${name}}
spec:
  selector:
    matchLabels: {daemonset-name: ${name}}
${extra}  template:
    metadata:
      labels: {daemonset-name: ${name}}
    spec:
${spec}`;
const CONTAINER = '      containers:\n      - {name: app, image: "httpd:2.4"}\n';

describe.runIf(kubectlAvailable()).each([OLDEST, NEWEST])('kubectl %s: DaemonSet edge cases from the upstream tests', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3 });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(3);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const pods = async (name: string) => (await json<{ items: PodJson[] }>(['get', 'pods', '-l', `daemonset-name=${name}`])).items.filter((p) => !p.metadata.deletionTimestamp);
  const status = async (name: string) => (await json<{ status: Record<string, number> }>(['get', 'ds', name])).status;
  const gone = async (name: string) => {
    await kubectl.ok(['delete', 'ds', name, '--ignore-not-found']);
    await eventually(`${name}'s pods are gone`, async () => (await pods(name)).length === 0, 15_000);
  };

  it('runs by required node affinity and follows the label (e2e "complex daemon with node affinity")', async () => {
    const affinity = '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions: [{key: daemonset-color, operator: In, values: [blue]}]\n';
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('affine', affinity + CONTAINER) });
    await kubectl.ok(['label', 'node', 'node-1', 'daemonset-color=blue']);
    await eventually('node-1 runs it', async () => (await pods('affine')).map((p) => p.spec.nodeName).join() === 'node-1' && (await status('affine')).numberReady === 1);
    await kubectl.ok(['label', 'node', 'node-1', 'daemonset-color-']);
    await eventually('it runs nowhere', async () => (await pods('affine')).length === 0 && (await status('affine')).desiredNumberScheduled === 0);
    await gone('affine');
  });

  it('lists and deletes DaemonSets as a collection (e2e conformance)', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('listed', CONTAINER) });
    await eventually('it runs', async () => (await status('listed')).numberReady === 3);
    const listed = await cluster.http().get('/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Dlisted').expect(200);
    expect(listed.body.items).toHaveLength(1);
    await cluster.http().delete('/apis/apps/v1/namespaces/default/daemonsets?labelSelector=daemonset-name%3Dlisted&gracePeriodSeconds=1').expect(200);
    expect((await cluster.http().get('/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Dlisted').expect(200)).body.items).toHaveLength(0);
    await eventually('its pods are collected', async () => (await pods('listed')).length === 0, 15_000);
  });

  it('replaces a Succeeded pod at once, and creates pods the scheduler cannot place', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('done', CONTAINER) });
    await eventually('it runs', async () => (await status('done')).numberReady === 3);
    const [first] = await pods('done');
    await cluster.http().patch(`/api/v1/namespaces/default/pods/${first?.metadata.name}/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Succeeded' } }).expect(200);
    await eventually('a replacement runs', async () => (await pods('done')).length === 3 && !(await pods('done')).some((p) => p.metadata.name === first?.metadata.name) && (await status('done')).numberReady === 3);
    expect(await kubectl.ok(['describe', 'ds', 'done'])).toContain(`Found succeeded daemon pod default/${first?.metadata.name} on node ${first?.spec.nodeName}, will try to delete it`);
    await gone('done');

    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('greedy', '      containers:\n      - name: app\n        image: httpd\n        resources: {requests: {cpu: "100"}}\n') });
    await eventually('pods exist for every node but none is placed', async () => {
      const all = await pods('greedy');
      return all.length === 3 && all.every((p) => p.status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
    });
    expect(await status('greedy')).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 0, numberUnavailable: 3 });
    await gone('greedy');
  });

  it('resolves a hash collision by bumping collisionCount (TestLaunchWithHashCollision)', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('clash', CONTAINER) });
    await eventually('it runs', async () => (await status('clash')).numberReady === 3);
    const ds = await json<DaemonSetObject>(['get', 'ds', 'clash']);
    // Take the name the next template will hash to, with the old template's data.
    const next = structuredClone(ds);
    (next.spec as NonNullable<DaemonSetObject['spec']>).template.spec = { ...next.spec?.template.spec, containers: next.spec?.template.spec?.containers ?? [], terminationGracePeriodSeconds: 1 };
    const squatter = `clash-${templateHash(next, undefined)}`;
    await kubectl.ok(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: { name: squatter, labels: { 'daemonset-name': 'clash' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'clash', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        data: JSON.parse(revisionData(ds)),
        revision: 2,
      }),
    });
    await kubectl.ok(['patch', 'ds', 'clash', '--type=merge', '-p', '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":1}}}}']);
    await eventually('collisionCount went up and the new pods run', async () => {
      const s = await status('clash');
      return s.collisionCount === 1 && s.updatedNumberScheduled === 3 && s.numberAvailable === 3;
    }, 15_000);
    await gone('clash');
    await kubectl.ok(['delete', 'controllerrevision', squatter, '--ignore-not-found']);
  });

  it('deduplicates revisions of the same template and relabels pods (TestDSCUpdatesPodLabelAfterDedupCurHistories)', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('twin', CONTAINER) });
    await eventually('it runs', async () => (await status('twin')).numberReady === 3);
    const ds = await json<DaemonSetObject>(['get', 'ds', 'twin']);
    const [original] = (await json<{ items: { metadata: { name: string } }[] }>(['get', 'controllerrevisions', '-l', 'daemonset-name=twin'])).items;
    await kubectl.ok(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: { name: 'twin-duplicate', labels: { 'daemonset-name': 'twin', 'controller-revision-hash': 'duplicate' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'twin', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        data: JSON.parse(revisionData(ds)),
        revision: 2,
      }),
    });
    await eventually('pods carry the kept revision and the other is gone', async () => {
      const revisions = (await kubectl.ok(['get', 'controllerrevisions', '-l', 'daemonset-name=twin', '-o', 'name'])).trim();
      return revisions === 'controllerrevision.apps/twin-duplicate' && (await pods('twin')).every((p) => p.metadata.labels['controller-revision-hash'] === 'duplicate');
    });
    expect(original?.metadata.name).not.toBe('twin-duplicate');
    await gone('twin');
  });

  it('hostNetwork daemons tolerate network-unavailable nodes; others do not (TestUnschedulableNodeDaemonDoesLaunchPod)', async () => {
    // A node without a kubemu kubelet, whose network plugin reports no network (so the taint is kept).
    await kubectl.ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: netless\n  annotations: {kubemu.io/kubelet: disabled}\nspec:\n  taints: [{key: node.kubernetes.io/network-unavailable, effect: NoSchedule}]\n' });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await cluster
      .http()
      .patch('/api/v1/nodes/netless/status')
      .set('Content-Type', 'application/merge-patch+json')
      .send({
        status: {
          capacity: { cpu: '8', memory: '32Gi', pods: '110' },
          allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now },
            { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', lastHeartbeatTime: now, lastTransitionTime: now },
          ],
        },
      })
      .expect(200);
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('hostnet', `      hostNetwork: true\n${CONTAINER}`) });
    await kubectl.ok(['apply', '-f', '-'], { stdin: manifest('plain', CONTAINER) });
    await eventually('the hostNetwork daemon has a pod bound to netless', async () => (await pods('hostnet')).some((p) => p.spec.nodeName === 'netless'));
    await eventually('the plain one counts three nodes', async () => (await status('plain')).desiredNumberScheduled === 3);
    expect((await pods('plain')).some((p) => p.spec.nodeName === 'netless')).toBe(false);
    expect((await status('hostnet')).desiredNumberScheduled).toBe(4);
    await gone('hostnet');
    await gone('plain');
    await kubectl.ok(['delete', 'node', 'netless']);
  });
});
